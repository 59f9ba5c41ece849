"""Safeguards for a person in a case: needs assessments, actions, referrals and their timeline.

Every change writes a ``SafeguardEvent`` (what changed, when, by whom: never values) and an audit
row with field names only, in the same transaction. Reads that show personal data write one
consultation row. Auditors get a pseudonymised overview: their vault never decrypts names, contact
details, needs or action descriptions (portal.keys.vault.Disclosure), and the overview says "not
shown" rather than working anything out from what was withheld (the date of birth is opened
internally only to say "Child"/"Adult").

Rules (domain-rules.md): enhanced rights follow the age at the **offence**
(1.3), special measures eligibility the age at the **hearing** (4.1, 9.3); the witness care
officer's needs assessment covers childcare, transport, language, medical and intimidation (3);
NRM stages and ICTGs for trafficking (6.1); Action Fraud and Report Fraud references coexist (6.3).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, NotPermitted, StaleEdit, ValidationFailed
from portal.cases.events import NeedsAssessmentRecorded
from portal.cases.models import Case, CaseEvent, CaseParty, Offence
from portal.cases.offences import offence_type
from portal.cases.reference import CrimeCategory
from portal.clock import to_london, utc_now
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.kit.events import publish
from portal.people import enhanced
from portal.people import service as people
from portal.people.models import NrmDecision, Person, PersonReference, SupportReferral
from portal.safeguards.models import NeedsAssessment, SafeguardEvent, SafeguardingAction

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
    "nrm": "NRM referral reference",
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
}

MAX_DETAILS = 1000
MAX_NOTES = 4000
MAX_ACTION = 500
MAX_REFERENCE = 40


def _require_wco(actor: Actor) -> None:
    if actor.role is not Role.WITNESS_CARE_OFFICER:
        raise NotPermitted("only witness care officers change needs assessments and actions")


def _require_editor(actor: Actor) -> None:
    if actor.role not in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR}:
        raise NotPermitted("only witness care officers and prosecutors change safeguards")


def record_event(
    db: Session, actor: Actor, party: CaseParty, kind: str, *, at: datetime | None = None
) -> SafeguardEvent:
    """One timeline line: what changed, when (UTC) and by whom. Never the values."""
    if kind not in EVENT_LABELS:
        raise ValueError(f"unknown safeguard event {kind!r}")
    event = SafeguardEvent(
        id=uuid.uuid4(), case_party_id=party.id, kind=kind, at=at or utc_now(), by_id=actor.user_id
    )
    db.add(event)
    db.flush()
    return event


def _audit(
    db: Session,
    actor: Actor,
    person: Person,
    case_id: uuid.UUID,
    *,
    category: str,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    fields: Iterable[str] = (),
) -> None:
    audit.record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        subject_id=person.id,
        subject_ref=person.reference,
        fields=fields,
    )


def record_consultation(
    db: Session, actor: Actor, person: Person, case_id: uuid.UUID, *, action: str
) -> None:
    """A read of a person's data that is not the person page (e.g. a conflict page)."""
    _audit(
        db,
        actor,
        person,
        case_id,
        category="consultation",
        action=action,
        object_type="person",
        object_id=person.id,
    )


# --- adding a person ------------------------------------------------------------------------


def add_person(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    details: people.PersonDetails,
    *,
    is_victim: bool,
    is_witness: bool,
    safe_contact: people.SafeContact,
    needs: people.CommunicationNeeds,
) -> tuple[Person, CaseParty]:
    """Add a victim or witness; the audit row names every field collected (never values)."""
    person, party = people.add_person_to_case(
        db,
        vault,
        actor,
        case,
        details,
        is_victim=is_victim,
        is_witness=is_witness,
        safe_contact=safe_contact,
        needs=needs,
        audit_it=False,
    )
    given = {
        "full_name": True,
        "date_of_birth": details.date_of_birth is not None,
        "address": bool((details.address or "").strip()),
        "phone": bool((details.phone or "").strip()),
        "email": bool((details.email or "").strip()),
        "business_contact": bool((details.business_contact or "").strip()),
        "communication_needs": needs != people.CommunicationNeeds(),
        "safe_contact": safe_contact != people.SafeContact(),
    }
    fields = [name for name, present in given.items() if present] + ["role"]
    record_event(db, actor, party, "person_added")
    _audit(
        db,
        actor,
        person,
        case.id,
        category="collection",
        action="person.add",
        object_type="person",
        object_id=person.id,
        fields=fields,
    )
    return person, party


