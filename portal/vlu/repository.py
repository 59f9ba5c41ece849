"""Every query on VLU requests, decisions and jobs, inside the actor's case scope
(portal.cases.access): a request, decision or job on a case the actor cannot see does not exist
for them (404)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.access import visible_cases
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, CaseParty, Offence
from portal.cases.repository import Page
from portal.cases.repository import staff_names as staff_names
from portal.kit.history import newest_first, oldest_first
from portal.people.models import Person
from portal.victims_code.models import Obligation
from portal.vlu.models import (
    Job,
    VluDecision,
    VluLetter,
    VluMessage,
    VluReasonsRevision,
    VluRequest,
    VluTransition,
)
from portal.vlu.states import UNSENT, State

UNSENT_VALUES = tuple(s.value for s in UNSENT)
# The queue's default view: everything that still needs someone to act.
# The Right to Review's open stages need action too (a referral to the independent review is a
# stage, not a conclusion).
REVIEW_OPEN = (
    State.REVIEW_REQUESTED,
    State.LOCAL_RESOLUTION,
    State.LOCAL_DECIDED,
    State.LOCAL_LETTER_SENT,
    State.INDEPENDENT_REVIEW,
    State.INDEPENDENT_DECIDED,
)
NEEDS_ACTION = (*UNSENT_VALUES, *(s.value for s in REVIEW_OPEN))


@dataclass(frozen=True, slots=True)
class RequestRow:
    request: VluRequest
    decision: VluDecision
    party: CaseParty
    person: Person
    case: Case
    due_on: date | None


@dataclass(frozen=True, slots=True)
class QueueFilters:
    due: str = ""  # overdue, due_today, due_soon
    state: str = ""  # a State value, "all", or "" (needs action)
    area: str = ""
    category: str = ""
    decision_id: uuid.UUID | None = None


def _rows() -> Select[VluRequest, VluDecision, CaseParty, Person, Case, date | None]:
    return (
        select(VluRequest, VluDecision, CaseParty, Person, Case, Obligation.due_on)
        .join(VluDecision, VluDecision.id == VluRequest.decision_id)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .join(Case, Case.id == VluRequest.case_id)
        .outerjoin(Obligation, Obligation.id == VluRequest.obligation_id)
    )


def _row(r: Sequence[object]) -> RequestRow:
    return RequestRow(r[0], r[1], r[2], r[3], r[4], r[5])  # type: ignore[arg-type]


def get_request(db: Session, actor: Actor, case_id: uuid.UUID, request_id: uuid.UUID) -> RequestRow:
    found = db.execute(
        _rows().where(
            VluRequest.id == request_id, VluRequest.case_id == case_id, visible_cases(actor)
        )
    ).one_or_none()
    if found is None:
        raise CaseNotFound(request_id)
    return _row(found)


def get_decision(
    db: Session, actor: Actor, case_id: uuid.UUID, decision_id: uuid.UUID
) -> tuple[VluDecision, Case]:
    found = db.execute(
        select(VluDecision, Case)
        .join(Case, Case.id == VluDecision.case_id)
        .where(VluDecision.id == decision_id, Case.id == case_id, visible_cases(actor))
    ).one_or_none()
    if found is None:
        raise CaseNotFound(decision_id)
    return found[0], found[1]


def _filtered(
    actor: Actor, filters: QueueFilters, today: date, soon: date
) -> Select[VluRequest, VluDecision, CaseParty, Person, Case, date | None]:
    query = _rows().where(visible_cases(actor))
    if filters.decision_id is not None:
        query = query.where(VluRequest.decision_id == filters.decision_id)
    if filters.state == "all":
        pass
    elif filters.state in {s.value for s in State}:
        query = query.where(VluRequest.state == filters.state)
    else:
        query = query.where(VluRequest.state.in_(NEEDS_ACTION))
    unsent = VluRequest.state.in_(UNSENT_VALUES)
    if filters.due == "overdue":
        query = query.where(unsent, Obligation.due_on < today)
    elif filters.due == "due_today":
        query = query.where(unsent, Obligation.due_on == today)
    elif filters.due == "due_soon":
        query = query.where(unsent, Obligation.due_on > today, Obligation.due_on <= soon)
    if filters.area:
        query = query.where(Case.area == filters.area)
    if filters.category:
        query = query.where(
            Case.id.in_(select(Offence.case_id).where(Offence.category == filters.category))
        )
    return query


def queue(
    db: Session,
    actor: Actor,
    filters: QueueFilters,
    *,
    page: int,
    per_page: int,
    today: date,
    soon: date,
) -> Page[RequestRow]:
    """Most urgent first: unsent letters by due date (enhanced first on the same day), then the
    reviews. One query for the page, one for the total."""
    query = _filtered(actor, filters, today, soon)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    unsent_first = case((VluRequest.state.in_(UNSENT_VALUES), 0), else_=1)
    rows = db.execute(
        query.order_by(
            unsent_first,
            Obligation.due_on.is_(None),
            Obligation.due_on,
            VluRequest.enhanced.desc(),
            VluRequest.created_at,
            VluRequest.id,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page([_row(r) for r in rows], int(total), page, per_page)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    escalated: int  # unsent and past the due date
    due_today: int
    due_soon: int
    waiting_for_reasons: int
    to_check: int


def counts(db: Session, actor: Actor, *, today: date, soon: date) -> QueueCounts:
    unsent = VluRequest.state.in_(UNSENT_VALUES)
    row = db.execute(
        select(
            func.count().filter(and_(unsent, Obligation.due_on < today)),
            func.count().filter(and_(unsent, Obligation.due_on == today)),
            func.count().filter(and_(unsent, Obligation.due_on > today, Obligation.due_on <= soon)),
            func.count().filter(VluRequest.state == State.REQUESTED.value),
            func.count().filter(VluRequest.state == State.DRAFTED.value),
        )
        .select_from(VluRequest)
        .join(Case, Case.id == VluRequest.case_id)
        .outerjoin(Obligation, Obligation.id == VluRequest.obligation_id)
        .where(visible_cases(actor), or_(unsent, VluRequest.state.in_(NEEDS_ACTION)))
    ).one()
    return QueueCounts(*(int(n or 0) for n in row))


@dataclass(frozen=True, slots=True)
class WaitingForReasons:
    decision: VluDecision
    urn: str
    letters: int


def waiting_for_reasons(db: Session, actor: Actor) -> list[WaitingForReasons]:
    """Decisions in the actor's cases whose letters wait for the prosecutor's reasons (counts
    only: no person is read)."""
    rows = db.execute(
        select(VluDecision, Case.urn, func.count(VluRequest.id))
        .join(Case, Case.id == VluDecision.case_id)
        .join(VluRequest, VluRequest.decision_id == VluDecision.id)
        .where(
            visible_cases(actor),
            VluDecision.reasons.is_(None),
            VluRequest.state == State.REQUESTED.value,
        )
        .group_by(VluDecision.id, Case.urn)
        .order_by(VluDecision.decided_on, Case.urn)
    ).all()
    return [WaitingForReasons(d, urn, int(n)) for d, urn, n in rows]


def state_counts(db: Session, decision_id: uuid.UUID) -> dict[str, int]:
    rows = db.execute(
        select(VluRequest.state, func.count())
        .where(VluRequest.decision_id == decision_id)
        .group_by(VluRequest.state)
    ).all()
    return {str(state): int(n) for state, n in rows}


def decisions_for_case(db: Session, case_id: uuid.UUID) -> list[VluDecision]:
    return newest_first(db, VluDecision, VluDecision.case_id == case_id, VluDecision.decided_on)


def letter_of(db: Session, request_id: uuid.UUID) -> VluLetter | None:
    return db.scalars(select(VluLetter).where(VluLetter.request_id == request_id)).one_or_none()


def transitions_of(db: Session, request_id: uuid.UUID) -> list[VluTransition]:
    return oldest_first(db, VluTransition, VluTransition.request_id == request_id)


def reasons_revisions(db: Session, decision_id: uuid.UUID) -> list[VluReasonsRevision]:
    """Every saved version of a decision's reasons, the first first."""
    return list(
        db.scalars(
            select(VluReasonsRevision)
            .where(VluReasonsRevision.decision_id == decision_id)
            .order_by(VluReasonsRevision.revision)
        )
    )


