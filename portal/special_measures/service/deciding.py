"""The court's decision (granted, refused or granted in part) and its variation or discharge
(YJCEA s20), recorded by prosecutors; each time, the witness care unit then owes the witness
the outcome (Right 8)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.cases.errors import ValidationFailed
from portal.cases.models import Case, CaseParty
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.special_measures.eligibility import MEASURES
from portal.special_measures.models import SpecialMeasuresApplication
from portal.special_measures.service import lookup
from portal.special_measures.service.recording import (
    TEXT_LIMIT,
    TRIGGER,
    check_text,
    check_version,
    clean_measures,
    move,
    text_or_none,
)
from portal.special_measures.states import (
    Action,
    Outcome,
    State,
    TransitionRefused,
    check,
    direction_in_force,
)
from portal.victims_code import service as obligations
from portal.victims_code.models import Obligation


def check_decision_dates(
    errors: dict[str, str], on: date | None, received_on: date | None, today: date, label: str
) -> None:
    if on is None:
        errors["decided_on"] = f"Enter the date of the {label}"
    elif on > today:
        errors["decided_on"] = f"The date of the {label} must be today or in the past"
    if received_on is not None:
        if received_on > today:
            errors["received_on"] = "The date received must be today or in the past"
        elif on is not None and received_on < on:
            errors["received_on"] = "The date received must be on or after the court's decision"


def tell_the_witness(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    on: date,
    received_on: date | None,
) -> list[Obligation]:
    """The witness care unit's duty to tell the witness (Right 8, R8-WCU-SPECIAL-MEASURES),
    through the Victims' Code engine; the same decision recorded twice creates one."""
    return obligations.create_for_trigger(
        db, vault, actor, case, party, trigger=TRIGGER, trigger_on=on, received_on=received_on
    )


@dataclass(frozen=True, slots=True)
class _Change:
    """A change the court made to an application in the actor's scope, as it is recorded."""

    unit: Unit
    application: SpecialMeasuresApplication
    case: Case
    party: CaseParty
    person: Person

    @classmethod
    def of(cls, unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID) -> _Change:
        return cls(unit, *lookup.application(unit, case_id, application_id))

    def refuse(self, errors: dict[str, str], notes: str) -> None:
        """Raise ``errors`` with those of the court's notes (too long, or naming someone whose
        identity is sealed), if there are any."""
        check_text(errors, "court_notes", notes, "The notes", TEXT_LIMIT)
        errors |= case_text_errors(
            self.unit.db,
            self.unit.vault,
            self.application.case_id,
            {"court_notes": ("The notes", notes)},
        )
        if errors:
            raise ValidationFailed(errors)

    def record(
        self, action: Action, fields: tuple[str, ...], on: date, received_on: date | None
    ) -> list[Obligation]:
        """Move the application (audited), then owe the witness the news."""
        db, vault, actor = self.unit.db, self.unit.vault, self.unit.actor
        move(db, actor, self.application, action, self.person, fields=fields)
        return tell_the_witness(db, vault, actor, self.case, self.party, on, received_on)


# --- the pages and their saves (through the request's unit) ---------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionPage(lookup.ApplicationFormPage):
    """The decision form, or the variation form (``kind``): one template for both."""

    outcome_choices: list[tuple[str, str]]
    applied_for: list[tuple[str, str]]
    all_measures: list[tuple[str, str]]
    kind: str


def _may_vary(application: SpecialMeasuresApplication) -> bool:
    outcome = Outcome(application.decision) if application.decision else None
    return direction_in_force(State(application.state), outcome)


def decision_page(
    unit: Unit,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    *,
    kind: str = "decision",
    first: bool = True,
) -> DecisionPage:
    """The court's decision (``kind`` "decision", from served) or a variation or discharge
    ("variation", of a direction in force); ``first``: its first showing (logged)."""
    application, case, _, person = lookup.application(unit, case_id, application_id)
    initial: dict[str, Any] = {}
    if first:
        state = State(application.state)
        if kind == "decision" and state != State.SERVED:
            raise TransitionRefused(Action.DECIDE, state)
        if kind == "variation" and not _may_vary(application):
            raise TransitionRefused(Action.VARY, state)
        initial = {
            "court_notes": "",
            "version": application.version,
            "decided_on": None,
            "received_on": None,
        }
        if kind == "decision":
            initial |= {"outcome": "", "granted": []}
        else:
            initial |= {"action": "", "granted": application.granted_codes}
        lookup.form_viewed(unit, f"{kind}_view", application, case, person)
    return lookup.form_page(
        DecisionPage,
        unit,
        case,
        person,
        initial,
        application=application,
        outcome_choices=Outcome.choices(),
        applied_for=[(m, MEASURES[m]) for m in application.measure_codes],
        all_measures=list(MEASURES.items()),
        kind=kind,
    )


