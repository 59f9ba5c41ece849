"""The Right to Review's queries: a request's review, who may review it, who made the decision,
and the review steps due (for My work). Requests are reached inside the actor's case scope by
``portal.vlu.repository``; these take a request or case already in scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import access
from portal.cases.models import Case, CaseEvent
from portal.cases.repository import staff_names as staff_names
from portal.vlu.models import VluDecision, VluRequest
from portal.vlu.review.models import VluReview
from portal.vlu.states import State


def review_of(db: Session, request_id: uuid.UUID) -> VluReview | None:
    return db.scalars(select(VluReview).where(VluReview.request_id == request_id)).first()


def case_of(db: Session, request: VluRequest) -> Case:
    """The request's case (the request was found inside the actor's scope)."""
    case = db.get(Case, request.case_id)
    assert case is not None
    return case


def decision_makers(db: Session, decision: VluDecision) -> set[uuid.UUID]:
    """Who made the decision: the prosecutor who recorded it and the one who gave its reasons."""
    event = db.get(CaseEvent, decision.event_id)
    found = {event.recorded_by_id} if event is not None else set()
    if decision.reasons_by_id is not None:
        found.add(decision.reasons_by_id)
    return found


def prosecutors_for(db: Session, case: Case) -> list[tuple[uuid.UUID, str]]:
    """The active prosecutors who can see ``case`` (its own, and its unit's), by name."""
    rows = db.execute(
        select(User.id, User.display_name)
        .where(
            User.role == Role.PROSECUTOR.value,
            User.is_active.is_(True),
            or_(
                User.id == case.prosecutor_id,
                and_(User.area == case.area, User.unit == case.unit),
            ),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(row.id, row.display_name) for row in rows]


@dataclass(frozen=True, slots=True)
class DueStep:
    """A review stage waiting on someone, for My work."""

    case_id: uuid.UUID
    request_id: uuid.UUID
    urn: str
    state: str
    due_on: date | None


def due_steps(db: Session, actor: Actor, limit: int = 20) -> list[DueStep]:
    """Review stages open in the actor's scope, soonest due first: local resolution and the
    independent review (for a prosecutor, only those they are named to review), and outcome
    letters waiting to be sent (for the Victim Liaison Unit)."""
    local = and_(VluRequest.state == State.LOCAL_RESOLUTION.value)
    independent = and_(VluRequest.state == State.INDEPENDENT_REVIEW.value)
    if actor.role is Role.PROSECUTOR:
        local = and_(local, VluReview.local_reviewer_id == actor.user_id)
        independent = and_(independent, VluReview.independent_reviewer_id == actor.user_id)
        waiting = or_(local, independent)
    else:
        letters = VluRequest.state.in_((State.LOCAL_DECIDED.value, State.INDEPENDENT_DECIDED.value))
        waiting = or_(local, independent, letters)
    rows = db.execute(
        select(
            VluRequest.case_id,
            VluRequest.id,
            Case.urn,
            VluRequest.state,
            VluReview.local_due_on,
            VluReview.independent_due_on,
        )
        .join(VluReview, VluReview.request_id == VluRequest.id)
        .join(Case, Case.id == VluRequest.case_id)
        .where(access.visible_cases(actor), waiting)
        .order_by(VluRequest.updated_at)
        .limit(limit)
    ).all()
    steps = [
        DueStep(
            row.case_id,
            row.id,
            row.urn,
            row.state,
            row.independent_due_on
            if row.state in (State.INDEPENDENT_REVIEW.value, State.INDEPENDENT_DECIDED.value)
            else row.local_due_on,
        )
        for row in rows
    ]
    return sorted(steps, key=lambda s: (s.due_on is None, s.due_on or date.max))
