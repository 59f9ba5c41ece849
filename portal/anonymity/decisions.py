"""Two-person decisions as the second person and the requester see them (issue 16 point 1):
the unmask decision page (who asked, when, the reason given, what exactly is approved, or the
outcome for the requester) and what is waiting, for My work: requests and applications a second
person must decide, and the actor's own, "waiting for a second person"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity import service, unmasking
from portal.anonymity.models import AnonymityApplication, UnmaskRequest
from portal.anonymity.recording import consulted
from portal.cases.access import visible_cases
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case
from portal.cases.repository import staff_names
from portal.db.encrypted import Sensitive
from portal.people.models import Person
from portal.settings import Settings

# --- the unmask decision page -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnmaskDecisionPage:
    case: Case
    person: Any  # portal.people.models.Person
    unmask: UnmaskRequest
    requester: str
    approver: str | None
    reason: Sensitive | None
    comment: Sensitive | None
    outcome: str
    minutes: int
    mine: bool  # the actor asked: they see the outcome, never the decision form
    may_decide: bool
    refused: str | None  # why this actor may not decide it, said on the page
    decisions: list[tuple[str, str]]


def _request(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[UnmaskRequest, Case, Any, str | None]:
    """The request, its case and person, and why the actor may not decide it (None: they may),
    for its requester or for someone in the case's Area (the approver pool is set by
    permission over the Area, not only by the cases they work on). Anyone else: not found, as
    a request out of scope."""
    db, actor = unit.db, unit.actor
    request = db.get(UnmaskRequest, request_id)
    if request is None or request.case_id != case_id or request.person_id != person_id:
        raise CaseNotFound(None)
    case, person = db.get(Case, request.case_id), db.get(Person, request.person_id)
    if case is None or person is None:
        raise CaseNotFound(None)
    if actor.user_id == request.requested_by_id:
        return request, case, person, "a second person must decide: you cannot decide your own"
    if not actor.area or actor.area != case.area:
        raise CaseNotFound(None)
    return (
        request,
        case,
        person,
        unmasking.refusal(db.get(User, actor.user_id), actor, request, case.area),
    )


def unmask_decision_page(
    unit: Unit, settings: Settings, case_id: uuid.UUID, person_id: uuid.UUID, request_id: uuid.UUID
) -> UnmaskDecisionPage:
    request, case, person, refused = _request(unit, case_id, person_id, request_id)
    vault = unit.vault
    mine = unit.actor.user_id == request.requested_by_id
    names = staff_names(unit.db, {request.requested_by_id, request.approved_by_id})
    consulted(unit, "unmask.decision_view", "unmask_request", request.id, case, person)
    return UnmaskDecisionPage(
        case=case,
        person=person,
        unmask=request,
        requester=names.get(request.requested_by_id, "A colleague"),
        approver=names.get(request.approved_by_id) if request.approved_by_id else None,
        # The reason: for the requester and for who may decide, not for anyone else.
        reason=vault.open(request, "reason") if mine or refused is None else None,
        comment=vault.open(request, "decision_comment"),
        outcome=unmasking.OUTCOMES[request.state],
        minutes=settings.unmask_minutes,
        mine=mine,
        may_decide=refused is None and request.state == "pending",
        refused=None if mine else refused,
        decisions=list(unmasking.DECISIONS.items()),
    )


def decide_unmask(
    unit: Unit,
    settings: Settings,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    request_id: uuid.UUID,
    *,
    password: str,
    client: str,
    decision: str | None,
    comment: str,
) -> None:
    request, case, _, _ = _request(unit, case_id, person_id, request_id)
    unmasking.approve_unmask(
        unit.db,
        unit.vault,
        unit.actor,
        settings,
        request,
        case,
        password=password,
        client=client,
        decision=decision,
        comment=comment,
    )


# --- what is waiting, for My work ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    """One decision waiting: ``route`` and its ``params`` open it."""

    kind: str  # "unmask" or "application"
    urn: str
    reference: str
    asked_by: str
    asked_at: datetime
    route: str
    params: dict[str, uuid.UUID]


@dataclass(frozen=True, slots=True)
class WaitingDecisions:
    to_decide: list[Waiting]  # a second person's decision: this actor's to take
    asked: list[Waiting]  # this actor's own, waiting for a second person


def _unmask_rows(unit: Unit, *, decide: bool, ask: bool) -> tuple[list[Waiting], list[Waiting]]:
    """Pending unmask requests this user may decide (``decide``) and their own (``ask``), in
    one query: My work's statements do not grow with what it shows."""
    db, actor = unit.db, unit.actor
    if not (decide or ask):
        return [], []
    pool = visible_cases(actor)
    if actor.area:
        pool = or_(pool, Case.area == actor.area)
    theirs = and_(UnmaskRequest.requested_by_id != actor.user_id, pool)
    mine = UnmaskRequest.requested_by_id == actor.user_id
    chosen = or_(theirs, mine) if decide and ask else (theirs if decide else mine)
    query = (
        select(UnmaskRequest, Case.urn, Case.area, Person.reference)
        .join(Case, Case.id == UnmaskRequest.case_id)
        .join(Person, Person.id == UnmaskRequest.person_id)
        .where(UnmaskRequest.state == "pending", chosen)
    )
    rows = db.execute(query.order_by(UnmaskRequest.requested_at).limit(100)).all()
    asked = [r for r in rows if r[0].requested_by_id == actor.user_id][:50]
    user = db.get(User, actor.user_id)
    to_decide = [
        r
        for r in rows
        if r[0].requested_by_id != actor.user_id
        and unmasking.refusal(
            user, actor, r[0], r[2], in_scope=unmasking.in_scope(db, actor, r[0].case_id)
        )
        is None
    ][:50]
    names = staff_names(db, {r[0].requested_by_id for r in (*asked, *to_decide)})

    def waiting(found: list[Any]) -> list[Waiting]:
        return [
            Waiting(
                "unmask",
                urn,
                reference,
                names.get(request.requested_by_id, "A colleague"),
                request.requested_at,
                "anonymity_unmask_request",
                {
                    "case_id": request.case_id,
                    "person_id": request.person_id,
                    "request_id": request.id,
                },
            )
            for request, urn, _, reference in found
        ]

    return waiting(to_decide), waiting(asked)


