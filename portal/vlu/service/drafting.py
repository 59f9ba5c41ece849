"""Drafting a letter: the first draft from the template, and saving (or redrafting) it."""

from __future__ import annotations

import uuid
from datetime import date
from types import EllipsisType

from sqlalchemy import select

from portal.anonymity import identity
from portal.anonymity.identity import IdentityMatcher
from portal.cases.errors import ValidationFailed
from portal.cases.models import Case
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.victims_code.rules import RulesError, rules_in_force
from portal.vlu.directory import directory
from portal.vlu.letters import LetterFacts, compose
from portal.vlu.models import VluDecision, VluLetter, VluRequest
from portal.vlu.readability import flesch
from portal.vlu.service.common import (
    MAX_LETTER,
    VRR_KINDS,
    RequestStep,
    by_ids,
    check_version,
    request_step,
    void_check,
)
from portal.vlu.states import Action


def greeting_name(vault: Vault, person: Person) -> str | None:
    """Who the letter is addressed to: never the true name of a sealed identity."""
    if person.erased or person.identity_sealed:
        return None
    if person.is_business:
        return vault.open_text(person, "business_contact")
    return vault.open_text(person, "full_name")


def ends_all_proceedings(decision: VluDecision) -> bool:
    """Whether the decision ended all proceedings. For the decisions that can (no charge,
    discontinuance, offer of no evidence) the Right to Review applies exactly when they do
    (``requests.vrr_applies``), so the decision's flag says it; an alteration ends nothing, but
    has one wording."""
    return decision.vrr_applies or decision.kind not in VRR_KINDS


def vrr_window(on: date) -> tuple[int | None, int]:
    try:
        settings = rules_in_force(on).settings
    except RulesError:
        return 10, 3
    return settings.vrr_request_window_working_days, settings.vrr_request_longstop_months


def first_draft(
    vault: Vault,
    *,
    request: VluRequest,
    decision: VluDecision,
    case: Case,
    person: Person,
    reasons: str,
    officer_name: str,
) -> str:
    window, longstop = vrr_window(decision.decided_on)
    return compose(
        LetterFacts(
            decision_kind=decision.kind,
            greeting_name=greeting_name(vault, person),
            urn=case.urn,
            decision_date=decision.decided_on,
            reasons=reasons,
            vrr_applies=request.vrr_applies,
            meeting_offered=bool(request.meeting_required and decision.meeting_offered),
            unit_name=directory().unit_for(request.unit).name,
            officer_name=officer_name,
            vrr_window=window,
            vrr_longstop=longstop,
            ends_all_proceedings=ends_all_proceedings(decision),
        )
    )


@request_step
def save_draft(
    step: RequestStep,
    *,
    body: str,
    expected_version: int | None,
    job_id: uuid.UUID | None = None,
    letter: VluLetter | None | EllipsisType = ...,
    sealed: list[IdentityMatcher] | None = None,
) -> VluLetter:
    """Draft or redraft the letter. A redraft voids any check: it must be checked again.
    ``letter`` is the request's current letter when the caller has already loaded it (bulk), and
    ``sealed`` the matchers of the case's sealed identities: a letter naming any of them is
    refused (portal.anonymity.identity)."""
    db, vault, actor, request = step.db, step.vault, step.actor, step.request
    target = step.next_state(Action.DRAFT)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed({"body": "Enter the letter"})
    if len(body) > MAX_LETTER:
        raise ValidationFailed({"body": f"The letter must be {MAX_LETTER:,} characters or fewer"})
    if sealed is None:
        sealed = identity.sealed_in_cases(db, vault, [request.case_id])
    named = identity.sealed_text_errors(sealed, {"body": ("The letter", body)})
    if named:
        raise ValidationFailed(named)
    check_version(request, expected_version)
    if letter is ...:
        with db.no_autoflush:
            letter = db.scalars(
                select(VluLetter).where(VluLetter.request_id == request.id)
            ).one_or_none()
    first = letter is None
    if letter is None:
        letter = VluLetter(
            request_id=request.id,
            key_id=request.key_id,
            template=step.decision.kind,
            revision=0,
        )
    vault.put(letter, "body", body)
    letter.readability = flesch(body).score
    letter.identity_removed_at = None  # the officer's new text
    letter.revision += 1
    letter.written_by_id = actor.user_id
    letter.written_at = utc_now()
    if first:
        db.add(letter)  # only once complete: sealing may query keys (and autoflush)
    request.drafted_by_id = actor.user_id
    request.drafted_at = utc_now()
    void_check(request)
    step.move(Action.DRAFT, target, job_id)
    step.audit(  # flushes the letter, the request and the step with the log entry
        category="collection" if first else "alteration",
        action="vlu.letter.draft",
        object_type="vlu_letter",
        object_id=letter.id,
        fields=("body",),
    )
    return letter


# ``save_draft`` for the request with these ids (in the actor's scope).
draft_letter = by_ids(save_draft)
