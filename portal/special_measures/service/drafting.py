"""Drafting the application (prosecutors): the measures sought and the CrimPR Part 18 answers,
from identified or requested, or editing a draft; its page and its save."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.cases.errors import ValidationFailed
from portal.people.models import Person
from portal.special_measures.eligibility import MEASURES, Eligibility, measure_warnings
from portal.special_measures.models import DRAFT_TEXTS, SpecialMeasuresApplication
from portal.special_measures.service import lookup
from portal.special_measures.service.reading import details_of
from portal.special_measures.service.recording import (
    SHORT_LIMIT,
    TEXT_LIMIT,
    audit_application,
    check_text,
    check_version,
    clean_measures,
    move,
    text_or_none,
)
from portal.special_measures.states import Action, RoleRefused, State, TransitionRefused, check, may

HEARING_CHOICES = [("yes", "Yes"), ("no", "No: the court can decide without a hearing")]
DATE_FIELDS = (
    "intermediary_requested_on",
    "intermediary_needed_by",
    "intermediary_matched_on",
    "cross_examination_on",
)
DRAFTABLE = frozenset({State.IDENTIFIED, State.REQUESTED, State.DRAFTED})


@dataclass(frozen=True, slots=True)
class Draft:
    measures: tuple[str, ...]
    hearing_wanted: bool | None
    live_link_location: str = ""
    intermediary_requested_on: date | None = None
    intermediary_needed_by: date | None = None
    intermediary_matched_on: date | None = None
    wis_reference: str = ""
    communication_aids: str = ""
    cross_examination_on: date | None = None
    grounds: str = ""
    quality_reasons: str = ""
    witness_views: str = ""
    previous_applications: str = ""
    late_reason: str = ""
    expected_version: int | None = None


def validate_draft(draft: Draft) -> dict[str, str]:
    errors: dict[str, str] = {}
    measures = clean_measures(draft.measures)
    if not measures or len(measures) != len(set(draft.measures)):
        errors["measures"] = "Select the special measures to apply for"
    if draft.hearing_wanted is None:
        errors["hearing_wanted"] = "Select whether you want a hearing"
    if "s24" in measures and not draft.live_link_location.strip():
        errors["live_link_location"] = "Enter where the witness will give evidence by live link"
    check_text(errors, "live_link_location", draft.live_link_location, "The location", SHORT_LIMIT)
    if "s29" in measures and draft.intermediary_requested_on is None:
        errors["intermediary_requested_on"] = (
            "Enter the date the intermediary was requested from the Witness Intermediary Scheme"
        )
    if (
        draft.intermediary_requested_on
        and draft.intermediary_matched_on
        and draft.intermediary_matched_on < draft.intermediary_requested_on
    ):
        errors["intermediary_matched_on"] = "The match date must be on or after the request date"
    check_text(errors, "wis_reference", draft.wis_reference, "The WIS reference", 60)
    if "s30" in measures and not draft.communication_aids.strip():
        errors["communication_aids"] = "Describe the aids to communication"
    check_text(
        errors, "communication_aids", draft.communication_aids, "The description", TEXT_LIMIT
    )
    for name, label in (
        ("grounds", "Explain why the witness is eligible"),
        ("quality_reasons", "Explain why the measures would improve the quality of evidence"),
        ("witness_views", "Enter the witness's views"),
    ):
        if not getattr(draft, name).strip():
            errors[name] = label
        check_text(errors, name, getattr(draft, name), "This answer", TEXT_LIMIT)
    check_text(
        errors, "previous_applications", draft.previous_applications, "This answer", TEXT_LIMIT
    )
    check_text(errors, "late_reason", draft.late_reason, "The reason", TEXT_LIMIT)
    return errors


def save_draft(
    unit: Unit, application: SpecialMeasuresApplication, person: Person, draft: Draft
) -> None:
    """Draft the application (from identified or requested), or edit a draft."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    state = State(application.state)
    if state is not State.DRAFTED:
        check(Action.DRAFT, state, actor)  # refuse before validating anything
    elif not may(Action.DRAFT, actor):
        raise RoleRefused(Action.DRAFT, actor.role)
    errors = validate_draft(draft)
    errors |= case_text_errors(
        db,
        vault,
        application.case_id,
        {name: ("This answer", getattr(draft, name)) for name in DRAFT_TEXTS},
    )
    if errors:
        raise ValidationFailed(errors)
    check_version(application, draft.expected_version)
    application.measures = ",".join(clean_measures(draft.measures))
    application.hearing_wanted = draft.hearing_wanted
    application.intermediary_requested_on = draft.intermediary_requested_on
    application.intermediary_needed_by = draft.intermediary_needed_by
    application.intermediary_matched_on = draft.intermediary_matched_on
    application.cross_examination_on = draft.cross_examination_on
    for name in ("wis_reference", *DRAFT_TEXTS):
        vault.put(application, name, text_or_none(getattr(draft, name)))
    changed = ("measures", "details", "grounds", "quality_reasons", "witness_views")
    if state is State.DRAFTED:
        db.flush()
        audit_application(db, actor, application, person, action="edit_draft", fields=changed)
    else:
        move(db, actor, application, Action.DRAFT, person, fields=changed)


