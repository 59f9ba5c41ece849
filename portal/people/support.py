"""Adding a person with their safeguards, and their referrals, NRM decisions and reference
numbers: each change a timeline line and an audit row with field names only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.cases import repository as cases_repo
from portal.cases.models import Case, CaseParty, Offence
from portal.cases.reference import CrimeCategory
from portal.clock import to_london, utc_now
from portal.keys.vault import Vault
from portal.people import service as people
from portal.people.models import NrmDecision, Person, PersonReference, SupportReferral
from portal.people.safeguarding import (
    MAX_REFERENCE,
    NRM_OUTCOMES,
    NRM_STAGES,
    REFERENCE_KINDS,
    REFERRAL_SERVICES,
    InCase,
    add_change,
    date_errors,
    record_change,
    require_editor,
)
from portal.people.service import refuse


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
    unreadable: Mapping[str, str] | None = None,
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
        unreadable=unreadable,
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
    record_change(db, actor, party, person, case.id, "person_added", person.id, fields=fields)
    return person, party


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
    unreadable: Mapping[str, str] | None = None,
) -> SupportReferral:
    require_editor(actor)
    today = to_london(utc_now()).date()
    errors: dict[str, str] = {}
    if service not in REFERRAL_SERVICES:
        errors["service"] = "Select the support service"
    errors |= date_errors(
        "referred_on",
        referred_on,
        missing="Enter the date of the referral",
        wrong="The date of the referral must be today or in the past",
    )
    if consent_given is None:
        errors["consent"] = "Select yes if the person consented to the referral"
    elif consent_given and consent_on is None:
        errors["consent_on"] = "Enter the date the person consented"
    elif consent_given and consent_on is not None and consent_on > today:
        errors["consent_on"] = "The date of consent must be today or in the past"
    refuse(errors, unreadable)
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
    record_change(db, actor, party, person, case.id, "support_referral", referral.id)
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
    unreadable: Mapping[str, str] | None = None,
) -> NrmDecision:
    require_editor(actor)
    offences = cases_repo.offences_of(db, [case.id])[case.id]
    errors: dict[str, str] = {}
    if not is_trafficking_case(offences):
        errors["stage"] = "NRM decisions are recorded only in modern slavery or trafficking cases"
    elif stage not in NRM_STAGES:
        errors["stage"] = "Select the stage"
    if stage != "referral" and outcome not in NRM_OUTCOMES:
        errors["outcome"] = "Select the outcome"
    errors |= date_errors(
        "decided_on",
        decided_on,
        missing="Enter the date",
        wrong="The date must be today or in the past",
    )
    refuse(errors, unreadable)
    assert decided_on is not None
    decision = NrmDecision(
        person_id=person.id,
        stage=stage,
        outcome=(outcome or "pending") if stage == "referral" else outcome,
        decided_on=decided_on,
    )
    return add_change(db, actor, party, person, case.id, "nrm_decision", decision)


def add_reference(
    unit: Unit,
    at: InCase,
    *,
    kind: str,
    value: str,
    unreadable: Mapping[str, str] | None = None,
) -> PersonReference:
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = at
    require_editor(actor)
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
    refuse(errors, unreadable)
    reference = people.add_reference(db, vault, actor, person, kind=kind, value=value)
    record_change(db, actor, party, person, case.id, "reference_added", reference.id)
    return reference
