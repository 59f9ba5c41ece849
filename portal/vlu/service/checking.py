"""Checking another officer's letter: approve it or return it for changes."""

from __future__ import annotations

import uuid

from portal.accounts.unit import Unit
from portal.cases.errors import ValidationFailed
from portal.clock import utc_now
from portal.vlu.models import VluRequest
from portal.vlu.service.common import (
    CHECKLIST,
    RequestStep,
    by_ids,
    check_notes,
    check_version,
    request_step,
)
from portal.vlu.states import Action, State


def _ticks(request: VluRequest, checklist: set[str]) -> None:
    request.check_accurate = "accurate" in checklist
    request.check_empathetic = "empathetic" in checklist
    request.check_reasons = "reasons" in checklist
    request.check_rights = "rights" in checklist


def _record_check(
    step: RequestStep,
    action: Action,
    target: State,
    *,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
    job_id: uuid.UUID | None,
    fields: tuple[str, ...],
) -> None:
    """What approving and returning share: the notes checked and kept, the version checked,
    the checklist ticked, the move and its audit entry."""
    request = step.request
    check_notes(step.db, step.vault, request, notes)
    check_version(request, expected_version)
    _ticks(request, checklist)
    if action is Action.APPROVE:
        request.checked_by_id = step.actor.user_id
        request.checked_at = utc_now()
    if notes.strip():
        step.vault.put(request, "check_notes", notes.strip())
    step.move(action, target, job_id)
    if job_id is None:  # a bulk job flushes its batch once (service.bulk.bulk_batch)
        step.db.flush()
    step.audit(category="alteration", action=f"vlu.letter.{action.value}", fields=fields)


@request_step
def approve(
    step: RequestStep,
    *,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
    job_id: uuid.UUID | None = None,
) -> None:
    """A second officer confirms the letter meets every point of the quality checklist."""
    target = step.next_state(Action.APPROVE)
    if set(CHECKLIST) - checklist:
        raise ValidationFailed(
            {
                "checklist": "Confirm every check before you approve the letter. If it falls "
                "short, return it for changes"
            }
        )
    _record_check(
        step,
        Action.APPROVE,
        target,
        checklist=checklist,
        notes=notes,
        expected_version=expected_version,
        job_id=job_id,
        fields=("check_accurate", "check_empathetic", "check_reasons", "check_rights"),
    )


@request_step
def return_for_changes(
    step: RequestStep, *, checklist: set[str], notes: str, expected_version: int | None
) -> None:
    target = step.next_state(Action.RETURN)
    if not notes.strip():
        raise ValidationFailed({"notes": "Say what needs to change"})
    _record_check(
        step,
        Action.RETURN,
        target,
        checklist=checklist,
        notes=notes,
        expected_version=expected_version,
        job_id=None,
        fields=("check_notes",),
    )


def check_letter(
    unit: Unit,
    case_id: uuid.UUID,
    request_id: uuid.UUID,
    *,
    approved: bool,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
) -> None:
    """Approve the letter (``approved``) or return it for changes. A guard's refusal (you
    drafted it) is an error against the checklist."""
    step = by_ids(approve if approved else return_for_changes, refused="checklist")
    step(
        unit,
        case_id,
        request_id,
        checklist=checklist,
        notes=notes,
        expected_version=expected_version,
    )
