"""The prosecutor's reasons, given once per decision."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.anonymity import identity
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.vlu import repository, states
from portal.vlu.models import VluDecision, VluRequest, VluTransition
from portal.vlu.service.common import (
    MAX_NOTES,
    MAX_REASONS,
    audit_decision,
    step_row,
)
from portal.vlu.states import Action, State


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
    errors = validate_reasons(
        decision,
        reasons=reasons,
        meeting_offered=meeting_offered,
        no_meeting_reason=no_meeting_reason,
    )
    errors |= identity.case_text_errors(
        db,
        vault,
        decision.case_id,
        {
            "reasons": ("The reasons", reasons),
            "no_meeting_reason": ("The explanation", no_meeting_reason),
        },
    )
    if errors:
        raise ValidationFailed(errors)
    if decision.version != expected_version:
        raise StaleEdit({}, decision.version)
    vault.put(decision, "reasons", reasons.strip())
    if decision.meeting_required:
        decision.meeting_offered = meeting_offered
        if not meeting_offered:
            vault.put(decision, "no_meeting_reason", no_meeting_reason.strip())
    decision.reasons_by_id = actor.user_id
    decision.reasons_at = utc_now()
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


def give_reasons(
    unit: Unit,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    *,
    reasons: str,
    meeting_offered: bool | None,
    no_meeting_reason: str,
    expected_version: int,
) -> int:
    """``supply_reasons`` for the decision with these ids (in the actor's scope)."""
    decision, _ = repository.get_decision(unit.db, unit.actor, case_id, decision_id)
    return supply_reasons(
        unit.db,
        unit.vault,
        unit.actor,
        decision,
        reasons=reasons,
        meeting_offered=meeting_offered,
        no_meeting_reason=no_meeting_reason,
        expected_version=expected_version,
    )
