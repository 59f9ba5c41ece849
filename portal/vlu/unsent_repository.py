"""Every query on the letters a bulk send left unsent (``vlu_not_sent``). The decision is looked
up inside the actor's case scope first (portal.vlu.repository.get_decision), so these queries
take its id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from portal.cases.models import CaseParty
from portal.kit.paging import Page, paginate_rows
from portal.people.models import Person
from portal.victims_code.models import Obligation
from portal.vlu.models import VluNotSent, VluRequest


@dataclass(frozen=True, slots=True)
class UnsentRow:
    unsent: VluNotSent
    request: VluRequest
    party: CaseParty
    person: Person
    due_on: date | None


def of_requests(db: Session, request_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, VluNotSent]:
    ids = list(request_ids)
    if not ids:
        return {}
    rows = db.scalars(select(VluNotSent).where(VluNotSent.request_id.in_(ids)))
    return {row.request_id: row for row in rows}


def counts(
    db: Session, decision_id: uuid.UUID, *, job_id: uuid.UUID | None = None
) -> dict[str, int]:
    """Letters still unsent, by reason (for one job's send, with ``job_id``)."""
    query = (
        select(VluNotSent.reason, func.count())
        .where(VluNotSent.decision_id == decision_id, VluNotSent.resolved_at.is_(None))
        .group_by(VluNotSent.reason)
    )
    if job_id is not None:
        query = query.where(VluNotSent.job_id == job_id)
    return {str(reason): int(n) for reason, n in db.execute(query).all()}


def _listed(
    decision_id: uuid.UUID, reasons: Sequence[str]
) -> Select[VluNotSent, VluRequest, CaseParty, Person, date | None]:
    query = (
        select(VluNotSent, VluRequest, CaseParty, Person, Obligation.due_on)
        .join(VluRequest, VluRequest.id == VluNotSent.request_id)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .outerjoin(Obligation, Obligation.id == VluRequest.obligation_id)
        .where(VluNotSent.decision_id == decision_id, VluNotSent.resolved_at.is_(None))
    )
    return query.where(VluNotSent.reason.in_(reasons)) if reasons else query


ORDER: tuple[ColumnElement[Any], ...] = (
    Obligation.due_on.is_(None),
    Obligation.due_on.asc(),
    VluNotSent.reason.asc(),
    VluNotSent.id.asc(),
)


def page_of(
    db: Session, decision_id: uuid.UUID, reasons: Sequence[str], *, page: int, per_page: int
) -> Page[UnsentRow]:
    """A page of the letters still unsent, the earliest deadline first."""
    found = paginate_rows(
        db, _listed(decision_id, reasons), order_by=ORDER, page=page, per_page=per_page
    )
    return found.map(lambda r: UnsentRow(r[0], r[1], r[2], r[3], r[4]))


def all_of(db: Session, decision_id: uuid.UUID, reasons: Sequence[str]) -> list[UnsentRow]:
    """Every letter still unsent (the export: bounded by the decision's victims)."""
    rows = db.execute(_listed(decision_id, reasons).order_by(*ORDER)).all()
    return [UnsentRow(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def to_ask(db: Session, decision_id: uuid.UUID, reasons: Iterable[str]) -> list[UnsentRow]:
    """The letters unsent for want of safe-contact details whose officer was not yet asked."""
    query = _listed(decision_id, list(reasons)).where(VluNotSent.asked_at.is_(None))
    return [UnsentRow(r[0], r[1], r[2], r[3], r[4]) for r in db.execute(query.order_by(*ORDER))]


def resolve(db: Session, request_id: uuid.UUID, at: datetime) -> None:
    """A letter sent by hand no longer waits on the list of letters not sent."""
    db.execute(
        update(VluNotSent)
        .where(VluNotSent.request_id == request_id, VluNotSent.resolved_at.is_(None))
        .values(resolved_at=at)
    )


def to_ask_count(db: Session, decision_id: uuid.UUID, reasons: Iterable[str]) -> int:
    """How many letters wait for safe-contact details whose officer was not yet asked."""
    return int(
        db.scalar(
            select(func.count())
            .select_from(VluNotSent)
            .where(
                VluNotSent.decision_id == decision_id,
                VluNotSent.resolved_at.is_(None),
                VluNotSent.asked_at.is_(None),
                VluNotSent.reason.in_(list(reasons)),
            )
        )
        or 0
    )
