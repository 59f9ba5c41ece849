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
from portal.people.vocabulary import vocabulary

PARTNER = "partner:"  # an owner choice naming a kind of partner rather than a member of staff


def owner_choices(db: Session, case: Case, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """Who in the case team may own an action: every active member of staff with access to the
    case (its assigned officers first, then the unit's, then the Area's VLU), and the WCO acting
    (who may hold it by break-glass)."""
    assigned = [case.witness_care_officer_id, case.prosecutor_id]
    if actor.can(Permission.MANAGE_SAFEGUARDING_ACTIONS):  # a witness care officer acting
        assigned.append(actor.user_id)
    first = [i for i in dict.fromkeys(assigned) if i is not None]
    rows = repository.case_team(db, case, also=first)
    found: dict[uuid.UUID, str] = {
        row[0]: f"{row[1]} ({Role(row[2]).label.lower()})" for row in rows
    }
    ordered = [i for i in first if i in found]
    ordered += sorted((i for i in found if i not in ordered), key=lambda i: found[i])
    return [(i, found[i]) for i in ordered]


def partner_choices() -> list[tuple[str, str]]:
    """The named partners who may own an action (rules data), as owner choices."""
    return [(PARTNER + code, label) for code, label in vocabulary().partners]


def _owner_errors(
    db: Session,
    case: Case,
    actor: Actor,
    owner_id: uuid.UUID | None,
    owner_partner: str | None,
    partner_name: str,
) -> dict[str, str]:
    if owner_partner is not None:
        if owner_partner not in dict(vocabulary().partners):
            return {"owner": "Select who owns the action"}
        if not partner_name:
            return {"partner_name": "Enter the name of the partner who owns the action"}
        if len(partner_name) > MAX_PARTNER_NAME:
            return {"partner_name": f"The name must be {MAX_PARTNER_NAME} characters or fewer"}
        return {}
    if owner_id is None or owner_id not in {i for i, _ in owner_choices(db, case, actor)}:
        return {"owner": "Select who owns the action"}
    return {}


MAX_PARTNER_NAME = 200


def add_action(
    unit: Unit,
    at: InCase,
    *,
    description: str,
    owner_id: uuid.UUID | None,
    due_on: date | None,
    owner_partner: str | None = None,
    partner_name: str = "",
    unreadable: Mapping[str, str] | None = None,
) -> SafeguardingAction:
    """An action owned by a member of the case team (``owner_id``) or by a named partner
    (``owner_partner``, a kind from rules data, and ``partner_name``)."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = at
    require(actor, Permission.MANAGE_SAFEGUARDING_ACTIONS, WCO_ONLY)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Enter what needs to be done"
    elif len(description) > MAX_ACTION:
        errors["description"] = "The action must be 500 characters or fewer"
    partner_name = partner_name.strip()
    errors |= _owner_errors(db, case, actor, owner_id, owner_partner, partner_name)
    errors |= date_errors(
        "due_on",
        due_on,
        missing="Enter the date the action is due",
        wrong="The due date must be today or in the future",
        future=True,
    )
    errors |= case_text_errors(db, vault, case.id, {"description": ("The action", description)})
    refuse(errors, unreadable)
    assert due_on is not None
    action = SafeguardingAction(
        case_party_id=party.id,
        key_id=person.key_id,
        owner_id=None if owner_partner is not None else owner_id,
        owner_partner=owner_partner,
        due_on=due_on,
        status="open",
    )
    vault.put(action, "description", description)
    if owner_partner is not None:
        vault.put(action, "partner_name", partner_name)
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
    owner: str  # a member of staff, or the kind of partner
    due_on: date
    status: str
    completed_on: date | None
    version: int
    overdue: bool
    partner_name: Sensitive | None = None  # a partner's name (None for auditors)


def action_views(db: Session, vault: Vault, party: CaseParty, *, today: date) -> list[ActionView]:
    rows = repository.actions_of(db, party.id)
    staff = repository.staff_names(db, {r.owner_id for r in rows})
    partners = dict(vocabulary().partners)
    return [
        ActionView(
            r.id,
            vault.open(r, "description"),  # None for auditors: the vault withholds it
            partners.get(r.owner_partner, r.owner_partner)
            if r.owner_partner is not None
            else staff.get(r.owner_id, "a former user")
            if r.owner_id is not None
            else "a former user",
            r.due_on,
            r.status,
            r.completed_on,
            r.version,
            r.status == "open" and r.due_on < today,
            vault.open(r, "partner_name") if r.owner_partner is not None else None,
        )
        for r in rows
    ]
