"""The eligibility assessment: what was recorded about the witness (s16 and s17), where it
comes from and the expected hearing date; its page and its save."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, StaleEdit, ValidationFailed
from portal.people.safeguarding import InCase
from portal.special_measures import repository
from portal.special_measures.eligibility import S16_CONDITIONS, S17_FACTORS
from portal.special_measures.models import SOURCES, SpecialMeasuresAssessment
from portal.special_measures.service import lookup
from portal.special_measures.service.reading import AssessmentDetails, details_of
from portal.special_measures.service.recording import (
    TEXT_LIMIT,
    check_text,
    require_witness,
)

SOURCE_LABELS = {
    "witness_care_unit": "Witness care unit needs assessment",
    "police_mg2": "Police special measures assessment (MG2)",
    "prosecutor": "Prosecutor's review",
}
OPT_OUTS = ("declines_automatic", "opts_out_primary_rule")


@dataclass(frozen=True, slots=True)
class AssessmentCommand:
    source: str
    hearing_on: date | None
    details: AssessmentDetails
    expected_version: int | None = None


def validate_assessment(command: AssessmentCommand) -> dict[str, str]:
    errors: dict[str, str] = {}
    if command.source not in SOURCES:
        errors["source"] = "Select where this assessment comes from"
    d = command.details
    check_text(errors, "s16_notes", d.s16_notes, "The notes on s16", TEXT_LIMIT)
    if d.fear_or_distress and not d.factors:
        errors["factors"] = "Select the factors the court should consider (s17(2))"
    check_text(errors, "s17_notes", d.s17_notes, "The notes on fear or distress", TEXT_LIMIT)
    check_text(errors, "views", d.views, "The witness's views", TEXT_LIMIT)
    return errors


def save_assessment(
    unit: Unit, at: InCase, command: AssessmentCommand
) -> SpecialMeasuresAssessment:
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = at
    if not actor.can(Permission.ASSESS_SPECIAL_MEASURES):
        raise NotPermitted("only witness care officers and prosecutors assess eligibility")
    require_witness(party)
    errors = validate_assessment(command)
    d = command.details
    errors |= case_text_errors(
        db,
        vault,
        case.id,
        {
            "s16_notes": ("The notes on s16", d.s16_notes),
            "s17_notes": ("The notes on fear or distress", d.s17_notes),
            "views": ("The witness's views", d.views),
        },
    )
    if errors:
        raise ValidationFailed(errors)
    assessment = repository.assessment_of(db, party.id)
    created = assessment is None
    if assessment is None:
        assessment = SpecialMeasuresAssessment(
            case_id=case.id, case_party_id=party.id, key_id=party.key_id
        )
    elif command.expected_version is not None and assessment.version != command.expected_version:
        raise StaleEdit({}, assessment.version)
    assessment.source = command.source
    assessment.hearing_on = command.hearing_on
    assessment.recorded_by_id = actor.user_id
    vault.put(assessment, "details", command.details.to_json())
    if created:
        db.add(assessment)
    db.flush()
    category = "collection" if created else "alteration"
    where = ("special_measures_assessment", assessment.id, case.id)
    fields = ("source", "hearing_on", "details")
    audit.record_in_case(
        db, actor, category, "special_measures.assess", where, *fields, person=person
    )
    return assessment


# --- the page and its save (through the request's unit) -------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentPage(lookup.FormPage):
    sources: list[tuple[str, str]]
    conditions: list[tuple[str, str]]
    factors: list[tuple[str, str]]


def assessment_page(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, *, first: bool = True
) -> AssessmentPage:
    """The assessment form; ``first``: its first showing (stored values, and logged)."""
    at = lookup.witness(unit, case_id, person_id, readable=True)
    initial: dict[str, Any] = {}
    if first:
        assessment = repository.assessment_of(unit.db, at.party.id)
        details = details_of(unit.vault, assessment)
        default = "prosecutor" if unit.actor.role is Role.PROSECUTOR else "witness_care_unit"
        initial = {
            "source": assessment.source if assessment else default,
            "conditions": [c for c in S16_CONDITIONS if getattr(details, c)],
            "s16_notes": details.s16_notes,
            "fear_or_distress": details.fear_or_distress if assessment else None,
            "factors": list(details.factors),
            "s17_notes": details.s17_notes,
            "views": details.views,
            "opt_outs": [name for name in OPT_OUTS if getattr(details, name)],
            "hearing_on": assessment.hearing_on if assessment else None,
            "version": assessment.version if assessment else None,
        }
    return lookup.witness_form(
        AssessmentPage,
        unit,
        at,
        "assessment_view" if first else None,
        initial,
        sources=list(SOURCE_LABELS.items()),
        conditions=list(S16_CONDITIONS.items()),
        factors=list(S17_FACTORS.items()),
    )


def record_assessment(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    command: AssessmentCommand,
    *,
    refused: Mapping[str, str] | None = None,
) -> SpecialMeasuresAssessment:
    """Save the assessment. ``refused``: what the form already refused; the command's own
    checks are added to it (a field keeps its first error) before anything is written."""
    at = lookup.witness(unit, case_id, person_id, readable=True)
    errors = dict(refused or {})
    for name, message in validate_assessment(command).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationFailed(errors)
    return save_assessment(unit, at, command)
