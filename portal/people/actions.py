"""Safeguarding actions: what needs doing for a person, by whom and when (optimistically locked)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, CaseParty
from portal.clock import to_london, utc_now
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.kit.errors import StaleEdit
from portal.people import repository
from portal.people.models import Person, SafeguardingAction
from portal.people.safeguarding import (
    MAX_ACTION,
    WCO_ONLY,
    InCase,
    add_change,
    date_errors,
    record_change,
    require,
)
from portal.people.service import refuse


def owner_choices(db: Session, case: Case, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """Who may own an action: the case's prosecutor and witness care officer, and the WCO acting."""
    wanted = [case.witness_care_officer_id, case.prosecutor_id]
    if actor.can(Permission.MANAGE_SAFEGUARDING_ACTIONS):  # a witness care officer acting
        wanted.append(actor.user_id)
    ids = [i for i in dict.fromkeys(wanted) if i is not None]
    rows = repository.active_staff(db, ids)
    found = {row[0]: f"{row[1]} ({Role(row[2]).label.lower()})" for row in rows}
    return [(i, found[i]) for i in ids if i in found]


def add_action(
    unit: Unit,
    at: InCase,
    *,
    description: str,
    owner_id: uuid.UUID | None,
    due_on: date | None,
    unreadable: Mapping[str, str] | None = None,
) -> SafeguardingAction:
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = at
    require(actor, Permission.MANAGE_SAFEGUARDING_ACTIONS, WCO_ONLY)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Enter what needs to be done"
    elif len(description) > MAX_ACTION:
        errors["description"] = "The action must be 500 characters or fewer"
    if owner_id is None or owner_id not in {i for i, _ in owner_choices(db, case, actor)}:
        errors["owner"] = "Select who owns the action"
    errors |= date_errors(
        "due_on",
        due_on,
        missing="Enter the date the action is due",
        wrong="The due date must be today or in the future",
        future=True,
    )
    errors |= case_text_errors(db, vault, case.id, {"description": ("The action", description)})
    refuse(errors, unreadable)
    assert owner_id is not None
    assert due_on is not None
    action = SafeguardingAction(
        id=uuid.uuid4(),
        case_party_id=party.id,
        key_id=person.key_id,
        owner_id=owner_id,
        due_on=due_on,
        status="open",
    )
    vault.put(action, "description", description)
    return add_change(db, actor, party, person, case.id, "action_added", action)


def complete_action(
    db: Session,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    action_id: uuid.UUID,
    *,
    expected_version: int,
) -> SafeguardingAction:
    """Mark an action done unless someone else changed it first (optimistic locking)."""
    require(actor, Permission.MANAGE_SAFEGUARDING_ACTIONS, WCO_ONLY)
    action = repository.action_of(db, party.id, action_id)
    if action is None:
        raise CaseNotFound(case.id)
    if action.version != expected_version:
        raise StaleEdit({"status": action.status}, action.version)
    if action.status == "done":
        return action
    action.status = "done"
    action.completed_on = to_london(utc_now()).date()
    db.flush()  # raises StaleDataError if another transaction won the race meanwhile
    record_change(db, actor, party, person, case.id, "action_done", action.id)
    return action


@dataclass(frozen=True, slots=True)
class ActionView:
    id: uuid.UUID
    description: Sensitive | None  # None for auditors
    owner: str
    due_on: date
    status: str
    completed_on: date | None
    version: int
    overdue: bool


def action_views(db: Session, vault: Vault, party: CaseParty, *, today: date) -> list[ActionView]:
    rows = repository.actions_of(db, party.id)
    staff = repository.staff_names(db, {r.owner_id for r in rows})
    return [
        ActionView(
            r.id,
            vault.open(r, "description"),  # None for auditors: the vault withholds it
            staff.get(r.owner_id, "a former user"),
            r.due_on,
            r.status,
            r.completed_on,
            r.version,
            r.status == "open" and r.due_on < today,
        )
        for r in rows
    ]