# --- the page and its save (through the request's unit) -------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftPage(lookup.DeadlineFormPage):
    measures: list[tuple[str, str]]
    hearing_choices: list[tuple[str, str]]
    eligibility: Eligibility
    warnings: Any


def draft_page(
    unit: Unit,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    *,
    chosen: Sequence[str] | None = None,
) -> DraftPage:
    """The draft form: first shown (``chosen`` None: stored values, started from what is
    already known, and logged) or again with the measures ``chosen``."""
    application, case, party, person = lookup.application(unit, case_id, application_id)
    state = State(application.state)
    if chosen is None and (state not in DRAFTABLE or person.erased):
        raise TransitionRefused(Action.DRAFT, state)
    today = lookup.today()
    eligibility = lookup.witness_eligibility(unit, case, party, person, on=today)
    initial: dict[str, Any] = {}
    if chosen is None:
        vault = unit.vault
        initial = {name: (vault.open_text(application, name) or "") for name in lookup.TEXT_FIELDS}
        initial["measures"] = application.measure_codes
        initial["hearing_wanted"] = application.hearing_wanted
        initial["version"] = application.version
        for name in DATE_FIELDS:
            initial[name] = getattr(application, name)
        if state is not State.DRAFTED:
            # Start from what is already known: the eligibility explanations and the views.
            if not initial["grounds"]:
                initial["grounds"] = "\n".join(
                    f"{f.text}: {f.explanation}" for f in eligibility.grounds
                )
            details = details_of(vault, lookup.assessment_of(unit.db, party))
            if not initial["witness_views"]:
                initial["witness_views"] = details.views
        lookup.form_viewed(unit, "draft_view", application, case, person)
        chosen = application.measure_codes
    return lookup.form_page(
        DraftPage,
        unit,
        case,
        person,
        initial,
        application=application,
        measures=list(MEASURES.items()),
        hearing_choices=HEARING_CHOICES,
        eligibility=eligibility,
        warnings=measure_warnings(list(chosen), eligibility),
        **lookup.deadline_shown(unit.db, case, today),
    )


def draft_application(
    unit: Unit,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    draft: Draft,
    *,
    refused: Mapping[str, str] | None = None,
) -> None:
    """Save the draft. ``refused``: what the form already refused; the draft's own checks are
    added to it (a field keeps its first error) before anything is written."""
    application, _, _, person = lookup.application(unit, case_id, application_id)
    if person.erased:
        raise TransitionRefused(Action.DRAFT, State(application.state))
    errors = dict(refused or {})
    for name, message in validate_draft(draft).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationFailed(errors)
    save_draft(unit, application, person, draft)
