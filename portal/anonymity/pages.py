"""A person's anonymity pages as use cases for the edge: each takes the request's ``Unit``, loads
the case and person (or application, or unmask request) in the actor's scope, writes the
consultation row, and returns what the page shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity import decisions, service, unmasking
from portal.anonymity.models import MEASURES, AnonymityApplication, UnmaskRequest
from portal.anonymity.recording import consulted, person_in_case
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, NotPermitted
from portal.cases.models import Case
from portal.db.encrypted import Sensitive
from portal.keys.vault import pseudonym
from portal.settings import Settings

# portal.people.models.Person, not imported: portal.people imports this package (identity).
Person = Any
APPLICATION_TEXTS = ("condition_a", "condition_b", "condition_c", "considerations")
# The second person's choices on an application, none of them pre-selected.
SECOND_PERSON_DECISIONS = {
    "approve": "Approve",
    "return": "Return to the author with a comment",
    "decline": "Refuse: the application should not be made",
}


# --- the person's page --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonPage:
    case: Case
    person: Person
    shown_name: Sensitive | None
    applications: list[AnonymityApplication]
    requests: list[UnmaskRequest]
    may_record: bool
    may_apply: bool
    may_unmask: bool
    granted: bool
    me: uuid.UUID
    staff: dict[uuid.UUID, str]
    may_decide: set[uuid.UUID]
    outcomes: dict[str, str]
    order: AnonymityApplication | None  # the order in force (granted or varied), if any
    order_measures: list[str]
    in_progress: AnonymityApplication | None  # an application not yet decided by the court
    unmask_minutes: int


def person_page(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, *, unmask_minutes: int
) -> PersonPage:
    db, actor, vault = unit.db, unit.actor, unit.vault
    case, person = person_in_case(unit, case_id, person_id)
    applications = service.applications_for(db, case.id, person.id)
    user = db.get(User, actor.user_id)
    # The actor's own requests, and the ones waiting that they may decide.
    decidable = {
        r.id
        for r in service.requests_for(db, person.id)
        if r.state == "pending"
        and unmasking.refusal(user, actor, r, case.area, in_scope=True) is None
    }
    requests = [
        r
        for r in service.requests_for(db, person.id)
        if r.requested_by_id == actor.user_id or r.id in decidable
    ]
    order = next((a for a in applications if a.state in ("granted", "varied")), None)
    granted = person.key_id in vault.unsealed_keys
    consulted(unit, "anonymity.view", "person", person.id, case, person)
    return PersonPage(
        case=case,
        person=person,
        shown_name=vault.open(person, "full_name"),
        applications=applications,
        requests=requests,
        may_record=actor.can(Permission.RECORD_RESTRICTION),
        may_apply=actor.can(Permission.APPLY_FOR_ANONYMITY),
        may_unmask=bool(user and user.may_unmask and actor.can(Permission.REQUEST_UNMASK)),
        may_decide=decidable,
        order=order,
        order_measures=[MEASURES[m] for m in order.measures.split(",") if m in MEASURES]
        if order
        else [],
        in_progress=next(
            (a for a in applications if a.state in ("drafted", "approved", "served")), None
        ),
        outcomes=unmasking.OUTCOMES,
        granted=granted,
        me=actor.user_id,
        staff=service.staff_names(
            db, {i for r in requests for i in (r.requested_by_id, r.approved_by_id)}
        ),
        unmask_minutes=unmask_minutes,
    )


def add_restriction(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    kind: str,
    starts_on: date | None,
    ends_on: date | None,
    court_reference: str,
    waived_in_writing: bool,
) -> None:
    case, person = person_in_case(unit, case_id, person_id)
    service.add_restriction(
        unit.db,
        unit.actor,
        case,
        person,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        court_reference=court_reference,
        waived_in_writing=waived_in_writing,
    )


def draft_application(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    condition_a: str,
    condition_b: str,
    condition_c: str,
    considerations: str,
    measures: list[str],
) -> service.Drafted:
    case, person = person_in_case(unit, case_id, person_id)
    return service.draft_application(
        unit.db,
        unit.vault,
        unit.actor,
        case,
        person,
        condition_a=condition_a,
        condition_b=condition_b,
        condition_c=condition_c,
        considerations=considerations,
        measures=measures,
    )


# --- an application -----------------------------------------------------------------------------


def _application(
    unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID, settings: Settings | None = None
) -> tuple[Case, AnonymityApplication, Person]:
    """The application in the actor's scope; or, for its second person (``settings`` names
    the approving role), any drafted application of their Area: the approver pool is set by
    permission, not only by the cases they work on."""
    if settings is not None:
        pooled = decisions.application_for_approver(unit, settings, case_id, application_id)
        if pooled is not None:
            return pooled
    case = cases_repo.get_case(unit.db, unit.actor, case_id)
    application = unit.db.get(AnonymityApplication, application_id)
    if application is None or application.case_id != case.id:
        raise CaseNotFound(None)
    _, _, person = cases_repo.party_in_case(unit.db, unit.actor, case.id, application.person_id)
    return case, application, person


@dataclass(frozen=True, slots=True)
class ApplicationPage:
    case: Case
    application: AnonymityApplication
    person: Person
    pseudonym: str
    texts: dict[str, Sensitive | None]
    measures: list[str]
    possible: list[str]  # the steps offered from here, in TRANSITIONS order
    shown_name: Sensitive | None
    return_comment: Sensitive | None
    decisions: list[tuple[str, str]]
    granted: bool
    staff: dict[uuid.UUID, str]


def application_page(
    unit: Unit,
    settings: Settings,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    *,
    court_only: bool = False,
) -> ApplicationPage:
    """The application; ``court_only`` (its court version) needs the identity unsealed."""
    vault = unit.vault
    case, application, person = _application(unit, case_id, application_id, settings)
    granted = person.key_id in vault.unsealed_keys
    if court_only and not granted:
        raise NotPermitted("the court-only version needs an approved request to see the identity")
    texts = {name: vault.open(application, name) for name in APPLICATION_TEXTS}
    consulted(
        unit, "anonymity.application_view", "anonymity_application", application.id, case, person
    )
    may_approve = (
        decisions.may_approve_applications(unit, settings)
        and unit.actor.user_id != application.drafted_by_id
    )
    # Only the steps this actor may take (the service refuses the others too): the author is
    # not offered the approval, nor an approver who is not a prosecutor the court's steps.
    possible = [
        a
        for a, (source, _) in service.TRANSITIONS.items()
        if source == application.state
        and (may_approve if a == "approve" else unit.actor.can(Permission.APPLY_FOR_ANONYMITY))
    ]
    return ApplicationPage(
        case=case,
        application=application,
        person=person,
        pseudonym=pseudonym(person.reference),
        texts=texts,
        measures=[MEASURES[m] for m in application.measures.split(",") if m in MEASURES],
        possible=possible,
        shown_name=vault.open(person, "full_name"),
        return_comment=vault.open(application, "return_comment"),
        decisions=list(SECOND_PERSON_DECISIONS.items()),
        granted=granted,
        staff=service.staff_names(
            unit.db,
            {application.drafted_by_id, application.approved_by_id, application.returned_by_id},
        ),
    )


def transition(
    unit: Unit,
    settings: Settings,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    action: str,
    *,
    on: date | None,
    court_reference: str,
) -> None:
    _, application, _ = _application(unit, case_id, application_id, settings)
    service.transition(
        unit.db,
        unit.actor,
        settings,
        application,
        action,
        on=on,
        court_reference=court_reference,
    )


def return_application(
    unit: Unit,
    settings: Settings,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    *,
    comment: str,
    refuse: bool = False,
) -> None:
    _, application, _ = _application(unit, case_id, application_id, settings)
    service.return_application(
        unit.db, unit.vault, unit.actor, settings, application, comment=comment, refuse=refuse
    )


# --- unmasking ----------------------------------------------------------------------------------


def request_unmask(
    unit: Unit,
    settings: Settings,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    reason: str,
    password: str,
    client: str,
) -> None:
    case, person = person_in_case(unit, case_id, person_id)
    service.request_unmask(
        unit.db,
        unit.vault,
        unit.actor,
        settings,
        case,
        person,
        reason=reason,
        password=password,
        client=client,
    )


@dataclass(frozen=True, slots=True)
class RestrictedPerson:
    person_id: uuid.UUID
    reference: str
    restrictions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseRestrictions:
    case: Case
    people: tuple[RestrictedPerson, ...]


def case_restrictions(unit: Unit, case_id: uuid.UUID) -> CaseRestrictions:
    """Who in the case the restrictions banner is about, and why: references only."""
    case = cases_repo.get_case(unit.db, unit.actor, case_id)
    notices = service.notices_for(unit.db, case_id=case.id, person_id=None)
    grouped: dict[tuple[str, uuid.UUID], list[str]] = {}
    for notice in notices:
        grouped.setdefault((notice.reference, notice.person_id), []).append(notice.text)
    consulted(unit, "anonymity.case_restrictions", "case", case.id, case)
    return CaseRestrictions(
        case=case,
        people=tuple(
            RestrictedPerson(person_id, reference, tuple(texts))
            for (reference, person_id), texts in sorted(grouped.items())
        ),
    )
