"""How every change is written: through the state machine (``move``), attributed in the
transition history and audited with ids and field names only; and how pages are logged."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.cases.models import CaseParty
from portal.clock import utc_now
from portal.kit.text import check_text as check_text
from portal.people.models import Person
from portal.special_measures.eligibility import MEASURES
from portal.special_measures.models import SpecialMeasuresApplication, SpecialMeasuresTransition
from portal.special_measures.states import Action, Outcome, State, check

TRIGGER = "special_measures_decision"
TEXT_LIMIT = 5000
SHORT_LIMIT = 300


def audit_application(
    db: Session,
    actor: Actor,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    action: str,
    category: str = "alteration",
    fields: Iterable[str] = (),
) -> None:
    """The audit entry of a change to ``application`` (``action`` without its
    ``special_measures.`` prefix)."""
    audit.record_about(
        db,
        actor=actor,
        category=category,
        action=f"special_measures.{action}",
        object_type="special_measures_application",
        object_id=application.id,
        case_id=application.case_id,
        person=person,
        fields=fields,
    )


def check_version(row: SpecialMeasuresApplication, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleEdit({"state": row.state}, row.version)


def add_transition(
    db: Session,
    actor: Actor,
    application: SpecialMeasuresApplication,
    action: Action,
    current: State | None,
    target: State,
) -> None:
    db.add(
        SpecialMeasuresTransition(
            application_id=application.id,
            action=action.value,
            from_state=current.value if current else None,
            to_state=target.value,
            decision=application.decision if action is Action.DECIDE else None,
            by_id=actor.user_id,
            by_role=actor.role.value,
            at=utc_now(),
        )
    )
    db.flush()


def move(
    db: Session,
    actor: Actor,
    application: SpecialMeasuresApplication,
    action: Action,
    person: Person,
    *,
    fields: Iterable[str] = (),
) -> None:
    """Apply ``action`` through the state machine, record who did it, and audit it."""
    current = State(application.state) if application.state else None
    outcome = Outcome(application.decision) if application.decision else None
    target = check(action, current, actor, outcome=outcome)
    application.state = target.value
    add_transition(db, actor, application, action, current, target)
    audit_application(
        db,
        actor,
        application,
        person,
        action=action.value,
        category="collection" if action is Action.IDENTIFY else "alteration",
        fields=["state", *fields],
    )


def require_witness(party: CaseParty) -> None:
    if not party.is_witness:
        raise ValidationFailed({"witness": "Only a witness can have special measures"})


def clean_measures(codes: Iterable[str]) -> list[str]:
    chosen = set(codes)
    return [code for code in MEASURES if code in chosen]


def text_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
