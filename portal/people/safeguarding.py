"""Safeguards vocabulary and the pieces every safeguards use case shares: who may change them,
the timeline line and the audit row each change writes (field names, never values)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.cases.models import Case, CaseParty
from portal.clock import to_london, utc_now
from portal.db.base import IdMixin
from portal.keys.vault import Vault
from portal.kit.errors import NotPermitted
from portal.people.models import Person, SafeguardEvent
from portal.people.service import EDITABLE_FIELDS, audit_person

Row = TypeVar("Row", bound=IdMixin)


class InCase(NamedTuple):
    """A person and their part in a case: what every change to their safeguards is made to."""

    case: Case
    party: CaseParty
    person: Person


# --- reference data -------------------------------------------------------------------------

NEED_KINDS: tuple[tuple[str, str], ...] = (
    ("childcare", "Childcare"),
    ("transport", "Transport"),
    ("language", "Language"),
    ("medical", "Medical"),
    ("intimidation", "Intimidation or fear"),
)
NEED_QUESTIONS: dict[str, tuple[str, str]] = {
    "childcare": (
        "Do they need help with childcare to come to court?",
        "Select yes if they need help with childcare",
    ),
    "transport": (
        "Do they need help with transport to court?",
        "Select yes if they need help with transport",
    ),
    "language": (
        "Do they have a language need, such as an interpreter?",
        "Select yes if they have a language need",
    ),
    "medical": (
        "Do they have a medical need or disability that affects coming to court?",
        "Select yes if they have a medical need",
    ),
    "intimidation": (
        "Are they afraid, or being intimidated?",
        "Select yes if they are afraid or being intimidated",
    ),
}
RISK_LEVELS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High"}
REFERRAL_SERVICES: dict[str, str] = {
    "isva": "Independent Sexual Violence Adviser (ISVA)",
    "chisva": "Children's Independent Sexual Violence Adviser (ChISVA)",
    "idva": "Independent Domestic Violence Adviser (IDVA)",
    "ictg": "Independent Child Trafficking Guardian (ICTG)",
    "victim_support": "Victim Support",
    "other": "Another support service",
}
NRM_STAGES: dict[str, str] = {
    "referral": "Referred to the National Referral Mechanism",
    "reasonable_grounds": "Reasonable grounds decision",
    "conclusive_grounds": "Conclusive grounds decision",
}
NRM_OUTCOMES: dict[str, str] = {
    "positive": "Positive",
    "negative": "Negative",
    "pending": "Pending",
}
REFERENCE_KINDS: dict[str, str] = {
    "police_crn": "Police crime reference number",
    "action_fraud": "Action Fraud reference",
    "report_fraud": "Report Fraud reference",
    "nrm": "National Referral Mechanism (NRM) referral reference",
}
CHANNEL_LABELS: dict[str, str] = {
    "phone": "Phone call",
    "text": "Text message",
    "email": "Email",
    "letter": "Letter",
    "in_person": "In person",
    "via_representative": "Through their representative",
}
HEARING_KINDS: dict[str, str] = {
    "first_hearing": "the first hearing",
    "hearing_listed": "the hearing",
    "trial_listing": "the trial",
}
EVENT_LABELS: dict[str, str] = {
    "person_added": "Added to the case",
    "details_updated": "Personal details changed",
    "contact_rules": "Communication needs and safe-contact rules changed",
    "needs_assessment": "Needs assessment recorded",
    "action_added": "Safeguarding action added",
    "action_done": "Safeguarding action completed",
    "support_referral": "Referral to a support service recorded",
    "nrm_decision": "National Referral Mechanism decision recorded",
    "reference_added": "Reference number added",
    "role_changed": "Part in the case changed",
    "enhanced_recorded": "Enhanced-rights categories changed",
    "contact_added": "Parent, guardian or representative added",
    "contact_removed": "Parent, guardian or representative removed",
}

MAX_DETAILS = 1000
MAX_NOTES = 4000
MAX_ACTION = 500
MAX_REFERENCE = 40


WCO_ONLY = "only witness care officers change needs assessments and actions"


def require(actor: Actor, permission: Permission, refusal: str) -> None:
    """The service's own permission check (the route declares the same permission)."""
    if not actor.can(permission):
        raise NotPermitted(refusal)


