"""The prosecutor's reasons for a decision: given once, then editable until the first letter is
sent. Every version is kept (``VluReasonsRevision``) for the decision page's history; an edit
sends any letter already drafted from the old reasons back for redrafting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.anonymity import identity
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.vlu import repository, states
from portal.vlu.models import VluDecision, VluReasonsRevision, VluRequest, VluTransition
from portal.vlu.service.common import (
    MAX_NOTES,
    MAX_REASONS,
    audit_decision,
    return_for_redraft,
    step_row,
)
from portal.vlu.states import Action, State

RETURNED_BY_EDIT = (State.DRAFTED, State.CHECKED)
LOCKED = "The reasons cannot be changed: a letter about this decision has already been sent"


@dataclass(frozen=True, slots=True)
class _Given:
    """The reasons as the prosecutor typed them, given for the first time or changed."""

    reasons: str
    meeting_offered: bool | None
    no_meeting_reason: str


def validate_reasons(
    decision: VluDecision, *, reasons: str, meeting_offered: bool | None, no_meeting_reason: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reasons.strip():
        errors["reasons"] = "Enter the reasons for the decision"
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = f"The reasons must be {MAX_REASONS:,} characters or fewer"
    if decision.meeting_required:
        if meeting_offered is None:
            errors["meeting"] = "Select whether the victims will be offered a meeting"
        elif not meeting_offered and not no_meeting_reason.strip():
            errors["no_meeting_reason"] = "Explain why a meeting is not appropriate"
        elif len(no_meeting_reason) > MAX_NOTES:
            errors["no_meeting_reason"] = (
                f"The explanation must be {MAX_NOTES:,} characters or fewer"
            )
    return errors


def supply_reasons(
    db: Session,
    vault: Vault,
    actor: Actor,
    decision: VluDecision,
    *,
    reasons: str,
    meeting_offered: bool | None,
    no_meeting_reason: str,
    expected_version: int,
) -> int:
    """The prosecutor explains the decision once; every waiting request can then be drafted.
    Returns the number of requests that moved on."""
    states.check(Action.SUPPLY_REASONS, State.REQUESTED, actor)
    if decision.reasons is not None:
        raise states.TransitionRefused(Action.SUPPLY_REASONS, State.REASONS_SUPPLIED)
    given = _Given(reasons, meeting_offered, no_meeting_reason)
    _check_given(db, vault, decision, given, expected_version)
    _write_reasons(db, vault, actor, decision, given)
    db.flush()
    waiting = list(
        db.scalars(
            select(VluRequest.id).where(
                VluRequest.decision_id == decision.id,
                VluRequest.state == State.REQUESTED.value,
            )
        )
    )
    if waiting:
        db.execute(
            update(VluRequest)
            .where(
                VluRequest.decision_id == decision.id,
                VluRequest.state == State.REQUESTED.value,
            )
            .values(
                state=State.REASONS_SUPPLIED.value,
                version=VluRequest.version + 1,
                updated_at=utc_now(),
            )
            .execution_options(synchronize_session=False)
        )
        db.execute(
            insert(VluTransition),
            [
                step_row(
                    rid, Action.SUPPLY_REASONS, State.REQUESTED, State.REASONS_SUPPLIED, actor, None
                )
                for rid in waiting
            ],
        )
        for loaded in list(db.identity_map.values()):
            if isinstance(loaded, VluRequest):
                db.expire(loaded)  # the bulk update changed them behind the ORM's back
    fields = ["reasons", "meeting_offered", f"count={len(waiting)}"]
    audit_decision(db, actor, decision, category="collection", action="vlu.reasons", fields=fields)
    return len(waiting)


def _check_given(
    db: Session, vault: Vault, decision: VluDecision, given: _Given, expected_version: int
) -> None:
    """Refuse reasons given or changed that break a rule (every error at once), then a form
    that was open while someone else saved the decision."""
    errors = _reasons_errors(db, vault, decision, given)
    if errors:
        raise ValidationFailed(errors)
    if decision.version != expected_version:
        raise StaleEdit({}, decision.version)


def _write_reasons(
    db: Session, vault: Vault, actor: Actor, decision: VluDecision, given: _Given
) -> None:
    """Store the reasons (checked already) as the actor's, and keep them as the next version."""
    vault.put(decision, "reasons", given.reasons.strip())
    if decision.meeting_required:
        decision.meeting_offered = given.meeting_offered
        if given.meeting_offered:
            decision.no_meeting_reason = None
        else:
            vault.put(decision, "no_meeting_reason", given.no_meeting_reason.strip())
    decision.reasons_by_id = actor.user_id
    decision.reasons_at = utc_now()
    _keep_revision(db, vault, decision)


