"""Victims and witnesses: adding them to cases, reading and updating what we hold about them.

Every personal value is sealed under the person's own data key. Reads decrypt only what the
page needs and log the consultation; writes log the collection or alteration with field names,
never values (DPA 2018 s62).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.anonymity import identity
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, StaleEdit, ValidationFailed
from portal.cases.events import PeopleAddedToCase
from portal.cases.models import Case, CaseParty
from portal.clock import LONDON, utc_now
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.kit.events import publish
from portal.people import name_index, repository
from portal.people.models import Person, PersonReference, SupportReferral
from portal.people.records import (
    ASCII_DIGITS as ASCII_DIGITS,
)
from portal.people.records import (
    CONTACT_LIMITS as CONTACT_LIMITS,
)
from portal.people.records import (  # re-exported: the old import paths keep working
    EDITABLE_FIELDS as EDITABLE_FIELDS,
)
from portal.people.records import (
    PHONE_CHARACTERS as PHONE_CHARACTERS,
)
from portal.people.records import (
    SAFE_CONTACT_CHANNELS as SAFE_CONTACT_CHANNELS,
)
from portal.people.records import (
    CommunicationNeeds as CommunicationNeeds,
)
from portal.people.records import (
    PersonDetails as PersonDetails,
)
from portal.people.records import (
    SafeContact as SafeContact,
)
from portal.people.records import (
    parse_date as parse_date,
)
from portal.people.records import (
    refuse as refuse,
)
from portal.people.records import (
    validate_contact as validate_contact,
)
from portal.people.records import (
    validate_details as validate_details,
)


def new_reference() -> str:
    alphabet = "23456789BCDFGHJKLMNPQRSTVWXZ"  # no vowels: references never spell words
    # 28^8 = 3.8e11 references: a clash is vanishingly rare even with millions of people.
    return "P-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _require_editor(actor: Actor, permission: Permission = Permission.EDIT_PERSON) -> None:
    if not actor.can(permission):
        raise NotPermitted("only witness care officers and prosecutors change people's records")


def audit_person(
    db: Session,
    actor: Actor | None,
    person: Person,
    case_id: uuid.UUID | None,
    *,
    category: str,
    action: str,
    object_type: str = "person",
    object_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
) -> None:
    """The audit row of something done to or read about a person: field names, never values."""
    audit.record_about(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=object_type,
        object_id=person.id if object_id is None else object_id,
        case_id=case_id,
        person=person,
        fields=fields,
    )


def _apply_details(vault: Vault, person: Person, details: PersonDetails) -> None:
    # Compute the indexes first: they read the index key, and a query after the assignments
    # below would flush the person early and bump its version twice.
    sealed = person.identity_sealed
    name_index = None if sealed else vault.blind_index("person.full_name", details.full_name)
    dob_index = (
        vault.blind_index("person.date_of_birth", details.date_of_birth.isoformat())
        if details.date_of_birth and not sealed
        else None
    )
    for column, value in details.stored().items():
        vault.put(person, column, value)
    person.is_business = details.is_business
    person.name_index = name_index  # never an index on a sealed identity
    person.dob_index = dob_index


def add_person_to_case(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    details: PersonDetails,
    *,
    is_victim: bool,
    is_witness: bool,
    safe_contact: SafeContact | None = None,
    needs: CommunicationNeeds | None = None,
    audit_it: bool = True,
    unreadable: Mapping[str, str] | None = None,
) -> tuple[Person, CaseParty]:
    _require_editor(actor)
    errors: dict[str, str] = {}
    if not (is_victim or is_witness):
        errors["role"] = "Select whether the person is a victim, a witness or both"
    errors |= validate_details(details)
    if safe_contact is not None or needs is not None:
        errors |= validate_contact(safe_contact or SafeContact(), needs or CommunicationNeeds())
    refuse(errors, unreadable)
    person = Person(reference=new_reference())
    person.key_id = vault.new_key("person", owner_id=person.id)
    _apply_details(vault, person, details)
    if safe_contact is not None:
        vault.put(person, "safe_contact", safe_contact.to_json())
    if needs is not None:
        vault.put(person, "communication_needs", needs.to_json())
    db.add(person)
    db.flush()  # no ORM relationships (lazy loading is banned), so insert the person first
    name_index.put_name_words(db, vault, person, details.full_name)
    party = CaseParty(
        case_id=case.id,
        person_id=person.id,
        is_victim=is_victim,
        is_witness=is_witness,
        key_id=person.key_id,
    )
    db.add(party)
    db.flush()
    if audit_it:
        audit_person(db, actor, person, case.id, category="collection", action="person.add")
    # Events already recorded in the case owe them their rights from today (portal.kit.events).
    publish(db, PeopleAddedToCase(case.id, (party.id,), actor, utc_now().astimezone(LONDON).date()))
    return person, party


@dataclass(slots=True)
class PersonView:
    """What a page shows of a person: decrypted values that mask themselves outside templates."""

    person: Person
    full_name: Sensitive | None
    date_of_birth: date | None
    address: Sensitive | None
    phone: Sensitive | None
    email: Sensitive | None
    business_contact: Sensitive | None
    safe_contact: SafeContact
    needs: CommunicationNeeds
    representative: dict[str, Any] = field(default_factory=dict)

    def form_values(self) -> dict[str, str]:
        return {
            "full_name": self.full_name.reveal() if self.full_name else "",
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "address": self.address.reveal() if self.address else "",
            "phone": self.phone.reveal() if self.phone else "",
            "email": self.email.reveal() if self.email else "",
        }


def view_person(
    db: Session, vault: Vault, actor: Actor, person: Person, *, case_id: uuid.UUID | None
) -> PersonView:
    dob_text = vault.open_text(person, "date_of_birth")
    view = PersonView(
        person=person,
        full_name=vault.open(person, "full_name"),
        date_of_birth=parse_date(dob_text),
        address=vault.open(person, "address"),
        phone=vault.open(person, "phone"),
        email=vault.open(person, "email"),
        business_contact=vault.open(person, "business_contact"),
        safe_contact=SafeContact.from_json(vault.open_text(person, "safe_contact")),
        needs=CommunicationNeeds.from_json(vault.open_text(person, "communication_needs")),
        representative=json.loads(vault.open_text(person, "representative") or "{}"),
    )
    audit_person(db, actor, person, case_id, category="consultation", action="person.view")
    return view


def date_of_birth_of(vault: Vault, person: Person) -> date | None:
    """For computing child status only (shown as under/over 18, never as the date)."""
    raw = vault.open_internal(person, "date_of_birth")
    return parse_date(raw.decode() if raw else None)


def update_person(
    db: Session,
    vault: Vault,
    actor: Actor,
    person: Person,
    details: PersonDetails,
    *,
    expected_version: int,
    case_id: uuid.UUID | None,
    unreadable: Mapping[str, str] | None = None,
) -> list[str]:
    """Save new details unless someone else saved first. Returns the fields that changed.

    The one validation pass: ``unreadable`` are the fields the page could not read (a date
    that is not a date); the rules are checked here, before the identity seal and the version.
    """
    _require_editor(actor)
    refuse(validate_details(details), unreadable)
    if vault.sealed_for_me(person) is not None:
        raise NotPermitted("this person's identity is sealed by an anonymity order")
    current = {
        "full_name": vault.open_text(person, "full_name") or "",
        "date_of_birth": vault.open_text(person, "date_of_birth") or "",
        "address": vault.open_text(person, "address") or "",
        "phone": vault.open_text(person, "phone") or "",
        "email": vault.open_text(person, "email") or "",
    }
    if person.version != expected_version:
        raise StaleEdit(current, person.version)
    submitted = {
        "full_name": details.full_name.strip(),
        "date_of_birth": details.date_of_birth.isoformat() if details.date_of_birth else "",
        "address": (details.address or "").strip(),
        "phone": (details.phone or "").strip(),
        "email": (details.email or "").strip(),
    }
    changed = [name for name in EDITABLE_FIELDS if current[name] != submitted[name]]
    if not changed:
        return []
    if "address" in changed and current["address"]:
        person.address_changed_at = utc_now()  # letters drafted for the old one are held
    _apply_details(vault, person, details)
    db.flush()  # raises StaleDataError if another transaction won the race meanwhile
    if "full_name" in changed:
        name_index.put_name_words(db, vault, person, details.full_name)
    audit_person(
        db, actor, person, case_id, category="alteration", action="person.update", fields=changed
    )
    return changed


def set_safe_contact(
    db: Session,
    vault: Vault,
    actor: Actor,
    person: Person,
    rules: SafeContact,
    needs: CommunicationNeeds,
    *,
    case_id: uuid.UUID | None,
    expected_version: int | None = None,
    unreadable: Mapping[str, str] | None = None,
) -> None:
    """Save the rules. With ``expected_version`` (the contact page), ``StaleEdit`` if the person
    was saved since the form was shown; the rules are checked first, sealed text after."""
    _require_editor(actor, Permission.EDIT_SAFEGUARDS)
    refuse(validate_contact(rules, needs), unreadable)
    if expected_version is not None and expected_version != person.version:
        raise StaleEdit({}, person.version)
    # Shown to the case team and the VLU in every case the person is in.
    case_ids = repository.case_ids_of_person(db, person.id)
    named = identity.sealed_text_errors(
        identity.sealed_in_cases(db, vault, case_ids),
        {
            "adjustments": ("The adjustments", needs.adjustments),
            "safe_times": ("The safe times", rules.safe_times),
            "do_not_tell": ("What not to tell", rules.do_not_tell),
        },
    )
    if named:
        raise ValidationFailed(named)
    vault.put(person, "safe_contact", rules.to_json())
    vault.put(person, "communication_needs", needs.to_json())
    person.version += 0  # the ORM bumps the version on flush because columns changed
    db.flush()
    audit_person(
        db,
        actor,
        person,
        case_id,
        category="alteration",
        action="person.contact_rules",
        fields=("safe_contact", "communication_needs"),
    )


def add_reference(
    db: Session, vault: Vault, actor: Actor, person: Person, *, kind: str, value: str
) -> PersonReference:
    _require_editor(actor, Permission.EDIT_SAFEGUARDS)
    ref = PersonReference(person_id=person.id, kind=kind, key_id=person.key_id)
    vault.put(ref, "value", value.strip())
    ref.value_index = vault.blind_index("person_reference.value", value)
    db.add(ref)
    db.flush()
    return ref


def add_support_referral(
    db: Session,
    actor: Actor,
    person: Person,
    *,
    service: str,
    referred_on: date,
    consent_given: bool,
    consent_on: date | None,
) -> SupportReferral:
    _require_editor(actor, Permission.EDIT_SAFEGUARDS)
    referral = SupportReferral(
        person_id=person.id,
        service=service,
        referred_on=referred_on,
        consent_given=consent_given,
        consent_on=consent_on,
        key_id=person.key_id,
    )
    db.add(referral)
    db.flush()
    return referral


def erase_person(db: Session, vault: Vault, actor: Actor | None, person: Person) -> None:
    """Erase a person by crypto-shredding: destroy their data key.

    Every value sealed under it (the person row, their parts in cases, needs assessments,
    actions, references, referrals, obligations' notes) becomes unreadable everywhere, backups
    of the ciphertext included. The log records who erased which record and when: never the
    erased values (ICO guidance on erasure logs).
    """
    vault.destroy(person.key_id)
    person.erased = True
    person.name_index = None
    person.dob_index = None
    name_index.remove_name_words(db, person.id)
    db.flush()
    audit_person(db, actor, person, None, category="erasure", action="person.erase")


def seal_identity(db: Session, actor: Actor, person: Person) -> None:
    """Remove the blind indexes on a protected witness's true identity (anonymity orders):
    a search for their true name or date of birth can then never find them."""
    person.identity_sealed = True
    person.name_index = None
    person.dob_index = None
    name_index.remove_name_words(db, person.id)
    db.flush()
    audit_person(
        db,
        actor,
        person,
        None,
        category="alteration",
        action="person.seal_identity",
        fields=("name_index", "dob_index", "name_words"),
    )
