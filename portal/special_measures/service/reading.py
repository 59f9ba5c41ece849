"""What is worked out from what was recorded: the assessment's sealed details, the witness's
eligibility on the hearing date, and the application's deadline from the not-guilty plea."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from portal.cases.models import Case, CaseParty
from portal.cases.offences import OffenceType
from portal.keys.vault import Vault
from portal.kit.projection import project
from portal.people.models import Person
from portal.special_measures.eligibility import S17_FACTORS, Eligibility, Recorded, assess
from portal.special_measures.models import SpecialMeasuresApplication, SpecialMeasuresAssessment
from portal.special_measures.states import PENDING, State
from portal.victims_code.deadlines import DueDate, special_measures_application_due
from portal.victims_code.rules import RulesError, Settings, rules_in_force


@dataclass(frozen=True, slots=True)
class AssessmentDetails:
    """What was recorded about the witness (sealed as one JSON document)."""

    mental_disorder: bool = False
    impairment: bool = False
    physical: bool = False
    s16_notes: str = ""
    fear_or_distress: bool = False
    factors: tuple[str, ...] = ()
    s17_notes: str = ""
    views: str = ""
    declines_automatic: bool = False
    opts_out_primary_rule: bool = False

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["factors"] = list(self.factors)
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str | None) -> AssessmentDetails:
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["factors"] = tuple(f for f in known.get("factors", ()) if f in S17_FACTORS)
        return cls(**known)

    @property
    def recorded(self) -> Recorded:
        return project(self, Recorded)


def born_on(vault: Vault, person: Person) -> date | None:
    if person.erased:
        return None
    # For age at the hearing only (shown as eligibility, never as the date): works for sealed
    # identities too.
    raw = vault.open_internal(person, "date_of_birth")
    text = raw.decode() if raw else None
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def details_of(vault: Vault, assessment: SpecialMeasuresAssessment | None) -> AssessmentDetails:
    if assessment is None:
        return AssessmentDetails()
    return AssessmentDetails.from_json(vault.open_text(assessment, "details"))


def eligibility_of(
    vault: Vault,
    *,
    offences: Sequence[tuple[OffenceType, date | None]],
    party: CaseParty,
    person: Person,
    assessment: SpecialMeasuresAssessment | None,
    today: date,
    hearing_on: date | None = None,
) -> Eligibility:
    """The witness's eligibility on the hearing date (the decision date once the court has
    decided, else the expected hearing date recorded in the assessment, else today)."""
    offence_dates = [d for _, d in offences if d is not None]
    return assess(
        offences=[o for o, _ in offences],
        complainant=party.is_victim,
        born=born_on(vault, person),
        hearing_on=hearing_on or (assessment.hearing_on if assessment else None),
        today=today,
        offence_on=min(offence_dates) if offence_dates else None,
        recorded=details_of(vault, assessment).recorded if not person.erased else Recorded(),
    )


# --- the deadline ---------------------------------------------------------------------------


def court_for_deadline(case: Case) -> Literal["magistrates", "crown"]:
    """Magistrates' and youth courts use the magistrates' figure; the Crown Court its own."""
    return "crown" if case.court_type == "crown" else "magistrates"


def _settings_on(day: date) -> Settings:
    try:
        return rules_in_force(day).settings
    except RulesError:
        return Settings()  # before any Code was in force: the documented defaults


def deadline(case: Case, plea_on: date | None) -> DueDate | None:
    """Latest date to apply, counted in business days from the not-guilty plea, with the
    limits of the rules version in force on the plea date (UNCONFIRMED figures, configurable in
    the rules file's [settings])."""
    if plea_on is None:
        return None
    return special_measures_application_due(
        plea_on, court=court_for_deadline(case), settings=_settings_on(plea_on)
    )


# Deadline statuses in the order lists show them: the most urgent first.
STATUS_RANK = {"overdue": 0, "due_today": 1, "due": 2, "no_plea": 3}


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    code: str  # no_plea, due, due_today, overdue, served_on_time, served_late, not_applicable
    label: str
    due: date | None

    @property
    def urgent(self) -> bool:
        return self.code in {"overdue", "due_today"}


def deadline_status(
    application: SpecialMeasuresApplication, due: DueDate | None, today: date
) -> DeadlineStatus:
    state = State(application.state)
    due_on = due.due if due else None
    if state in PENDING:
        if due_on is None:
            return DeadlineStatus("no_plea", "No not-guilty plea recorded yet", None)
        if today > due_on:
            return DeadlineStatus("overdue", "Overdue", due_on)
        if today == due_on:
            return DeadlineStatus("due_today", "Due today", due_on)
        return DeadlineStatus("due", "Due", due_on)
    if application.served_on is not None and application.due_on is not None:
        if application.served_on > application.due_on:
            return DeadlineStatus("served_late", "Served late", application.due_on)
        return DeadlineStatus("served_on_time", "Served on time", application.due_on)
    return DeadlineStatus("not_applicable", "No deadline recorded", application.due_on)


def is_late(served_on: date, due: DueDate | None) -> bool:
    return due is not None and due.due is not None and served_on > due.due


def late_now(due: DueDate | None, today: date) -> bool:
    """Whether an application not yet served is already past its deadline."""
    return due is not None and due.due is not None and today > due.due
