"""A person's parents, guardians and representatives: who they are, how to reach them, and
whether the person is contacted through them (issue 15 point 5).

Children's parents and guardians receive their rights (domain-rules.md 1.2), and "through their
representative" needs one recorded (``portal.people.contact``). Every personal value is sealed
under the person's own key. The nominated one is also the person's ``representative`` (sealed:
the contact's id and relationship), which is what the safe-contact check reads, with no query.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.unit import Unit
from portal.clock import utc_now
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.people import repository
from portal.people.models import Person, PersonContact
from portal.people.records import PersonDetails, validate_details
from portal.people.safeguarding import InCase, record_change, require_editor
from portal.people.service import refuse
from portal.people.vocabulary import vocabulary

NAME_MESSAGES = {
    "Enter the person's full name": "Enter the contact's full name",
}


@dataclass(frozen=True, slots=True)
class NewContact:
    relationship: str
    full_name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    nominated: bool = False


def contact_errors(new: NewContact) -> dict[str, str]:
    errors: dict[str, str] = {}
    relationship = vocabulary().relationship(new.relationship)
    if relationship is None:
        errors["relationship"] = "Select their relationship to the person"
    details = PersonDetails(
        full_name=new.full_name,
        address=new.address or None,
        phone=new.phone or None,
        email=new.email or None,
    )
    for name, message in validate_details(details).items():
        errors[name] = NAME_MESSAGES.get(message, message)
    if new.nominated and relationship is not None and not relationship.represents:
        errors["nominated"] = (
            f"A contact recorded as {relationship.label.lower()} cannot be nominated to be "
            "contacted for the person"
        )
    return errors


def add_contact(
    unit: Unit, at: InCase, new: NewContact, *, unreadable: Mapping[str, str] | None = None
) -> PersonContact:
    """Record a linked contact; a nominated one replaces the nominated one before it."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = at
    require_editor(actor)
    refuse(contact_errors(new), unreadable)
    contact = PersonContact(
        person_id=person.id,
        key_id=person.key_id,
        relationship=new.relationship,
        nominated=new.nominated,
        added_by_id=actor.user_id,
        added_at=utc_now(),
    )
    vault.put(contact, "name", new.full_name.strip())
    for column in ("phone", "email", "address"):
        vault.put(contact, column, getattr(new, column).strip() or None)
    if new.nominated:
        for other in repository.contacts_of(db, person.id):
            other.nominated = False
        _nominate(vault, person, contact)
    db.add(contact)
    db.flush()
    fields = ("relationship", "name", "phone", "email", "address", "nominated")
    record_change(db, actor, party, person, case.id, "contact_added", contact.id, fields=fields)
    return contact


def remove_contact(unit: Unit, at: InCase, contact_id: uuid.UUID) -> bool:
    """Remove a linked contact (recorded in error, or no longer involved). False when it was
    already gone (pressed twice, or by two officers). The nominated one takes the person's
    representative with it."""
    db, actor = unit.db, unit.actor
    case, party, person = at
    require_editor(actor)
    contact = repository.contact_of(db, person.id, contact_id)
    if contact is None:
        return False
    if contact.nominated:
        person.representative = None
    db.delete(contact)
    db.flush()
    record_change(db, actor, party, person, case.id, "contact_removed", contact_id)
    return True


def _nominate(vault: Vault, person: Person, contact: PersonContact) -> None:
    document = {"contact_id": str(contact.id), "relationship": contact.relationship}
    vault.put(person, "representative", json.dumps(document))


@dataclass(frozen=True, slots=True)
class ContactView:
    id: uuid.UUID
    relationship: str
    name: Sensitive | None  # None when withheld (a sealed identity, a pseudonymised viewer)
    phone: Sensitive | None
    email: Sensitive | None
    address: Sensitive | None
    nominated: bool


def contact_views(db: Session, vault: Vault, person: Person) -> list[ContactView]:
    words = vocabulary()
    views = []
    for row in repository.contacts_of(db, person.id):
        relationship = words.relationship(row.relationship)
        views.append(
            ContactView(
                row.id,
                relationship.label if relationship else row.relationship,
                vault.open(row, "name"),
                vault.open(row, "phone"),
                vault.open(row, "email"),
                vault.open(row, "address"),
                row.nominated,
            )
        )
    return views