def may_approve_applications(unit: Unit, settings: Settings) -> bool:
    return service.may_approve_as_second_person(unit.db, unit.actor, settings)


def application_for_approver(
    unit: Unit, settings: Settings, case_id: uuid.UUID, application_id: uuid.UUID
) -> tuple[Case, AnonymityApplication, Any] | None:
    """A drafted application its second person may decide (or one they approved), in their
    Area though perhaps not in their own cases (None: not one, and the caller loads it in the
    actor's scope)."""
    db, actor = unit.db, unit.actor
    if not may_approve_applications(unit, settings) or not actor.area:
        return None
    application = db.get(AnonymityApplication, application_id)
    if application is None or application.case_id != case_id:
        return None
    case = db.get(Case, case_id)
    theirs = application.state == "drafted" or application.approved_by_id == actor.user_id
    if not theirs or case is None or case.area != actor.area:
        return None
    person = db.get(Person, application.person_id)
    return None if person is None else (case, application, person)


def _application_rows(unit: Unit, settings: Settings, *, mine: bool) -> list[Waiting]:
    db, actor = unit.db, unit.actor
    query = (
        select(AnonymityApplication, Case.urn, Person.reference)
        .join(Case, Case.id == AnonymityApplication.case_id)
        .join(Person, Person.id == AnonymityApplication.person_id)
        .where(AnonymityApplication.state == "drafted")
    )
    if mine:
        query = query.where(AnonymityApplication.drafted_by_id == actor.user_id)
    elif may_approve_applications(unit, settings):
        pool = visible_cases(actor)
        if actor.area:
            pool = or_(pool, Case.area == actor.area)
        query = query.where(AnonymityApplication.drafted_by_id != actor.user_id, pool)
    else:
        return []
    rows = db.execute(query.order_by(AnonymityApplication.drafted_at).limit(50)).all()
    names = staff_names(db, {r[0].drafted_by_id for r in rows})
    return [
        Waiting(
            "application",
            urn,
            reference,
            names.get(application.drafted_by_id, "A colleague"),
            application.drafted_at,
            "anonymity_application",
            {"case_id": application.case_id, "application_id": application.id},
        )
        for application, urn, reference in rows
    ]


def waiting_decisions(unit: Unit, settings: Settings) -> WaitingDecisions:
    """References and URNs only: nobody's identity is read."""
    to_decide, asked = _unmask_rows(
        unit,
        decide=unit.actor.can(Permission.APPROVE_UNMASK),
        ask=unit.actor.can(Permission.REQUEST_UNMASK),
    )
    to_decide += _application_rows(unit, settings, mine=False)
    if unit.actor.can(Permission.APPLY_FOR_ANONYMITY):
        asked += _application_rows(unit, settings, mine=True)
    return WaitingDecisions(to_decide, asked)
