"""Opening cases and recording what happens in them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases import event_rules, repository
from portal.cases.errors import NotPermitted, StaleEdit, ValidationFailed
from portal.cases.events import CaseEventCorrected, CaseEventRecorded
from portal.cases.models import Case, CaseEvent, Defendant, Offence
from portal.cases.offences import offence_type
from portal.cases.reference import AREAS, UNITS, CourtType, EventKind, normalise_urn, valid_urn
from portal.clock import LONDON, utc_now
from portal.db.session import serialize_on
from portal.keys.vault import Vault
from portal.kit.events import publish
from portal.kit.projection import project


@dataclass(frozen=True, slots=True)
class NewCase:
    urn: str
    area: str
    unit: str
    court_type: str
    court_name: str
    offence_codes: Sequence[str]
    offence_date: date | None = None
    prosecutor_id: uuid.UUID | None = None
    witness_care_officer_id: uuid.UUID | None = None
    defendant_names: Sequence[str] = field(default_factory=tuple)


# One answer for a URN already in use, whether or not the user can see that case: naming it,
# linking to it, or answering differently outside scope would tell anyone that a case exists
# (security.md 1.6). Cases in scope are found with a URN search, which the message points to.
URN_REFUSED = (
    "This URN cannot be used for a new case. Check it is right, search for the case by its URN, "
    "or ask your manager for help"
)


def validate_new_case(db: Session, actor: Actor, command: NewCase) -> dict[str, str]:
    """Every problem with ``command``. A URN already in use is refused with URN_REFUSED and
    logged as a security event naming the case, so probing for URNs shows in the audit log."""
    errors: dict[str, str] = {}
    urn = normalise_urn(command.urn)
    if not valid_urn(urn):
        errors["urn"] = "Enter a URN like 01AB1234526: 2 digits, 2 letters, then 7 digits"
    elif (holder := repository.case_holding_urn(db, urn)) is not None:
        errors["urn"] = URN_REFUSED
        audit.record_in_case(
            db, actor, "security", "case.urn_refused", ("case", holder, None), "urn"
        )
    if command.area not in AREAS:
        errors["area"] = "Select the CPS Area"
    if command.unit not in UNITS:
        errors["unit"] = "Select the unit"
    if command.court_type not in {c.value for c in CourtType}:
        errors["court_type"] = "Select the court"
    if not command.court_name.strip():
        errors["court_name"] = "Enter the court's name"
    codes = [c for c in command.offence_codes if c]
    if not codes or any(offence_type(c) is None for c in codes):
        errors["offences"] = "Select at least one offence"
    if command.offence_date is not None and command.offence_date > london_today():
        errors["offence_date"] = "The date of the offence must be today or in the past"
    return errors


def london_today() -> date:
    """Today in England and Wales (dates typed by officers are England's)."""
    return utc_now().astimezone(LONDON).date()


def open_case(db: Session, vault: Vault, actor: Actor, command: NewCase) -> Case:
    if not actor.can(Permission.OPEN_CASE):
        raise NotPermitted("only prosecutors and witness care officers open cases")
    # Two people opening the same URN at once: the second waits, then is refused like any other
    # duplicate (the unique constraint on the URN stays the last word).
    serialize_on(db, "case-urn:" + normalise_urn(command.urn))
    errors = validate_new_case(db, actor, command)
    if errors:
        raise ValidationFailed(errors)
    urn = normalise_urn(command.urn)
    codes = [c for c in command.offence_codes if c]
    case = Case(
        urn=urn,
        area=command.area,
        unit=command.unit,
        court_type=command.court_type,
        court_name=command.court_name.strip(),
        status="open",
        prosecutor_id=command.prosecutor_id
        or (actor.user_id if actor.role is Role.PROSECUTOR else None),
        witness_care_officer_id=command.witness_care_officer_id
        or (actor.user_id if actor.role is Role.WITNESS_CARE_OFFICER else None),
    )
    case.key_id = vault.new_key("case", owner_id=case.id)
    db.add(case)
    db.flush()
    for code in dict.fromkeys(codes):
        kind = offence_type(code)
        assert kind is not None
        db.add(
            Offence(
                case_id=case.id,
                code=kind.code,
                title=kind.title,
                category=kind.category.value,
                violent_or_sexual=kind.violent_or_sexual,
                committed_on=command.offence_date,
            )
        )
    for number, name in enumerate(command.defendant_names, start=1):
        add_defendant(db, vault, case, name=name, label=f"Defendant {number}")
    db.flush()
    audit.record_in_case(db, actor, "collection", "case.open", ("case", case.id, case.id))
    return case


def add_defendant(
    db: Session, vault: Vault, case: Case, *, name: str, label: str, born: date | None = None
) -> Defendant:
    defendant = Defendant(case_id=case.id, label=label)
    defendant.key_id = vault.new_key("person", owner_id=defendant.id)
    vault.put(defendant, "full_name", name.strip())
    if born:
        vault.put(defendant, "date_of_birth", born.isoformat())
    db.add(defendant)
    db.flush()
    return defendant


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: EventKind
    event_date: date
    received_on: date | None = None
    defendant_id: uuid.UUID | None = None
    outcome: str | None = None
    custody_months: int | None = None
    ends_all_proceedings: bool = False
    notes: str | None = None
    # A hearing's (EventKind.is_hearing): when it is (aware), the court, the type's code.
    hearing_at: datetime | None = None
    hearing_court: str | None = None
    hearing_type: str | None = None


def _dedupe_key(event: NewEvent, defendant_id: uuid.UUID | None) -> str:
    parts = [event.kind.value, event.event_date.isoformat()]
    if defendant_id:
        parts.append(str(defendant_id))
    if event.outcome:
        parts.append(event.outcome)
    if event.hearing_at:
        parts.append(event.hearing_at.isoformat())
    return "|".join(parts)


def _proposed(command: NewEvent) -> event_rules.Proposed:
    return project(command, event_rules.Proposed)


def event_errors(db: Session, vault: Vault, case: Case, command: NewEvent) -> dict[str, str]:
    """Every problem with recording ``command`` in ``case`` (nothing is written)."""
    defendants = repository.defendants_of(db, case)
    earlier = repository.events_of(db, case) if command.kind is EventKind.SENTENCE else []
    errors = event_rules.check(_proposed(command), defendants, earlier, london_today())
    notes = {"notes": ("The notes", command.notes)}
    return errors | case_text_errors(db, vault, case.id, notes)


def record_event(
    db: Session, vault: Vault, actor: Actor, case: Case, command: NewEvent
) -> tuple[CaseEvent, bool]:
    """Record a case event (the rules: ``portal.cases.event_rules``). Recording the same event
    twice returns the first (created=False). A decision that ends all proceedings closes the
    case."""
    if not actor.can(Permission.RECORD_CASE_EVENT):
        raise NotPermitted("only prosecutors and witness care officers record case events")
    errors = event_errors(db, vault, case, command)
    if errors:
        raise ValidationFailed(errors)
    defendant_id = event_rules.concerned(_proposed(command), repository.defendants_of(db, case))
    key = _dedupe_key(command, defendant_id)
    existing = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.dedupe_key == key)
    ).one_or_none()
    if existing is not None:
        return existing, False
    hearing = command.kind.is_hearing
    event = CaseEvent(
        case_id=case.id,
        defendant_id=defendant_id,
        kind=command.kind.value,
        outcome=command.outcome,
        custody_months=command.custody_months,
        ends_all_proceedings=command.ends_all_proceedings,
        event_date=command.event_date,
        received_on=command.received_on,
        hearing_at=command.hearing_at if hearing else None,
        hearing_court=(command.hearing_court or None) if hearing else None,
        hearing_type=(command.hearing_type or None) if hearing else None,
        dedupe_key=key,
        key_id=case.key_id,
        recorded_by_id=actor.user_id,
        recorded_at=utc_now(),
    )
    if command.notes:
        vault.put(event, "notes", command.notes)
    db.add(event)
    db.flush()
    action = f"event.{command.kind.value}"
    audit.record_in_case(db, actor, "collection", action, ("case_event", event.id, case.id))
    if event_rules.ends_proceedings(event) and case.status != "closed":
        case.status = "closed"
        db.flush()
        audit.record_in_case(
            db, actor, "alteration", "case.close", ("case", case.id, case.id), "status"
        )
    publish(db, CaseEventRecorded(case.id, event.id, actor))  # obligations, then VLU requests
    return event, True


def correct_event(
    db: Session,
    actor: Actor,
    event: CaseEvent,
    *,
    expected_version: int,
    event_date: date,
    received_on: date | None,
) -> CaseEvent:
    """Move or correct an event's dates (optimistic locking on ``expected_version``)."""
    if event.version != expected_version:
        raise StaleEdit(
            {"event_date": event.event_date, "received_on": event.received_on}, event.version
        )
    event.event_date = event_date
    event.received_on = received_on
    db.flush()
    fields = ("event_date", "received_on")
    audit.record_in_case(
        db, actor, "alteration", "event.correct", ("case_event", event.id, event.case_id), *fields
    )
    publish(db, CaseEventCorrected(event.case_id, event.id, actor))
    return event