def any_letter_sent(db: Session, decision_id: uuid.UUID) -> bool:
    """Whether a letter about this decision has gone to anyone (the reasons are then fixed)."""
    sent = select(VluRequest.id).where(
        VluRequest.decision_id == decision_id, VluRequest.sent_at.is_not(None)
    )
    return db.scalar(select(sent.exists())) or False


def requests_in(db: Session, decision_id: uuid.UUID, states: Sequence[State]) -> list[VluRequest]:
    return list(
        db.scalars(
            select(VluRequest)
            .where(
                VluRequest.decision_id == decision_id,
                VluRequest.state.in_([s.value for s in states]),
            )
            .order_by(VluRequest.id)
        )
    )


def messages_of(db: Session, request_id: uuid.UUID) -> list[VluMessage]:
    return oldest_first(db, VluMessage, VluMessage.request_id == request_id)


def get_job(db: Session, actor: Actor, job_id: uuid.UUID) -> Job:
    """A job is visible to those who can see its case (and only jobs tied to a case exist)."""
    found = db.scalars(
        select(Job).join(Case, Case.id == Job.case_id).where(Job.id == job_id, visible_cases(actor))
    ).one_or_none()
    if found is None:
        raise CaseNotFound(job_id)
    return found


def jobs_for_decision(db: Session, decision_id: uuid.UUID, *, limit: int = 5) -> list[Job]:
    return list(
        db.scalars(
            select(Job)
            .where(Job.subject_id == decision_id)
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
    )


def job_subject(db: Session, job_id: uuid.UUID) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The case a job's page shows (for the restrictions banner); the page checks the scope."""
    return db.scalar(select(Job.case_id).where(Job.id == job_id)), None