# --- needs assessments ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Need:
    present: bool | None  # None: the officer did not answer
    details: str = ""


@dataclass(frozen=True, slots=True)
class NeedsInput:
    needs: dict[str, Need]
    notes: str
    assessed_on: date | None
    risk_level: str
    pre_trial_visit_on: date | None = None
    witness_service_referred_on: date | None = None


def validate_needs(data: NeedsInput, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment"
    elif data.assessed_on > today:
        errors["assessed_on"] = "The date of the assessment must be today or in the past"
    for kind, label in NEED_KINDS:
        need = data.needs.get(kind, Need(None))
        if need.present is None:
            errors[kind] = NEED_QUESTIONS[kind][1]
        elif need.present and not need.details.strip():
            errors[f"{kind}_details"] = f"Enter details of the {label.lower()} need"
        elif len(need.details) > MAX_DETAILS:
            errors[f"{kind}_details"] = "Details must be 1,000 characters or fewer"
    if len(data.notes) > MAX_NOTES:
        errors["notes"] = "Other needs must be 4,000 characters or fewer"
    if data.risk_level not in RISK_LEVELS:
        errors["risk_level"] = "Select the risk level"
    if data.witness_service_referred_on and data.witness_service_referred_on > today:
        errors["witness_service_referred_on"] = (
            "The date of the Witness Service referral must be today or in the past"
        )
    return errors


def needs_summary(party: CaseParty) -> dict[str, Any]:
    """What the needs assessment form edits on the person's part in the case, as stored now."""
    return {
        "risk_level": party.risk_level or "",
        "pre_trial_visit_on": party.pre_trial_visit_on,
        "witness_service_referred_on": party.witness_service_referred_on,
    }


def record_needs_assessment(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    data: NeedsInput,
    *,
    expected_version: int | None = None,
) -> NeedsAssessment:
    """The witness care officer's assessment: sealed whole under the person's key.

    The form carries the version of the person's part in the case (``party.version``) it was
    shown; if another assessment was saved since, ``StaleEdit`` carries what is stored now, so a
    stale form cannot reset the risk level or the visit dates (issue 19). Every assessment moves
    the version on, even one that changes none of the party's own columns. ``None`` (seeding,
    imports) skips the check; every form passes one."""
    _require_wco(actor)
    if expected_version is not None and expected_version != party.version:
        raise StaleEdit(needs_summary(party), party.version)
    now = utc_now()
    errors = validate_needs(data, today=to_london(now).date())
    texts = {
        f"{kind}_details": (f"The {label.lower()} details", data.needs[kind].details)
        for kind, label in NEED_KINDS
        if kind in data.needs
    }
    texts["notes"] = ("Other needs", data.notes)
    errors |= case_text_errors(db, vault, case.id, texts)
    if errors:
        raise ValidationFailed(errors)
    assert data.assessed_on is not None
    document = {
        "needs": {
            kind: {
                "present": bool(data.needs[kind].present),
                "details": data.needs[kind].details.strip() if data.needs[kind].present else "",
            }
            for kind, _ in NEED_KINDS
        },
        "notes": data.notes.strip(),
        "risk_level": data.risk_level,
    }
    assessment = NeedsAssessment(
        id=uuid.uuid4(),
        case_party_id=party.id,
        key_id=person.key_id,
        assessed_on=data.assessed_on,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    vault.put(assessment, "needs", json.dumps(document))
    db.add(assessment)
    party.risk_level = data.risk_level
    party.pre_trial_visit_on = data.pre_trial_visit_on
    party.witness_service_referred_on = data.witness_service_referred_on
    flag_modified(party, "risk_level")  # a new assessment is a new version, whatever it says
    db.flush()
    record_event(db, actor, party, "needs_assessment", at=now)
    publish(db, NeedsAssessmentRecorded(case.id, party.id, actor, data.assessed_on))
    _audit(
        db,
        actor,
        person,
        case.id,
        category="collection",
        action="needs_assessment.record",
        object_type="needs_assessment",
        object_id=assessment.id,
        fields=[kind for kind, _ in NEED_KINDS]
        + ["notes", "assessed_on", "risk_level", "pre_trial_visit_on"]
        + ["witness_service_referred_on"],
    )
    return assessment


@dataclass(frozen=True, slots=True)
class NeedView:
    kind: str
    label: str
    present: bool
    details: Sensitive | None


@dataclass(frozen=True, slots=True)
class AssessmentView:
    id: uuid.UUID
    assessed_on: date
    recorded_at: datetime
    recorded_by: str
    risk_level: str | None
    needs: tuple[NeedView, ...] | None  # None when not opened (auditors)
    notes: Sensitive | None


def _assessments(db: Session, party: CaseParty, *, limit: int | None) -> list[NeedsAssessment]:
    query = (
        select(NeedsAssessment)
        .where(NeedsAssessment.case_party_id == party.id)
        .order_by(NeedsAssessment.assessed_on.desc(), NeedsAssessment.recorded_at.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.scalars(query))


def _open_assessment(
    vault: Vault | None, row: NeedsAssessment, staff: dict[uuid.UUID, str], *, decrypt: bool
) -> AssessmentView:
    if not decrypt:
        return AssessmentView(
            row.id,
            row.assessed_on,
            row.recorded_at,
            staff.get(row.recorded_by_id, "a former user"),
            None,
            None,
            None,
        )
    assert vault is not None
    document = json.loads(vault.open_text(row, "needs") or "{}")
    found = document.get("needs", {})
    needs = tuple(
        NeedView(
            kind,
            label,
            bool(found.get(kind, {}).get("present", False)),
            Sensitive(found[kind]["details"]) if found.get(kind, {}).get("details") else None,
        )
        for kind, label in NEED_KINDS
    )
    notes = document.get("notes") or ""
    return AssessmentView(
        row.id,
        row.assessed_on,
        row.recorded_at,
        staff.get(row.recorded_by_id, "a former user"),
        document.get("risk_level"),
        needs,
        Sensitive(notes) if notes else None,
    )


def assessment_history(
    db: Session, vault: Vault, actor: Actor, case: Case, party: CaseParty, person: Person
) -> list[AssessmentView]:
    """Every assessment, newest first (the needs-assessment page). Logs one consultation."""
    rows = _assessments(db, party, limit=50)
    staff = staff_names(db, {r.recorded_by_id for r in rows})
    views = [_open_assessment(vault, r, staff, decrypt=not vault.pseudonymised) for r in rows]
    record_consultation(db, actor, person, case.id, action="needs_assessment.view")
    return views


# --- actions --------------------------------------------------------------------------------


def owner_choices(db: Session, case: Case, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """Who may own an action: the case's prosecutor and witness care officer, and the WCO acting."""
    wanted = [case.witness_care_officer_id, case.prosecutor_id]
    if actor.role is Role.WITNESS_CARE_OFFICER:
        wanted.append(actor.user_id)
    ids = [i for i in dict.fromkeys(wanted) if i is not None]
    if not ids:
        return []
    rows = db.execute(
        select(User.id, User.display_name, User.role).where(
            User.id.in_(ids), User.is_active.is_(True)
        )
    ).all()
    found = {row[0]: f"{row[1]} ({Role(row[2]).label.lower()})" for row in rows}
    return [(i, found[i]) for i in ids if i in found]


def add_action(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    description: str,
    owner_id: uuid.UUID | None,
    due_on: date | None,
) -> SafeguardingAction:
    _require_wco(actor)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Enter what needs to be done"
    elif len(description) > MAX_ACTION:
        errors["description"] = "The action must be 500 characters or fewer"
    if owner_id is None or owner_id not in {i for i, _ in owner_choices(db, case, actor)}:
        errors["owner"] = "Select who owns the action"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < to_london(utc_now()).date():
        errors["due_on"] = "The due date must be today or in the future"
    errors |= case_text_errors(db, vault, case.id, {"description": ("The action", description)})
    if errors:
        raise ValidationFailed(errors)
    assert owner_id is not None
    assert due_on is not None
    action = SafeguardingAction(
        id=uuid.uuid4(),
        case_party_id=party.id,
        key_id=person.key_id,
        owner_id=owner_id,
        due_on=due_on,
        status="open",
    )
    vault.put(action, "description", description)
    db.add(action)
    db.flush()
    record_event(db, actor, party, "action_added")
    _audit(
        db,
        actor,
        person,
        case.id,
        category="collection",
        action="safeguarding_action.add",
        object_type="safeguarding_action",
        object_id=action.id,
        fields=("description", "owner", "due_on"),
    )
    return action


def complete_action(
    db: Session,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    action_id: uuid.UUID,
    *,
    expected_version: int,
) -> SafeguardingAction:
    """Mark an action done unless someone else changed it first (optimistic locking)."""
    _require_wco(actor)
    action = db.scalars(
        select(SafeguardingAction).where(
            SafeguardingAction.id == action_id, SafeguardingAction.case_party_id == party.id
        )
    ).one_or_none()
    if action is None:
        raise CaseNotFound(case.id)
    if action.version != expected_version:
        raise StaleEdit({"status": action.status}, action.version)
    if action.status == "done":
        return action
    action.status = "done"
    action.completed_on = to_london(utc_now()).date()
    db.flush()  # raises StaleDataError if another transaction won the race meanwhile
    record_event(db, actor, party, "action_done")
    _audit(
        db,
        actor,
        person,
        case.id,
        category="alteration",
        action="safeguarding_action.done",
        object_type="safeguarding_action",
        object_id=action.id,
        fields=("status", "completed_on"),
    )
    return action


@dataclass(frozen=True, slots=True)
class ActionView:
    id: uuid.UUID
    description: Sensitive | None  # None for auditors
    owner: str
    due_on: date
    status: str
    completed_on: date | None
    version: int
    overdue: bool


def _actions(db: Session, vault: Vault, party: CaseParty, *, today: date) -> list[ActionView]:
    rows = list(
        db.scalars(
            select(SafeguardingAction)
            .where(SafeguardingAction.case_party_id == party.id)
            .order_by(SafeguardingAction.status.desc(), SafeguardingAction.due_on)
        )
    )
    staff = staff_names(db, {r.owner_id for r in rows})
    return [
        ActionView(
            r.id,
            vault.open(r, "description"),  # None for auditors: the vault withholds it
            staff.get(r.owner_id, "a former user"),
            r.due_on,
            r.status,
            r.completed_on,
            r.version,
            r.status == "open" and r.due_on < today,
        )
        for r in rows
    ]


# --- referrals, NRM decisions and reference numbers -----------------------------------------


def add_referral(
    db: Session,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    service: str,
    referred_on: date | None,
    consent_given: bool | None,
    consent_on: date | None,
) -> SupportReferral:
    _require_editor(actor)
    today = to_london(utc_now()).date()
    errors: dict[str, str] = {}
    if service not in REFERRAL_SERVICES:
        errors["service"] = "Select the support service"
    if referred_on is None:
        errors["referred_on"] = "Enter the date of the referral"
    elif referred_on > today:
        errors["referred_on"] = "The date of the referral must be today or in the past"
    if consent_given is None:
        errors["consent"] = "Select yes if the person consented to the referral"
    elif consent_given and consent_on is None:
        errors["consent_on"] = "Enter the date the person consented"
    elif consent_given and consent_on is not None and consent_on > today:
        errors["consent_on"] = "The date of consent must be today or in the past"
    if errors:
        raise ValidationFailed(errors)
    assert referred_on is not None
    assert consent_given is not None
    referral = people.add_support_referral(
        db,
        actor,
        person,
        service=service,
        referred_on=referred_on,
        consent_given=consent_given,
        consent_on=consent_on if consent_given else None,
    )
    record_event(db, actor, party, "support_referral")
    _audit(
        db,
        actor,
        person,
        case.id,
        category="collection",
        action="support_referral.add",
        object_type="support_referral",
        object_id=referral.id,
        fields=("service", "referred_on", "consent_given", "consent_on"),
    )
    return referral


def is_trafficking_case(offences: Sequence[Offence]) -> bool:
    return any(o.category == CrimeCategory.TRAFFICKING.value for o in offences)


def add_nrm_decision(
    db: Session,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    stage: str,
    outcome: str,
    decided_on: date | None,
) -> NrmDecision:
    _require_editor(actor)
    offences = cases_repo.offences_of(db, [case.id])[case.id]
    errors: dict[str, str] = {}
    if not is_trafficking_case(offences):
        errors["stage"] = "NRM decisions are recorded only in modern slavery or trafficking cases"
    elif stage not in NRM_STAGES:
        errors["stage"] = "Select the stage"
    if stage != "referral" and outcome not in NRM_OUTCOMES:
        errors["outcome"] = "Select the outcome"
    if decided_on is None:
        errors["decided_on"] = "Enter the date"
    elif decided_on > to_london(utc_now()).date():
        errors["decided_on"] = "The date must be today or in the past"
    if errors:
        raise ValidationFailed(errors)
    assert decided_on is not None
    decision = NrmDecision(
        id=uuid.uuid4(),
        person_id=person.id,
        stage=stage,
        outcome=(outcome or "pending") if stage == "referral" else outcome,
        decided_on=decided_on,
    )
    db.add(decision)
    db.flush()
    record_event(db, actor, party, "nrm_decision")
    _audit(
        db,
        actor,
        person,
        case.id,
        category="collection",
        action="nrm_decision.add",
        object_type="nrm_decision",
        object_id=decision.id,
        fields=("stage", "outcome", "decided_on"),
    )
    return decision


def add_reference(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    kind: str,
    value: str,
) -> PersonReference:
    _require_editor(actor)
    value = value.strip()
    errors: dict[str, str] = {}
    if kind not in REFERENCE_KINDS:
        errors["kind"] = "Select the kind of reference"
    if not value:
        errors["value"] = "Enter the reference number"
    elif len(value) > MAX_REFERENCE or not all(c.isalnum() or c in "-/ ." for c in value):
        errors["value"] = (
            "Reference must be 40 characters or fewer: letters, numbers, spaces, - / and . only"
        )
    if errors:
        raise ValidationFailed(errors)
    reference = people.add_reference(db, vault, actor, person, kind=kind, value=value)
    record_event(db, actor, party, "reference_added")
    _audit(
        db,
        actor,
        person,
        case.id,
        category="collection",
        action="person_reference.add",
        object_type="person_reference",
        object_id=reference.id,
        fields=("kind", "value"),
    )
    return reference


# --- the person page read model -------------------------------------------------------------


def staff_names(db: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True, slots=True)
class AgeStatus:
    """Under 18 or not on one date that matters: the offence, or a hearing."""

    occasion: str  # "the offence", "the trial"
    on: date
    age: int | None
    child: bool | None

    @property
    def is_hearing(self) -> bool:
        return self.occasion != "the offence"


def age_statuses(
    born: date | None, offences: Sequence[Offence], events: Sequence[CaseEvent]
) -> list[AgeStatus]:
    """Child status at each offence date and at each hearing date (domain-rules.md 9.3)."""
    statuses: list[AgeStatus] = []
    for on in sorted({o.committed_on for o in offences if o.committed_on is not None}):
        statuses.append(_status("the offence", born, on))
    hearings = sorted(
        {(e.event_date, e.kind) for e in events if e.kind in HEARING_KINDS},
        key=lambda pair: pair[0],
    )
    for on, kind in hearings:
        statuses.append(_status(HEARING_KINDS[kind], born, on))
    return statuses


def _status(occasion: str, born: date | None, on: date) -> AgeStatus:
    if born is None:
        return AgeStatus(occasion, on, None, None)
    age = enhanced.age_on(born, on)
    return AgeStatus(occasion, on, age, age < 18)


@dataclass(frozen=True, slots=True)
class ReferenceView:
    kind: str
    label: str
    value: Sensitive | None  # None for auditors


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    kind: str
    title: str
    by: str
    assessment: AssessmentView | None = None


def timeline(db: Session, party: CaseParty, *, limit: int = 100) -> list[TimelineItem]:
    """Needs assessments and every recorded change, newest first, each timed and attributed."""
    events = list(
        db.scalars(
            select(SafeguardEvent)
            .where(SafeguardEvent.case_party_id == party.id)
            .order_by(SafeguardEvent.at.desc())
            .limit(limit)
        )
    )
    assessments = _assessments(db, party, limit=limit)
    staff = staff_names(db, {e.by_id for e in events} | {a.recorded_by_id for a in assessments})
    by_key = {(a.recorded_at, a.recorded_by_id): a for a in assessments}
    items: list[TimelineItem] = []
    for event in events:
        row = (
            by_key.pop((event.at, event.by_id), None) if event.kind == "needs_assessment" else None
        )
        items.append(
            TimelineItem(
                event.at,
                event.kind,
                EVENT_LABELS.get(event.kind, "Safeguards changed"),
                staff.get(event.by_id, "a former user"),
                _open_assessment(None, row, staff, decrypt=False) if row is not None else None,
            )
        )
    for row in by_key.values():  # assessments recorded without a timeline event
        items.append(
            TimelineItem(
                row.recorded_at,
                "needs_assessment",
                EVENT_LABELS["needs_assessment"],
                staff.get(row.recorded_by_id, "a former user"),
                _open_assessment(None, row, staff, decrypt=False),
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


@dataclass(slots=True)
class PersonOverview:
    case: Case
    party: CaseParty
    person: Person
    pseudonymised: bool
    view: people.PersonView | None  # None for auditors: nothing personal is opened
    age_band: str
    ages: list[AgeStatus]
    enhanced: list[enhanced.Category]
    has_communication_needs: bool
    has_safe_contact: bool
    referrals: list[SupportReferral]
    nrm: list[NrmDecision]
    is_trafficking: bool
    references: list[ReferenceView]
    latest: AssessmentView | None
    actions: list[ActionView]
    timeline: list[TimelineItem]
    owners: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    turned_18: AgeStatus | None = None  # under 18 at the offence, 18 or over at a hearing


def person_overview(
    db: Session, vault: Vault, actor: Actor, case: Case, party: CaseParty, person: Person
) -> PersonOverview:
    """Everything the person page shows. Writes exactly one consultation audit row."""
    pseudonymised = vault.pseudonymised
    today = to_london(utc_now()).date()
    view: people.PersonView | None = None
    if pseudonymised:
        born = people.date_of_birth_of(vault, person)  # only to say "Child" or "Adult"
        record_consultation(db, actor, person, case.id, action="person.view_pseudonymised")
    else:
        view = people.view_person(db, vault, actor, person, case_id=case.id)
        born = view.date_of_birth
    offences = cases_repo.offences_of(db, [case.id])[case.id]
    events = cases_repo.events_of(db, case)
    typed = [(t, o.committed_on) for o in offences if (t := offence_type(o.code)) is not None]
    categories = enhanced.derive(
        offences=typed,
        date_of_birth=born,
        is_victim=party.is_victim,
        persistently_targeted=party.persistently_targeted,
        vulnerable=party.vulnerable,
        intimidated=party.intimidated,
    )
    ages = age_statuses(born, offences, events)
    child_at_offence = any(a.child for a in ages if not a.is_hearing)
    turned_18 = next((a for a in ages if a.is_hearing and a.child is False), None)
    turned_18 = turned_18 if child_at_offence else None
    child_now = enhanced.is_child_on(born, today)
    age_band = "Not known" if child_now is None else ("Child" if child_now else "Adult")
    references = [
        ReferenceView(
            r.kind,
            REFERENCE_KINDS.get(r.kind, r.kind),
            vault.open(r, "value"),
        )
        for r in db.scalars(
            select(PersonReference)
            .where(PersonReference.person_id == person.id)
            .order_by(PersonReference.kind)
        )
    ]
    referrals = list(
        db.scalars(
            select(SupportReferral)
            .where(SupportReferral.person_id == person.id)
            .order_by(SupportReferral.referred_on.desc())
        )
    )
    nrm = list(
        db.scalars(
            select(NrmDecision)
            .where(NrmDecision.person_id == person.id)
            .order_by(NrmDecision.decided_on.desc())
        )
    )
    latest_rows = _assessments(db, party, limit=1)
    staff = staff_names(db, {r.recorded_by_id for r in latest_rows})
    latest = (
        _open_assessment(vault, latest_rows[0], staff, decrypt=not pseudonymised)
        if latest_rows
        else None
    )
    return PersonOverview(
        case=case,
        party=party,
        person=person,
        pseudonymised=pseudonymised,
        view=view,
        age_band=age_band,
        ages=ages,
        turned_18=turned_18,
        enhanced=categories,
        has_communication_needs=person.communication_needs is not None,
        has_safe_contact=person.safe_contact is not None,
        referrals=referrals,
        nrm=nrm,
        is_trafficking=is_trafficking_case(offences),
        references=references,
        latest=latest,
        actions=_actions(db, vault, party, today=today),
        timeline=timeline(db, party),
        owners=owner_choices(db, case, actor),
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
    return {name: vault.open_text(person, name) or "" for name in people.EDITABLE_FIELDS}
