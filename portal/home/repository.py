"""The home page's own queries across domains (read only, through the case scope): the
letter checks waiting for a user and the letters returned to them to redraft. Here, not in
portal.victims_code, because portal.vlu already depends on portal.victims_code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.access import visible_cases
from portal.cases.models import Case
from portal.victims_code.models import Obligation
from portal.vlu.models import VluRequest, VluTransition
from portal.vlu.states import State

CHECKS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class LetterToCheck:
    request_id: uuid.UUID
    case_id: uuid.UUID
    urn: str
    due_on: date | None


def letters_to_check(db: Session, actor: Actor) -> list[LetterToCheck]:
    """Drafted letters in the actor's cases that someone else drafted (nobody checks their own
    letter), earliest due first (no person is read)."""
    rows = db.execute(
        select(VluRequest.id, Case.id, Case.urn, Obligation.due_on)
        .join(Case, Case.id == VluRequest.case_id)
        .outerjoin(Obligation, Obligation.id == VluRequest.obligation_id)
        .where(
            visible_cases(actor),
            VluRequest.state == State.DRAFTED.value,
            or_(VluRequest.drafted_by_id.is_(None), VluRequest.drafted_by_id != actor.user_id),
        )
        .order_by(Obligation.due_on.is_(None), Obligation.due_on, VluRequest.id)
        .limit(CHECKS_SHOWN)
    ).all()
    return [LetterToCheck(r[0], r[1], r[2], r[3]) for r in rows]


@dataclass(frozen=True, slots=True)
class LetterToRedraft:
    request_id: uuid.UUID
    case_id: uuid.UUID
    urn: str
    due_on: date | None
    why: str  # the step that returned it: "return" (by the checker), "identity_sealed", ...


def letters_to_redraft(db: Session, actor: Actor) -> list[LetterToRedraft]:
    """Letters the actor drafted that now need redrafting (returned for changes by the checker,
    or by a sealed identity or changed reasons), earliest due first, with the step that
    returned each (no person is read)."""
    last_step = (
        select(VluTransition.action)
        .where(VluTransition.request_id == VluRequest.id)
        .order_by(VluTransition.at.desc(), VluTransition.id.desc())
        .limit(1)
        .correlate(VluRequest)
        .scalar_subquery()
    )
    rows = db.execute(
        select(VluRequest.id, Case.id, Case.urn, Obligation.due_on, last_step)
        .join(Case, Case.id == VluRequest.case_id)
        .outerjoin(Obligation, Obligation.id == VluRequest.obligation_id)
        .where(
            visible_cases(actor),
            VluRequest.state == State.NEEDS_REDRAFT.value,
            VluRequest.drafted_by_id == actor.user_id,
        )
        .order_by(Obligation.due_on.is_(None), Obligation.due_on, VluRequest.id)
        .limit(CHECKS_SHOWN)
    ).all()
    return [LetterToRedraft(r[0], r[1], r[2], r[3], r[4] or "") for r in rows]