def require_editor(actor: Actor) -> None:
    require(
        actor,
        Permission.EDIT_SAFEGUARDS,
        "only witness care officers and prosecutors change safeguards",
    )


def record_event(
    db: Session, actor: Actor, party: CaseParty, kind: str, *, at: datetime | None = None
) -> SafeguardEvent:
    """One timeline line: what changed, when (UTC) and by whom. Never the values."""
    if kind not in EVENT_LABELS:
        raise ValueError(f"unknown safeguard event {kind!r}")
    event = SafeguardEvent(
        case_party_id=party.id, kind=kind, at=at or utc_now(), by_id=actor.user_id
    )
    db.add(event)
    db.flush()
    return event


# What each change writes: its audit category, action (the object type is the action's first
# part: ``safeguarding_action.add`` -> ``safeguarding_action``) and the field names it touched.
CHANGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "person_added": ("collection", "person.add", ()),
    "action_added": ("collection", "safeguarding_action.add", ("description", "owner", "due_on")),
    "action_done": ("alteration", "safeguarding_action.done", ("status", "completed_on")),
    "support_referral": (
        "collection",
        "support_referral.add",
        ("service", "referred_on", "consent_given", "consent_on"),
    ),
    "nrm_decision": ("collection", "nrm_decision.add", ("stage", "outcome", "decided_on")),
    "reference_added": ("collection", "person_reference.add", ("kind", "value")),
    "contact_added": ("collection", "person_contact.add", ("relationship", "name")),
    "contact_removed": ("erasure", "person_contact.remove", ("relationship", "name")),
}


def record_change(
    db: Session,
    actor: Actor,
    party: CaseParty,
    person: Person,
    case_id: uuid.UUID,
    event: str,
    object_id: uuid.UUID,
    *,
    fields: Iterable[str] | None = None,
) -> None:
    """A change to a person's safeguards: its timeline line, then its audit row (``CHANGES``
    says which; ``fields`` overrides the field names when they depend on what was given)."""
    category, action, touched = CHANGES[event]
    record_event(db, actor, party, event)
    audit_person(
        db,
        actor,
        person,
        case_id,
        category=category,
        action=action,
        object_type=action.split(".")[0],
        object_id=object_id,
        fields=touched if fields is None else fields,
    )


def add_change(
    db: Session,
    actor: Actor,
    party: CaseParty,
    person: Person,
    case_id: uuid.UUID,
    event: str,
    row: Row,
) -> Row:
    """Store a new safeguards row, then ``record_change`` it."""
    db.add(row)
    db.flush()
    record_change(db, actor, party, person, case_id, event, row.id)
    return row


def date_errors(
    name: str, value: date | None, *, missing: str, wrong: str, future: bool = False
) -> dict[str, str]:
    """``missing`` for no date; ``wrong`` for one after today (before today, with ``future``),
    London time."""
    if value is None:
        return {name: missing}
    today = to_london(utc_now()).date()
    return {name: wrong} if (value < today if future else value > today) else {}


def record_consultation(
    db: Session, actor: Actor, person: Person, case_id: uuid.UUID, *, action: str
) -> None:
    """A read of a person's data that is not the person page (e.g. a conflict page)."""
    audit_person(
        db,
        actor,
        person,
        case_id,
        category="consultation",
        action=action,
        object_type="person",
        object_id=person.id,
    )


def details_changed(
    db: Session, actor: Actor, party: CaseParty, changed: Sequence[str]
) -> SafeguardEvent | None:
    """Put a details change on the timeline (the alteration itself is audited by people)."""
    return record_event(db, actor, party, "details_updated") if changed else None


def contact_rules_changed(db: Session, actor: Actor, party: CaseParty) -> SafeguardEvent:
    return record_event(db, actor, party, "contact_rules")


def current_details(vault: Vault, person: Person) -> dict[str, Any]:
    """What is stored now, as plain text, for a conflict page (the caller logs the read)."""
    return {name: vault.open_text(person, name) or "" for name in EDITABLE_FIELDS}
