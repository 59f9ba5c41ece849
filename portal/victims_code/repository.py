"""Queries on obligations, always through the case scope (portal.cases.access)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, select, true
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.cases.access import visible_cases
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, CaseParty
from portal.people.models import Person
from portal.victims_code.lifecycle import BODY_ROLES
from portal.victims_code.models import Obligation, ToldCheckFinding

ROLE_BODIES = {role: body for body, role in BODY_ROLES.items()}


@dataclass(frozen=True, slots=True)
class WorkCounts:
    overdue: int
    due_today: int
    due_soon: int
    later: int

    @property
    def total(self) -> int:
        return self.overdue + self.due_today + self.due_soon + self.later


def _mine(actor: Actor) -> Select[Obligation, CaseParty, Person, Case]:
    body = ROLE_BODIES.get(actor.role.value, "-")
    return (
        select(Obligation, CaseParty, Person, Case)
        .join(Case, Case.id == Obligation.case_id)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(visible_cases(actor), Obligation.responsible_body == body)
    )


def counts(db: Session, actor: Actor, *, today: date, soon: date) -> WorkCounts:
    body = ROLE_BODIES.get(actor.role.value, "-")
    bucket = case(
        (Obligation.due_on < today, "overdue"),
        (Obligation.due_on == today, "due_today"),
        (Obligation.due_on <= soon, "due_soon"),
        else_="later",
    )
    rows = db.execute(
        select(bucket, func.count())
        .select_from(Obligation)
        .join(Case, Case.id == Obligation.case_id)
        .where(
            visible_cases(actor), Obligation.responsible_body == body, Obligation.state == "open"
        )
        .group_by(bucket)
    ).all()
    found = {str(name): int(n) for name, n in rows}
    return WorkCounts(
        found.get("overdue", 0),
        found.get("due_today", 0),
        found.get("due_soon", 0),
        found.get("later", 0),
    )


def open_work(
    db: Session,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    only: str | None,
    today: date,
    soon: date,
) -> list[tuple[Obligation, CaseParty, Person, Case]]:
    """Open obligations owed by the actor's team, most urgent first: one query, no N+1."""
    query = _mine(actor).where(Obligation.state == "open")
    if only == "overdue":
        query = query.where(Obligation.due_on < today)
    elif only == "due_today":
        query = query.where(Obligation.due_on == today)
    elif only == "due_soon":
        query = query.where(and_(Obligation.due_on > today, Obligation.due_on <= soon))
    rows = db.execute(
        query.order_by(Obligation.due_on.is_(None), Obligation.due_on, Obligation.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def get_obligation(
    db: Session, actor: Actor, obligation_id: uuid.UUID
) -> tuple[Obligation, CaseParty, Person, Case]:
    row = db.execute(
        select(Obligation, CaseParty, Person, Case)
        .join(Case, Case.id == Obligation.case_id)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(Obligation.id == obligation_id, visible_cases(actor))
    ).one_or_none()
    if row is None:
        raise CaseNotFound(obligation_id)
    return row[0], row[1], row[2], row[3]


def for_party(db: Session, party_id: uuid.UUID) -> list[Obligation]:
    return list(
        db.scalars(
            select(Obligation)
            .where(Obligation.case_party_id == party_id)
            .order_by(Obligation.right, Obligation.trigger_on)
        )
    )


def told_findings(
    db: Session, actor: Actor | None
) -> list[tuple[ToldCheckFinding, Obligation, Case, Person]]:
    """The data check's findings in ``actor``'s scope (None: the operator's CLI, every case)."""
    scope: ColumnElement[bool] = visible_cases(actor) if actor is not None else true()
    rows = db.execute(
        select(ToldCheckFinding, Obligation, Case, Person)
        .join(Obligation, Obligation.id == ToldCheckFinding.obligation_id)
        .join(Case, Case.id == ToldCheckFinding.case_id)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(scope)
        .order_by(Case.urn, Obligation.met_on, Obligation.id)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def display_name(db: Session, user_id: uuid.UUID) -> str | None:
    """Who recorded something, as the pages name them."""
    return db.scalar(select(User.display_name).where(User.id == user_id))


def subject_of(db: Session, obligation_id: uuid.UUID) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The case and person an obligation's pages show (for the restrictions banner). The page
    itself checks the actor's scope; this only names who it is about."""
    found = db.execute(
        select(CaseParty.case_id, CaseParty.person_id)
        .join(Obligation, Obligation.case_party_id == CaseParty.id)
        .where(Obligation.id == obligation_id)
    ).first()
    return (found[0], found[1]) if found else (None, None)