@dataclass(frozen=True, slots=True)
class CourtRecord:
    """What the decision and the variation forms say the court did, besides its choice (the
    decision's outcome, or vary or discharge): named as the forms' fields (``form.build``)."""

    decided_on: date | None
    received_on: date | None
    granted: Sequence[str]
    court_notes: str
    version: int | None  # the application's version the form was shown with


def record_decision(
    unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID, outcome: str, record: CourtRecord
) -> list[Obligation]:
    """Record the court's decision; returns the duties to tell the witness it created (the
    witness care unit then owes the witness the outcome)."""
    decided_on, received_on, notes = record.decided_on, record.received_on, record.court_notes
    change = _Change.of(unit, case_id, application_id)
    application, today = change.application, lookup.today()
    check(Action.DECIDE, State(application.state), unit.actor)
    errors: dict[str, str] = {}
    if outcome not in {o.value for o in Outcome}:
        errors["outcome"] = "Select the court's decision"
    check_decision_dates(errors, decided_on, received_on, today, "decision")
    if application.served_on and decided_on and decided_on < application.served_on:
        errors["decided_on"] = (
            "The decision must be on or after the date the application was served"
        )
    granted_codes = [c for c in clean_measures(record.granted) if c in application.measure_codes]
    if outcome == Outcome.GRANTED_IN_PART and not granted_codes:
        errors["granted"] = "Select the measures the court granted"
    elif outcome == Outcome.GRANTED_IN_PART and len(granted_codes) == len(
        application.measure_codes
    ):
        errors["granted"] = "Granted in part: leave out the measures the court refused"
    change.refuse(errors, notes)
    assert decided_on is not None
    check_version(application, record.version)
    application.decision = outcome
    application.decided_on = decided_on
    application.decision_received_on = received_on
    application.granted_measures = {
        Outcome.GRANTED.value: application.measures,
        Outcome.GRANTED_IN_PART.value: ",".join(granted_codes),
        Outcome.REFUSED.value: "",
    }[outcome]
    unit.vault.put(application, "court_notes", text_or_none(notes))
    return change.record(
        Action.DECIDE,
        ("decision", "decided_on", "granted_measures", "court_notes"),
        decided_on,
        received_on,
    )


def record_variation(
    unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID, action: str, record: CourtRecord
) -> list[Obligation]:
    """The court varied or discharged its direction (YJCEA s20); the witness is told again
    (``record.granted``: the measures the direction now includes)."""
    on, received_on, notes = record.decided_on, record.received_on, record.court_notes
    change = _Change.of(unit, case_id, application_id)
    application = change.application
    chosen = Action(action) if action in {Action.VARY.value, Action.DISCHARGE.value} else None
    outcome = Outcome(application.decision) if application.decision else None
    check(chosen or Action.VARY, State(application.state), unit.actor, outcome=outcome)
    errors: dict[str, str] = {}
    if chosen is None:
        errors["action"] = "Select whether the court varied or discharged the direction"
    check_decision_dates(errors, on, received_on, lookup.today(), "court's decision")
    if application.decided_on and on and on < application.decided_on:
        errors["decided_on"] = "The date must be on or after the original decision"
    codes = clean_measures(record.granted)
    if chosen is Action.VARY and not codes:
        errors["granted"] = "Select the measures the direction now includes"
    change.refuse(errors, notes)
    assert chosen is not None
    assert on is not None
    check_version(application, record.version)
    application.changed_on = on
    application.decision_received_on = received_on
    if chosen is Action.VARY:
        application.granted_measures = ",".join(codes)
    if notes.strip():
        unit.vault.put(application, "court_notes", notes.strip())
    return change.record(chosen, ("changed_on", "granted_measures", "court_notes"), on, received_on)
