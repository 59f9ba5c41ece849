"""A person's identifying details as typed, and the values they are sealed as. One definition
for the person's record (``portal.people.records`` re-exports it) and the CSV importer's
``NewPerson`` (``portal.cases.import_rows``), so both store the same details the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonDetails:
    full_name: str
    date_of_birth: date | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    is_business: bool = False
    business_contact: str | None = None

    @property
    def born(self) -> str | None:
        """The date of birth as stored (ISO), or None."""
        return self.date_of_birth.isoformat() if self.date_of_birth else None

    def stored(self) -> dict[str, str | None]:
        """Each sealed column's value: trimmed, an empty one None (``is_business`` is not
        sealed)."""
        return {
            "full_name": self.full_name.strip(),
            "date_of_birth": self.born,
            "address": (self.address or "").strip() or None,
            "phone": (self.phone or "").strip() or None,
            "email": (self.email or "").strip() or None,
            "business_contact": (self.business_contact or "").strip() or None,
        }
