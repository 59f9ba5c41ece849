"""What a person's record holds, as values: their details, their communication needs and
safe-contact rules (sealed as JSON), and every rule on them (one validation pass, used by the
add and edit pages, the importer and the services)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self

from portal.kit.errors import ValidationFailed
from portal.kit.person_details import PersonDetails as PersonDetails  # re-exported

EDITABLE_FIELDS = ("full_name", "date_of_birth", "address", "phone", "email")
SAFE_CONTACT_CHANNELS = ("phone", "text", "email", "letter", "in_person", "via_representative")


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class SealedDocument:
    """A small dataclass sealed whole as JSON, every field under its own name. Reading takes
    what is there (a key stored before a field existed is missing: its default stands), as
    the field's type: a list back to a tuple, any value to a flag."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: str | None) -> Self:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(
            **{
                f.name: _as(f.default, data[f.name])
                for f in dataclasses.fields(cls)
                if f.name in data
            }
        )


def _as(default: object, value: Any) -> Any:
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, tuple):
        return tuple(value)
    return value


@dataclass(frozen=True, slots=True)
class SafeContact(SealedDocument):
    channels: tuple[str, ...] = ()
    safe_times: str = ""
    no_voicemail: bool = False
    do_not_tell: str = ""


@dataclass(frozen=True, slots=True)
class CommunicationNeeds(SealedDocument):
    language: str = ""
    interpreter: bool = False
    intermediary: bool = False
    adjustments: str = ""


ASCII_DIGITS = frozenset("0123456789")
PHONE_CHARACTERS = ASCII_DIGITS | set(" +()-")
CONTACT_LIMITS = {
    "language": (100, "Language must be 100 characters or fewer"),
    "adjustments": (1000, "Adjustments must be 1,000 characters or fewer"),
    "safe_times": (200, "Safe times must be 200 characters or fewer"),
    "do_not_tell": (1000, "Who must not be told must be 1,000 characters or fewer"),
}


def validate_details(details: PersonDetails) -> dict[str, str]:
    """Every rule on a person's details, in one place (the add and edit pages, the services)."""
    errors: dict[str, str] = {}
    if not details.full_name.strip():
        errors["full_name"] = "Enter the person's full name"
    elif len(details.full_name) > 200:
        errors["full_name"] = "Full name must be 200 characters or fewer"
    if details.date_of_birth and details.date_of_birth > date.today():
        errors["date_of_birth"] = "Date of birth must be in the past"
    if len(details.address or "") > 500:
        errors["address"] = "Address must be 500 characters or fewer"
    phone = details.phone or ""
    digits = sum(c in ASCII_DIGITS for c in phone)
    if phone and (not set(phone) <= PHONE_CHARACTERS or not 7 <= digits <= 15):
        errors["phone"] = "Enter a telephone number, like 01632 960 001 or +44 808 157 0192"
    if details.email and "@" not in details.email:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    elif len(details.email or "") > 254:
        errors["email"] = "Email address must be 254 characters or fewer"
    contact = details.business_contact or ""
    if details.is_business and not contact.strip():
        errors["business_contact"] = "Enter the name of the business's contact"
    elif details.is_business and len(contact) > 200:
        errors["business_contact"] = "The contact's name must be 200 characters or fewer"
    return errors


def validate_contact(rules: SafeContact, needs: CommunicationNeeds) -> dict[str, str]:
    """Every rule on communication needs and safe-contact rules (sealed text is the vault's)."""
    typed = {
        "language": needs.language,
        "adjustments": needs.adjustments,
        "safe_times": rules.safe_times,
        "do_not_tell": rules.do_not_tell,
    }
    errors = {
        name: message
        for name, (limit, message) in CONTACT_LIMITS.items()
        if len(typed[name]) > limit
    }
    if any(c not in SAFE_CONTACT_CHANNELS for c in rules.channels):
        errors["channels"] = "Select how it is safe to contact the person"
    return errors


def refuse(errors: Mapping[str, str], unreadable: Mapping[str, str] | None = None) -> None:
    """Raise ``ValidationFailed`` if the rules found anything, or the caller could not read a
    field (``unreadable``: its message wins). Nothing has been written yet."""
    found = {**errors, **(unreadable or {})}
    if found:
        raise ValidationFailed(found)
