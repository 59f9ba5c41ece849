"""Queries on special measures, always inside the case scope (portal.cases.access).

A case, witness or application outside the actor's scope is ``CaseNotFound`` (404), exactly
like one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date
from typing import TypeVarTuple

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.access import visible_cases
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, CaseEvent, CaseParty
from portal.cases.reference import EventKind
from portal.cases.repository import staff_names as staff_names
from portal.kit.history import oldest_first
from portal.kit.paging import Page, paginate_rows
from portal.people.models import Person
from portal.special_measures.models import (
    SpecialMeasuresApplication,
    SpecialMeasuresAssessment,
    SpecialMeasuresTransition,
)
from portal.special_measures.states import PENDING, State

Application = SpecialMeasuresApplication
Ts = TypeVarTuple("Ts")


def not_guilty_pleas(db: Session, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, date]:
    """The earliest not-guilty plea in each case (the application clock starts there).

    ``case_ids`` must already be in the actor's scope."""
    if not case_ids:
        return {}
    rows = db.execute(
        select(CaseEvent.case_id, func.min(CaseEvent.event_date))
        .where(
            CaseEvent.case_id.in_(case_ids),
            CaseEvent.kind == EventKind.PLEA.value,
            CaseEvent.outcome == "not_guilty",
        )
        .group_by(CaseEvent.case_id)
    ).all()
    return {row[0]: row[1] for row in rows}


def _one_in_scope(db: Session, query: Select[*Ts], missing: uuid.UUID) -> tuple[*Ts]:
    """The one row of ``query`` (already limited to the actor's cases), or ``CaseNotFound``."""
    row = db.execute(query).one_or_none()
    if row is None:
        raise CaseNotFound(missing)
    return row


def witness_in_case(
    db: Session, actor: Actor, case_id: uuid.UUID, person_id: uuid.UUID
) -> tuple[Case, CaseParty, Person]:
    return _one_in_scope(
        db,
        select(Case, CaseParty, Person)
        .join(CaseParty, CaseParty.case_id == Case.id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(visible_cases(actor), Case.id == case_id, CaseParty.person_id == person_id),
        case_id,
    )


def get_application(
    db: Session, actor: Actor, case_id: uuid.UUID, application_id: uuid.UUID
) -> tuple[Application, Case, CaseParty, Person]:
    return _one_in_scope(
        db,
        select(Application, Case, CaseParty, Person)
        .join(Case, Case.id == Application.case_id)
        .join(CaseParty, CaseParty.id == Application.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(visible_cases(actor), Case.id == case_id, Application.id == application_id),
        application_id,
    )


def assessment_of(db: Session, party_id: uuid.UUID) -> SpecialMeasuresAssessment | None:
    return db.scalars(
        select(SpecialMeasuresAssessment).where(SpecialMeasuresAssessment.case_party_id == party_id)
    ).one_or_none()


def assessments_of(
    db: Session, party_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, SpecialMeasuresAssessment]:
    if not party_ids:
        return {}
    return {
        a.case_party_id: a
        for a in db.scalars(
            select(SpecialMeasuresAssessment).where(
                SpecialMeasuresAssessment.case_party_id.in_(party_ids)
            )
        )
    }


def applications_of(
    db: Session, party_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[Application]]:
    """Each witness's applications, newest first."""
    result: dict[uuid.UUID, list[Application]] = {pid: [] for pid in party_ids}
    if party_ids:
        for application in db.scalars(
            select(Application)
            .where(Application.case_party_id.in_(party_ids))
            .order_by(Application.created_at.desc(), Application.id)
        ):
            result[application.case_party_id].append(application)
    return result


def open_application_for(db: Session, party_id: uuid.UUID) -> Application | None:
    return db.scalars(
        select(Application)
        .where(
            Application.case_party_id == party_id,
            Application.state.in_([s.value for s in PENDING | {State.SERVED}]),
        )
        .limit(1)
    ).first()


def witnesses_page(
    db: Session, case: Case, *, page: int, per_page: int
) -> Page[Row[CaseParty, Person]]:
    """The case's witnesses, those with an application not yet served first (when the deadline
    has passed, these are the overdue ones: the deadline is the case's), then by reference. A
    page past the end shows the last one (``portal.kit.paging``)."""
    pending = exists().where(
        and_(
            Application.case_party_id == CaseParty.id,
            Application.state.in_([s.value for s in PENDING]),
        )
    )
    query = (
        select(CaseParty, Person)
        .join(Person, Person.id == CaseParty.person_id)
        .where(CaseParty.case_id == case.id, CaseParty.is_witness.is_(True))
    )
    return paginate_rows(
        db,
        query,
        order_by=(pending.desc(), Person.reference.asc(), CaseParty.id.asc()),
        page=page,
        per_page=per_page,
    )


def history(db: Session, application_id: uuid.UUID) -> list[SpecialMeasuresTransition]:
    return oldest_first(
        db, SpecialMeasuresTransition, SpecialMeasuresTransition.application_id == application_id
    )


def work_for(
    db: Session, actor: Actor, states: Sequence[State], *, limit: int = 200
) -> list[tuple[Application, CaseParty, Person, Case]]:
    """Applications in ``states`` in the actor's cases (the caller orders them by deadline)."""
    if not states:
        return []
    rows = db.execute(
        select(Application, CaseParty, Person, Case)
        .join(Case, Case.id == Application.case_id)
        .join(CaseParty, CaseParty.id == Application.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(visible_cases(actor), Application.state.in_([s.value for s in states]))
        .order_by(Application.created_at, Application.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
