"""The case list's enhanced status: for each case, how many of its victims have enhanced rights
under the Victims' Code, computed by ``portal.cases.enhanced.for_party`` (what the person page
shows) for every victim of the listed cases in batch: one query for the victims, one for their
keys, and a date of birth opened only where it could change the answer (a victim with no other
category and a dated offence), never shown."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from portal.cases import enhanced, repository
from portal.cases.models import Offence
from portal.keys.vault import Encryptable, Vault


@dataclass(frozen=True, slots=True)
class CaseEnhanced:
    victims: int = 0
    enhanced: int = 0
    categories: tuple[str, ...] = field(default_factory=tuple)  # labels, in the usual order

    @property
    def summary(self) -> str:
        if not self.victims:
            return "No victims recorded"
        if not self.enhanced:
            return "None"
        return f"{self.enhanced} of {self.victims} {'victim' if self.victims == 1 else 'victims'}"


def _born(vault: Vault, person: Encryptable) -> date | None:
    """For child status only (the value is never shown or returned)."""
    raw = vault.open_internal(person, "date_of_birth")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.decode())
    except ValueError:
        return None


def enhanced_by_case(
    db: Session, vault: Vault, offences: dict[uuid.UUID, list[Offence]]
) -> dict[uuid.UUID, CaseEnhanced]:
    """Each listed case's enhanced status (``offences``: the listed cases' offences by case)."""
    victims = repository.victims_of(db, list(offences))
    wanted = [
        person
        for party, person in victims
        if enhanced.needs_birth_date(party, offences[party.case_id])
    ]
    vault.load({person.key_id for person in wanted})
    births = {person.id: _born(vault, person) for person in wanted}
    order = list(enhanced.LABELS)
    found: dict[uuid.UUID, tuple[int, int, set[str]]] = {cid: (0, 0, set()) for cid in offences}
    for party, person in victims:
        count, with_rights, codes = found[party.case_id]
        categories = enhanced.for_party(party, offences[party.case_id], births.get(person.id))
        codes |= {c.code for c in categories}
        found[party.case_id] = (count + 1, with_rights + bool(categories), codes)
    return {
        cid: CaseEnhanced(
            count, with_rights, tuple(enhanced.LABELS[c] for c in order if c in codes)
        )
        for cid, (count, with_rights, codes) in found.items()
    }
