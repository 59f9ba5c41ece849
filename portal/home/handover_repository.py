"""The queries of a handover (portal.home.handover): what open work an account holds across the
domains (its open cases, its open safeguarding actions, the letters returned to it to redraft)
and moving all of it to a colleague. Here, beside My work's queries, because it reads cases,
people and the VLU, and portal.accounts may import none of them (they import it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from portal.cases.models import Case
from portal.people.models import SafeguardingAction
from portal.victims_code.models import Obligation
from portal.victims_code.repository import ROLE_BODIES
from portal.vlu.models import VluRequest
from portal.vlu.states import State

# Letters that wait on the officer who drafted them (returned to be redrafted). A drafted
# letter waits for a checker, who is never its author, so it is not the drafter's work.
WAITING_ON_DRAFTER = (State.NEEDS_REDRAFT.value,)


@dataclass(frozen=True, slots=True)
class CaseHeld:
    case_id: uuid.UUID
    urn: str
    open_obligations: int


@dataclass(frozen=True, slots=True)
class WorkHeld:
    cases: list[CaseHeld]
    actions: int
    letters: int

    @property
    def empty(self) -> bool:
        return not (self.cases or self.actions or self.letters)


def _assigned(user_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Case.prosecutor_id == user_id, Case.witness_care_officer_id == user_id)


def work_held(db: Session, user_id: uuid.UUID, role: str) -> WorkHeld:
    """The open work the account holds: its open cases (with the open entitlements its role's
    team owes in each), its open safeguarding actions and its letters to redraft."""
    owed = func.count(Obligation.id).filter(
        Obligation.state == "open", Obligation.responsible_body == ROLE_BODIES.get(role, "-")
    )
    rows = db.execute(
        select(Case.id, Case.urn, owed)
        .outerjoin(Obligation, Obligation.case_id == Case.id)
        .where(Case.status == "open", _assigned(user_id))
        .group_by(Case.id, Case.urn)
        .order_by(Case.urn)
    ).all()
    actions = db.scalar(
        select(func.count())
        .select_from(SafeguardingAction)
        .where(SafeguardingAction.owner_id == user_id, SafeguardingAction.status == "open")
    )
    letters = db.scalar(
        select(func.count())
        .select_from(VluRequest)
        .where(VluRequest.drafted_by_id == user_id, VluRequest.state.in_(WAITING_ON_DRAFTER))
    )
    return WorkHeld(
        cases=[CaseHeld(r[0], r[1], int(r[2] or 0)) for r in rows],
        actions=int(actions or 0),
        letters=int(letters or 0),
    )


def hand_over(
    db: Session, from_id: uuid.UUID, to_id: uuid.UUID
) -> tuple[list[uuid.UUID], int, int]:
    """Move the open work of ``from_id`` to ``to_id``: the ids of the cases moved, and how many
    actions and letters. Each case's version moves on, so a form open on it sees the change."""
    moved: list[uuid.UUID] = []
    for column in (Case.prosecutor_id, Case.witness_care_officer_id):
        ids = list(
            db.scalars(
                select(Case.id).where(Case.status == "open", column == from_id).order_by(Case.id)
            )
        )
        if ids:
            db.execute(
                update(Case)
                .where(Case.id.in_(ids))
                .values({column.key: to_id, "version": Case.version + 1})
                .execution_options(synchronize_session=False)
            )
            moved.extend(ids)
    actions = db.execute(
        update(SafeguardingAction)
        .where(SafeguardingAction.owner_id == from_id, SafeguardingAction.status == "open")
        .values(owner_id=to_id, version=SafeguardingAction.version + 1)
        .execution_options(synchronize_session=False)
    )
    letters = db.execute(
        update(VluRequest)
        .where(VluRequest.drafted_by_id == from_id, VluRequest.state.in_(WAITING_ON_DRAFTER))
        .values(drafted_by_id=to_id, version=VluRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.expire_all()
    return (
        moved,
        int(getattr(actions, "rowcount", 0) or 0),
        int(getattr(letters, "rowcount", 0) or 0),
    )
