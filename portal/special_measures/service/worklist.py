"""My work: the applications waiting for the actor's team, overdue first, then by deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.models import Case, CaseParty
from portal.people.models import Person
from portal.special_measures import repository
from portal.special_measures.models import SpecialMeasuresApplication
from portal.special_measures.service import lookup
from portal.special_measures.service.reading import (
    STATUS_RANK,
    DeadlineStatus,
    deadline,
    deadline_status,
)
from portal.special_measures.states import State
from portal.victims_code.deadlines import DueDate


@dataclass
class WorkItem:
    application: SpecialMeasuresApplication
    party: CaseParty
    person: Person
    case: Case
    due: DueDate | None
    status: DeadlineStatus
    next_step: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


WORK_STATES: dict[Role, tuple[State, ...]] = {
    Role.WITNESS_CARE_OFFICER: (State.IDENTIFIED,),
    Role.PROSECUTOR: (State.IDENTIFIED, State.REQUESTED, State.DRAFTED, State.SERVED),
}
NEXT_STEP = {
    State.IDENTIFIED: "Ask the prosecutor to apply, or draft the application",
    State.REQUESTED: "Draft the application",
    State.DRAFTED: "Serve the application",
    State.SERVED: "Record the court's decision",
}


def work(db: Session, actor: Actor, today: date) -> list[WorkItem]:
    """Applications waiting for the actor's team, overdue first, then by deadline."""
    rows = repository.work_for(db, actor, WORK_STATES.get(actor.role, ()))
    pleas = repository.not_guilty_pleas(db, {case.id for _, _, _, case in rows})
    items = []
    for application, party, person, case in rows:
        due = deadline(case, pleas.get(case.id))
        step = NEXT_STEP[State(application.state)]
        if actor.role is Role.WITNESS_CARE_OFFICER:
            step = "Ask the prosecutor to apply"
        items.append(
            WorkItem(
                application,
                party,
                person,
                case,
                due,
                deadline_status(application, due, today),
                step,
            )
        )
    items.sort(
        key=lambda i: (
            STATUS_RANK.get(i.status.code, 4),
            i.status.due or date.max,
            i.case.urn,
            i.person.reference,
        )
    )
    return items


@dataclass(frozen=True, slots=True)
class WorkPage:
    items: list[WorkItem]
    names: dict[Any, Any]


def work_page(unit: Unit) -> WorkPage:
    """The actor's work list, each person shown logged as consulted."""
    items = work(unit.db, unit.actor, lookup.today())
    vault = unit.vault
    vault.load({item.person.key_id for item in items})
    names = {item.person.id: lookup.name_of(vault, item.person) for item in items}
    shown = [item.person for item in items if not item.person.erased]
    audit.people_listed(unit.db, unit.actor, "person.special_measures_work", shown, None, once=True)
    return WorkPage(items, names)
