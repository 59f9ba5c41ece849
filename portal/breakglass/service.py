"""Break-glass use cases: ask for emergency access to a case outside one's scope, and an
auditor's review of each use (issue 18 point 4).

The request page never says whether a URN exists until everything else has passed: the form is
checked (reason, the user's words, the URN's shape), then the fresh second factor
(``stepup_gate.fresh_factor``), and only then is the URN looked up. Either answer is audited.
Access widens the case scope only (``Actor.emergency_cases``, portal.cases.access); the vault's
disclosure is untouched, so sealed identities stay sealed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.accounts.permissions import Permission
from portal.accounts.service import ActiveSession
from portal.accounts.unit import Unit
from portal.anonymity import identity
from portal.audit import service as audit
from portal.breakglass import repository
from portal.breakglass.models import (
    DETAIL_MAX,
    NOTE_MAX,
    BreakGlassUse,
    Outcome,
    Reason,
)
from portal.breakglass.stepup_gate import FRESH_MINUTES, fresh_factor
from portal.cases import repository as cases
from portal.cases.reference import normalise_urn, valid_urn
from portal.clock import utc_now
from portal.kit.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from portal.kit.text import required_text
from portal.settings import Settings

NO_USE = ("break_glass", None, None)  # an audit entry of a refused request: no use, no case
NO_CASE = "No case has that URN: check it and try again"
NOT_FRESH = (
    f"Sign out and sign in again to confirm it is you: emergency access needs a sign-in "
    f"within the last {FRESH_MINUTES} minutes"
)


def access_minutes(settings: Settings) -> int:
    """How long one use lasts (the ``break_glass_minutes`` setting)."""
    return settings.break_glass_minutes


@dataclass(frozen=True, slots=True)
class Opened:
    """Where the user goes next: the case, and whether it was opened by break-glass."""

    case_id: uuid.UUID
    by_break_glass: bool


def _may_request(unit: Unit) -> None:
    if not unit.actor.can(Permission.SEE_PERSONAL_DETAILS):
        raise NotPermitted("break-glass is for case-work roles")


def request_page(unit: Unit, settings: Settings) -> dict[str, object]:
    _may_request(unit)
    return {"reasons": Reason.choices(), "minutes": access_minutes(settings)}


def _form_errors(urn: str, reason: Reason | None, detail: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not urn.strip():
        errors["urn"] = "Enter the case's URN"
    elif not valid_urn(urn):
        errors["urn"] = "Enter a URN like 01AB1234526: 2 digits, 2 letters and 7 digits"
    if reason is None:
        errors["reason"] = "Select why you need emergency access"
    required_text(errors, "detail", detail, "Explain the emergency", "The explanation", DETAIL_MAX)
    return errors


def break_glass(
    unit: Unit,
    active_session: ActiveSession | None,
    settings: Settings,
    *,
    urn: str,
    reason: Reason | None,
    detail: str,
    now: datetime | None = None,
) -> Opened:
    """Open the case ``urn`` names for ``access_minutes``, or say why not (ValidationFailed)."""
    _may_request(unit)
    now = now or utc_now()
    db, actor = unit.db, unit.actor
    if errors := _form_errors(urn, reason, detail):
        raise ValidationFailed(errors)
    assert reason is not None
    if not fresh_factor(active_session, now):
        audit.record_in_case(db, actor, "security", "breakglass.refused_stale_factor", NO_USE)
        raise ValidationFailed({"factor": NOT_FRESH})
    wanted = normalise_urn(urn)
    visible = cases.find_by_urn(db, actor, wanted)
    if visible is not None:  # in scope already (or a live use): no new use is needed
        return Opened(visible.id, by_break_glass=False)
    case_id = repository.case_id_for_urn(db, wanted)
    if case_id is None:
        purpose = f"break_glass:{reason.value}"
        audit.record_in_case(db, actor, "security", "breakglass.no_case", NO_USE, purpose=purpose)
        raise ValidationFailed({"urn": NO_CASE})
    texts = {"detail": ("The explanation", detail)}
    if errors := identity.case_text_errors(db, unit.vault, case_id, texts):
        raise ValidationFailed(errors)  # it must not name a sealed person (the auditor reads it)
    use = BreakGlassUse(
        user_id=actor.user_id,
        case_id=case_id,
        case_urn=wanted,
        reason=reason.value,
        detail=detail.strip(),
        started_at=now,
        expires_at=now + timedelta(minutes=access_minutes(settings)),
    )
    db.add(use)
    db.flush()
    where = ("break_glass", use.id, case_id)
    purpose = f"break_glass:{reason.value}"
    audit.record_in_case(db, actor, "security", "breakglass.open", where, purpose=purpose)
    return Opened(case_id, by_break_glass=True)


# --- the auditor's queue ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: uuid.UUID
    user_name: str
    case_urn: str
    reason: str
    detail: str
    started_at: datetime
    expires_at: datetime
    minutes: int
    views: int
    live: bool


def _may_review(unit: Unit) -> None:
    if not unit.actor.can(Permission.REVIEW_BREAK_GLASS):
        raise NotPermitted("only auditors review break-glass")


def _rows(unit: Unit, uses: list[BreakGlassUse], now: datetime) -> list[QueueRow]:
    names = repository.staff_names(unit.db, {u.user_id for u in uses})
    views = repository.views_of(unit.db, uses)
    return [
        QueueRow(
            id=u.id,
            user_name=names.get(u.user_id, "Unknown user"),
            case_urn=u.case_urn,
            reason=u.reason_label,
            detail=u.detail,
            started_at=u.started_at,
            expires_at=u.expires_at,
            minutes=round((u.expires_at - u.started_at).total_seconds() / 60),
            views=views.get(str(u.id), 0),
            live=u.expires_at > now,
        )
        for u in uses
    ]


def review_queue(unit: Unit) -> list[QueueRow]:
    """Every use not yet reviewed, oldest first."""
    _may_review(unit)
    rows = _rows(unit, list(repository.unreviewed(unit.db)), utc_now())
    audit.consulted(unit.db, unit.actor, "breakglass.queue.view", "break_glass")
    return rows


def _use_to_review(unit: Unit, use_id: uuid.UUID) -> BreakGlassUse:
    _may_review(unit)
    use = repository.get_use(unit.db, use_id)
    if use is None:
        raise NotFound(use_id)
    if use.user_id == unit.actor.user_id:
        raise NotPermitted("a use is reviewed by someone other than its user")
    return use


def review_page(unit: Unit, use_id: uuid.UUID) -> QueueRow:
    use = _use_to_review(unit, use_id)
    audit.record_in_case(
        unit.db,
        unit.actor,
        "consultation",
        "breakglass.review.view",
        ("break_glass", use.id, use.case_id),
    )
    return _rows(unit, [use], utc_now())[0]


def review(unit: Unit, use_id: uuid.UUID, *, outcome: Outcome | None, note: str) -> None:
    """Record the auditor's finding on one use: justified or not, and why."""
    use = _use_to_review(unit, use_id)
    if use.reviewed_at is not None:
        raise Conflict("this use has already been reviewed")
    errors: dict[str, str] = {}
    if outcome is None:
        errors["outcome"] = "Select whether the emergency access was justified"
    required_text(
        errors, "note", note, "Enter a note explaining your finding", "The note", NOTE_MAX
    )
    if errors:
        raise ValidationFailed(errors)
    assert outcome is not None
    use.outcome = outcome.value
    use.review_note = note.strip()
    use.reviewed_by_id = unit.actor.user_id
    use.reviewed_at = utc_now()
    unit.db.flush()
    audit.record_in_case(
        unit.db,
        unit.actor,
        "security",
        "breakglass.review",
        ("break_glass", use.id, use.case_id),
        recipient=f"user:{use.user_id}",
        purpose=f"outcome:{outcome.value}",
    )
