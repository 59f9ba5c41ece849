"""My work's queries (read only, always through the case scope): the open obligations owed by
the actor's team, filtered and sorted, one page at a time; the counters for the same filters;
the cases a user can narrow the list to; and the safeguarding actions the user owns that are
due (read here from the people models: My work only reads them, portal.people changes them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.access import visible_cases
from portal.cases.models import Case, CaseParty
from portal.kit.paging import Page, paginate_rows
from portal.people.models import Person, SafeguardingAction
from portal.victims_code.models import Obligation
from portal.victims_code.repository import ROLE_BODIES, WorkCounts
from portal.victims_code.work_filters import WorkFilters

__all__ = ["ActionDue", "CaseRef", "Row", "actions_due", "case_choices", "counts", "open_work"]

ACTIONS_SHOWN = 50


def _team_open(actor: Actor, filters: WorkFilters) -> list[ColumnElement[bool]]:
    """Open, owed by the actor's team, in scope, and narrowed by every filter but the due
    window (the counters are the due windows)."""
    where: list[ColumnElement[bool]] = [
        visible_cases(actor),
        Obligation.responsible_body == ROLE_BODIES.get(actor.role.value, "-"),
        Obligation.state == "open",
    ]
    if filters.mine:
        where.append(
            or_(Case.prosecutor_id == actor.user_id, Case.witness_care_officer_id == actor.user_id)
        )
    if filters.case_id is not None:
        where.append(Case.id == filters.case_id)
    if filters.right is not None:
        where.append(Obligation.right == filters.right)
    return where


def _window(show: str, today: date, soon: date) -> ColumnElement[bool] | None:
    due = Obligation.due_on
    return {
        "overdue": due < today,
        "due_today": due == today,
        "due_soon": and_(due > today, due <= soon),
        "later": or_(due.is_(None), due > soon),
    }.get(show)


WINDOWS = ("overdue", "due_today", "due_soon", "later")


def counts(
    db: Session, actor: Actor, filters: WorkFilters, *, today: date, soon: date
) -> WorkCounts:
    """How many open obligations fall in each due window, for the filters shown (one query)."""
    windows = [_window(key, today, soon) for key in WINDOWS]
    row = db.execute(
        select(*(func.count().filter(w) for w in windows if w is not None))
        .select_from(Obligation)
        .join(Case, Case.id == Obligation.case_id)
        .where(*_team_open(actor, filters))
    ).one()
    return WorkCounts(*(int(n or 0) for n in row))


@dataclass(frozen=True, slots=True)
class CaseRef:
    """What a list row shows of its case: the id for links and the URN (the case itself is
    read only by the case repositories)."""

    id: uuid.UUID
    urn: str


Row = tuple[Obligation, CaseParty, Person, CaseRef]


def _order(sort: str) -> list[ColumnElement[Any]]:
    first: list[ColumnElement[Any]] = []
    if sort == "case":
        first.append(Case.urn.asc())
    elif sort == "right":
        first.append(Obligation.right.asc())
    due = Obligation.due_on
    return [*first, due.is_(None), due.asc(), Obligation.id.asc()]


def open_work(
    db: Session,
    actor: Actor,
    filters: WorkFilters,
    *,
    page: int,
    per_page: int,
    today: date,
    soon: date,
) -> Page[Row]:
    """One page of the filtered list: one query for the rows and one for the total, however
    many rows there are."""
    query: Select[Obligation, CaseParty, Person, str] = (
        select(Obligation, CaseParty, Person, Case.urn)
        .join(Case, Case.id == Obligation.case_id)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(*_team_open(actor, filters))
    )
    window = _window(filters.show, today, soon)
    if window is not None:
        query = query.where(window)
    found = paginate_rows(db, query, order_by=_order(filters.sort), page=page, per_page=per_page)
    return Page(
        [(r[0], r[1], r[2], CaseRef(r[0].case_id, r[3])) for r in found.items],
        found.number,
        per_page,
        found.total,
    )


def case_choices(db: Session, actor: Actor, filters: WorkFilters) -> list[tuple[uuid.UUID, str]]:
    """(id, URN) of the cases in scope with open work for the team, and the chosen case (in
    scope) even if its work is done, for the case filter."""
    with_work = select(Obligation.case_id).join(Case, Case.id == Obligation.case_id)
    with_work = with_work.where(*_team_open(actor, WorkFilters()))
    wanted: ColumnElement[bool] = Case.id.in_(with_work.scalar_subquery())
    if filters.case_id is not None:
        wanted = or_(wanted, Case.id == filters.case_id)
    query = (
        select(Case.id, Case.urn).where(visible_cases(actor), wanted).order_by(Case.urn, Case.id)
    )
    return [(row[0], row[1]) for row in db.execute(query).all()]


@dataclass(frozen=True, slots=True)
class ActionDue:
    action: SafeguardingAction
    person: Person
    case: CaseRef


def actions_due(db: Session, actor: Actor, *, until: date) -> list[ActionDue]:
    """The open safeguarding actions the actor owns that are due by ``until`` (overdue
    included), earliest first, in cases the actor can see."""
    rows = db.execute(
        select(SafeguardingAction, Person, Case.id, Case.urn)
        .join(CaseParty, CaseParty.id == SafeguardingAction.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .join(Case, Case.id == CaseParty.case_id)
        .where(
            visible_cases(actor),
            SafeguardingAction.owner_id == actor.user_id,
            SafeguardingAction.status == "open",
            SafeguardingAction.due_on <= until,
        )
        .order_by(SafeguardingAction.due_on, SafeguardingAction.id)
        .limit(ACTIONS_SHOWN)
    ).all()
    return [ActionDue(r[0], r[1], CaseRef(r[2], r[3])) for r in rows]
