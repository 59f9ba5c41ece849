"""Every query of a bulk decision's second check (``vlu_bulk_check``). The decision is looked up
inside the actor's case scope first (portal.vlu.repository.get_decision)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from portal.cases.models import CaseParty
from portal.people.models import Person
from portal.vlu.models import (
    VluBulkCheck,
    VluBulkCheckLetter,
    VluLetter,
    VluRequest,
    VluTransition,
)
from portal.vlu.states import Action, State


def drafted_for(
    db: Session, decision_id: uuid.UUID, checker_id: uuid.UUID
) -> list[tuple[VluRequest, Person]]:
    """The decision's drafted letters this officer may check (not the ones they drafted)."""
    rows = db.execute(
        select(VluRequest, Person)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(
            VluRequest.decision_id == decision_id,
            VluRequest.state == State.DRAFTED.value,
            (VluRequest.drafted_by_id.is_(None) | (VluRequest.drafted_by_id != checker_id)),
        )
        .order_by(VluRequest.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def written_by_hand(db: Session, request_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The letters whose text an officer wrote or changed (a draft step outside a bulk job, or
    a letter saved more than once)."""
    ids = list(request_ids)
    if not ids:
        return set()
    by_hand = select(VluTransition.request_id).where(
        VluTransition.request_id.in_(ids),
        VluTransition.action == Action.DRAFT.value,
        VluTransition.job_id.is_(None),
    )
    revised = select(VluLetter.request_id).where(
        VluLetter.request_id.in_(ids), VluLetter.revision > 1
    )
    return set(db.scalars(by_hand)) | set(db.scalars(revised))


def open_check(db: Session, decision_id: uuid.UUID, checker_id: uuid.UUID) -> VluBulkCheck | None:
    """This officer's check of the decision that is not approved yet (the latest)."""
    return db.scalars(
        select(VluBulkCheck)
        .where(
            VluBulkCheck.decision_id == decision_id,
            VluBulkCheck.checker_id == checker_id,
            VluBulkCheck.approved_at.is_(None),
        )
        .order_by(VluBulkCheck.created_at.desc(), VluBulkCheck.id)
        .limit(1)
    ).first()


@dataclass(frozen=True, slots=True)
class ToRead:
    item: VluBulkCheckLetter
    request: VluRequest
    person: Person


def letters_of(db: Session, check_id: uuid.UUID) -> list[ToRead]:
    rows = db.execute(
        select(VluBulkCheckLetter, VluRequest, Person)
        .join(VluRequest, VluRequest.id == VluBulkCheckLetter.request_id)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(VluBulkCheckLetter.check_id == check_id)
        .order_by(VluBulkCheckLetter.why == "sample", VluBulkCheckLetter.id)
    ).all()
    return [ToRead(r[0], r[1], r[2]) for r in rows]


def letter_in(db: Session, check_id: uuid.UUID, request_id: uuid.UUID) -> ToRead | None:
    found = db.execute(
        select(VluBulkCheckLetter, VluRequest, Person)
        .join(VluRequest, VluRequest.id == VluBulkCheckLetter.request_id)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(
            and_(
                VluBulkCheckLetter.check_id == check_id,
                VluBulkCheckLetter.request_id == request_id,
            )
        )
    ).one_or_none()
    return ToRead(found[0], found[1], found[2]) if found else None


def _before(item: VluBulkCheckLetter) -> ColumnElement[bool]:
    """The check's letters listed before ``item`` (``letters_of``'s order: the letters that
    differ first, then the sample, each by id)."""
    sample = VluBulkCheckLetter.why == "sample"
    if item.why == "sample":
        return ~sample | (sample & (VluBulkCheckLetter.id < item.id))
    return ~sample & (VluBulkCheckLetter.id < item.id)


def place_of(db: Session, item: VluBulkCheckLetter) -> tuple[int, int]:
    """Where ``item`` comes in its check's list (1 first) and how many letters the list has:
    one count query, not the list."""
    row = db.execute(
        select(func.count().filter(_before(item)), func.count())
        .select_from(VluBulkCheckLetter)
        .where(VluBulkCheckLetter.check_id == item.check_id)
    ).one()
    return int(row[0]) + 1, int(row[1])


def next_unread(db: Session, check_id: uuid.UUID) -> uuid.UUID | None:
    """The request of the first letter of the list still unread (None: all read)."""
    return db.scalars(
        select(VluBulkCheckLetter.request_id)
        .where(VluBulkCheckLetter.check_id == check_id, VluBulkCheckLetter.read_at.is_(None))
        .order_by(VluBulkCheckLetter.why == "sample", VluBulkCheckLetter.id)
        .limit(1)
    ).first()


def unread(db: Session, check_id: uuid.UUID) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(VluBulkCheckLetter)
            .where(VluBulkCheckLetter.check_id == check_id, VluBulkCheckLetter.read_at.is_(None))
        )
        or 0
    )


def changed_since(db: Session, decision_id: uuid.UUID, at: datetime) -> bool:
    """Whether any drafted letter of the decision took a step (drafted, redrafted, returned)
    after ``at``: a check begun then no longer covers the letters as they are."""
    moved = select(VluRequest.id).where(
        VluRequest.decision_id == decision_id,
        VluRequest.state == State.DRAFTED.value,
        VluRequest.updated_at > at,
    )
    return bool(db.scalar(select(moved.exists())))