def _keep_revision(db: Session, vault: Vault, decision: VluDecision) -> None:
    """Keep the decision's reasons as they now are as its next version. Reasons given before
    versions were kept become version 1 on their first edit (``_keep_original``)."""
    number = len(repository.reasons_revisions(db, decision.id)) + 1
    row = VluReasonsRevision(
        decision_id=decision.id,
        case_id=decision.case_id,
        revision=number,
        key_id=decision.key_id,
        meeting_offered=decision.meeting_offered,
        written_by_id=decision.reasons_by_id,
        written_at=decision.reasons_at or utc_now(),
    )
    vault.put(row, "reasons", vault.open_text(decision, "reasons") or "")
    no_meeting = vault.open_text(decision, "no_meeting_reason")
    if no_meeting:
        vault.put(row, "no_meeting_reason", no_meeting)
    db.add(row)


def _keep_original(db: Session, vault: Vault, decision: VluDecision) -> None:
    if decision.reasons is not None and not repository.reasons_revisions(db, decision.id):
        _keep_revision(db, vault, decision)


def edit_reasons(
    db: Session,
    vault: Vault,
    actor: Actor,
    decision: VluDecision,
    *,
    reasons: str,
    meeting_offered: bool | None,
    no_meeting_reason: str,
    expected_version: int,
) -> int:
    """The prosecutor changes the reasons, until the first letter is sent. Letters already
    drafted (or checked) from the old reasons go back for redrafting, their check voided.
    Returns how many went back."""
    states.check(Action.SUPPLY_REASONS, State.REQUESTED, actor)  # who may: the role
    if decision.reasons is None:
        raise states.TransitionRefused(Action.SUPPLY_REASONS, State.REQUESTED)
    if repository.any_letter_sent(db, decision.id):
        raise ValidationFailed({"reasons": LOCKED})
    given = _Given(reasons, meeting_offered, no_meeting_reason)
    unchanged = (
        reasons.strip() == (vault.open_text(decision, "reasons") or "")
        and (not decision.meeting_required or meeting_offered == decision.meeting_offered)
        and (
            meeting_offered is not False
            or no_meeting_reason.strip() == (vault.open_text(decision, "no_meeting_reason") or "")
        )
    )
    _check_given(db, vault, decision, given, expected_version)
    if unchanged:
        raise ValidationFailed({"reasons": "Change the reasons before you save them"})
    _keep_original(db, vault, decision)
    _write_reasons(db, vault, actor, decision, given)
    returned = repository.requests_in(db, decision.id, RETURNED_BY_EDIT)
    for request in returned:
        return_for_redraft(db, actor, request, Action.REASONS_CHANGED)
    fields = ["reasons", "meeting_offered", f"returned={len(returned)}"]
    audit_decision(
        db, actor, decision, category="alteration", action="vlu.reasons.edit", fields=fields
    )
    return len(returned)


@dataclass(frozen=True, slots=True)
class ReasonsSaved:
    """What saving the reasons did: given for the first time (``moved`` letters can now be
    drafted), or edited (``returned`` letters must be redrafted)."""

    edited: bool
    moved: int = 0
    returned: int = 0


def give_reasons(
    unit: Unit,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    *,
    reasons: str,
    meeting_offered: bool | None,
    no_meeting_reason: str,
    expected_version: int,
) -> ReasonsSaved:
    """``supply_reasons`` for the decision with these ids (in the actor's scope), or
    ``edit_reasons`` once they have been given."""
    decision, _ = repository.get_decision(unit.db, unit.actor, case_id, decision_id)
    edited = decision.reasons is not None
    step = edit_reasons if edited else supply_reasons
    count = step(
        unit.db,
        unit.vault,
        unit.actor,
        decision,
        reasons=reasons,
        meeting_offered=meeting_offered,
        no_meeting_reason=no_meeting_reason,
        expected_version=expected_version,
    )
    return ReasonsSaved(edited=True, returned=count) if edited else ReasonsSaved(False, moved=count)


def _reasons_errors(
    db: Session, vault: Vault, decision: VluDecision, given: _Given
) -> dict[str, str]:
    """What is wrong with reasons given or changed: the form's rules, then any sealed name."""
    errors = validate_reasons(
        decision,
        reasons=given.reasons,
        meeting_offered=given.meeting_offered,
        no_meeting_reason=given.no_meeting_reason,
    )
    return errors | identity.case_text_errors(
        db,
        vault,
        decision.case_id,
        {
            "reasons": ("The reasons", given.reasons),
            "no_meeting_reason": ("The explanation", given.no_meeting_reason),
        },
    )
