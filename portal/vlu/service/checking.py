"""Checking another officer's letter: approve it or return it for changes."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.cases.errors import ValidationFailed
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.vlu.models import VluDecision, VluRequest
from portal.vlu.service.common import (
    CHECKLIST,
    audit_request,
    check_notes,
    check_version,
    move,
    next_state,
    on_request,
    refused_on,
)
from portal.vlu.states import Action


def _ticks(request: VluRequest, checklist: set[str]) -> None:
    request.check_accurate = "accurate" in checklist
    request.check_empathetic = "empathetic" in checklist
    request.check_reasons = "reasons" in checklist
    request.check_rights = "rights" in checklist


def approve(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
    job_id: uuid.UUID | None = None,
) -> None:
    """A second officer confirms the letter meets every point of the quality checklist."""
    target = next_state(Action.APPROVE, request, decision, actor)
    if set(CHECKLIST) - checklist:
        raise ValidationFailed(
            {
                "checklist": "Confirm every check before you approve the letter. If it falls "
                "short, return it for changes"
            }
        )
    check_notes(db, vault, request, notes)
    check_version(request, expected_version)
    _ticks(request, checklist)
    request.checked_by_id = actor.user_id
    request.checked_at = utc_now()
    if notes.strip():
        vault.put(request, "check_notes", notes.strip())
    move(db, actor, request, Action.APPROVE, target, job_id)
    db.flush()
    audit_request(
        db,
        actor,
        request,
        person,
        category="alteration",
        action="vlu.letter.approve",
        fields=("check_accurate", "check_empathetic", "check_reasons", "check_rights"),
    )


def return_for_changes(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
) -> None:
    target = next_state(Action.RETURN, request, decision, actor)
    if not notes.strip():
        raise ValidationFailed({"notes": "Say what needs to change"})
    check_notes(db, vault, request, notes)
    check_version(request, expected_version)
    _ticks(request, checklist)
    vault.put(request, "check_notes", notes.strip())
    move(db, actor, request, Action.RETURN, target, None)
    db.flush()
    audit_request(
        db,
        actor,
        request,
        person,
        category="alteration",
        action="vlu.letter.return",
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
    step = approve if approved else return_for_changes
    with refused_on("checklist"):
        on_request(
            unit,
            case_id,
            request_id,
            step,
            checklist=checklist,
            notes=notes,
            expected_version=expected_version,
        )
