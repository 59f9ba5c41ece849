"""Needs assessments: the witness care officer's record of what a person needs to give evidence,
sealed whole under the person's key; each one is kept (history), newest wins."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.events import NeedsAssessmentRecorded
from portal.cases.models import Case, CaseParty
from portal.clock import to_london, utc_now
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.kit.errors import StaleEdit
from portal.kit.events import publish
from portal.people import repository
from portal.people.models import NeedsAssessment, Person
from portal.people.safeguarding import (
    MAX_DETAILS,
    MAX_NOTES,
    NEED_KINDS,
    NEED_QUESTIONS,
    RISK_LEVELS,
    WCO_ONLY,
    InCase,
    record_consultation,
    record_event,
    require,
)
from portal.people.service import refuse

# The field names a needs assessment collects (the audit row names them, never values).
ASSESSED = (
    *(kind for kind, _ in NEED_KINDS),
    "notes",
    "assessed_on",
    "risk_level",
    "pre_trial_visit_on",
    "witness_service_referred_on",
)


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
    unit: Unit,
    at: InCase,
    data: NeedsInput,
    *,
    expected_version: int | None = None,
    unreadable: Mapping[str, str] | None = None,
) -> NeedsAssessment:
    """The witness care officer's assessment: sealed whole under the person's key.

    The form carries the version of the person's part in the case (``party.version``) it was
    shown; if another assessment was saved since, ``StaleEdit`` carries what is stored now, so a
    stale form cannot reset the risk level or the visit dates (issue 19). Every assessment moves
    the version on, even one that changes none of the party's own columns. ``None`` (seeding,
    imports) skips the check; every form passes one."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = at
    require(actor, Permission.RECORD_NEEDS_ASSESSMENT, WCO_ONLY)
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
    refuse(errors, unreadable)
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
    where = ("needs_assessment", assessment.id, case.id)
    audit.record_in_case(
        db, actor, "collection", "needs_assessment.record", where, *ASSESSED, person=person
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


def open_assessment(
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
    rows = repository.assessments(db, party.id, limit=50)
    staff = repository.staff_names(db, {r.recorded_by_id for r in rows})
    views = [open_assessment(vault, r, staff, decrypt=not vault.pseudonymised) for r in rows]
    record_consultation(db, actor, person, case.id, action="needs_assessment.view")
    return views
