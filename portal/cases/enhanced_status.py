"""The case list's enhanced status: for each case, how many of its victims have enhanced rights
under the Victims' Code, and which categories, computed by the rules the person page uses
(``portal.cases.enhanced.OffenceFacts``) for every victim of the listed cases in batch: one
query for the victims (columns only) and, for the dates of birth it must open, one for their
keys. A date is opened only where it could change the answer (a victim not recorded as
vulnerable, in a case with a dated offence), for child status only, never shown.

A big case has thousands of victims, so what a date of birth says (under 18 at the first
offence, or not) is remembered in the process by a digest of its sealed value and that date:
a changed date of birth is a new sealed value, so nothing goes stale, and the date itself is
never kept. An erased person's date is not opened (their key is gone).
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from threading import Lock

from sqlalchemy.orm import Session

from portal.cases import enhanced, repository
from portal.cases.models import Offence
from portal.db.encrypted import Sealed
from portal.keys.vault import Vault

REMEMBERED = 200_000  # child-status answers kept (a few MB)


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


@dataclass(slots=True)
class _Victim:
    """A victim's part in a case and the sealed date of birth, as the list reads them (what
    ``enhanced.Party`` and the vault's ``Encryptable`` need)."""

    __tablename__ = "person"
    case_id: uuid.UUID
    most_serious: bool
    persistently_targeted: bool
    vulnerable: bool
    intimidated: bool
    id: uuid.UUID  # the person's
    key_id: int
    date_of_birth: Sealed | None
    erased: bool
    is_victim: bool = True


class _ChildStatus:
    """Under 18 at the first offence, by (digest of the sealed date of birth, that date)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[bytes, date], bool | None] = OrderedDict()
        self._lock = Lock()

    @staticmethod
    def key(sealed: Sealed, first_offence_on: date) -> tuple[bytes, date]:
        return hashlib.blake2b(bytes(sealed), digest_size=16).digest(), first_offence_on

    def get(self, key: tuple[bytes, date]) -> tuple[bool, bool | None]:
        with self._lock:
            if key not in self._items:
                return False, None
            self._items.move_to_end(key)
            return True, self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def put(self, key: tuple[bytes, date], child: bool | None) -> None:
        with self._lock:
            self._items[key] = child
            while len(self._items) > self.size:
                self._items.popitem(last=False)


CHILD_STATUS = _ChildStatus(REMEMBERED)


def _born(vault: Vault, victim: _Victim) -> date | None:
    """For child status only (the value is never shown, kept or returned)."""
    raw = vault.open_internal(victim, "date_of_birth")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.decode())
    except ValueError:
        return None


def _child_statuses(
    vault: Vault, victims: list[_Victim], facts: dict[uuid.UUID, enhanced.OffenceFacts]
) -> dict[uuid.UUID, bool | None]:
    """Child status at the first offence of each victim whose date of birth matters."""
    found: dict[uuid.UUID, bool | None] = {}
    unknown: list[tuple[_Victim, tuple[bytes, date], enhanced.OffenceFacts]] = []
    for victim in victims:
        case_facts = facts[victim.case_id]
        first = case_facts.first_offence_on
        if first is None or victim.erased or victim.date_of_birth is None:
            continue
        if not case_facts.needs_birth_date(victim):
            continue
        key = CHILD_STATUS.key(victim.date_of_birth, first)
        known, child = CHILD_STATUS.get(key)
        if known:
            found[victim.id] = child
        else:
            unknown.append((victim, key, case_facts))
    vault.load({victim.key_id for victim, _, _ in unknown})
    for victim, key, case_facts in unknown:
        child = case_facts.child_at_offence(_born(vault, victim))
        CHILD_STATUS.put(key, child)
        found[victim.id] = child
    return found


def enhanced_by_case(
    db: Session, vault: Vault, offences: dict[uuid.UUID, list[Offence]]
) -> dict[uuid.UUID, CaseEnhanced]:
    """Each listed case's enhanced status (``offences``: the listed cases' offences by case)."""
    facts = {case_id: enhanced.facts_of(rows) for case_id, rows in offences.items()}
    victims = [_Victim(*row) for row in repository.victim_rows(db, list(offences))]
    children = _child_statuses(vault, victims, facts)
    found: dict[uuid.UUID, tuple[int, int, set[str]]] = {cid: (0, 0, set()) for cid in offences}
    for victim in victims:
        count, with_rights, codes = found[victim.case_id]
        categories = facts[victim.case_id].for_child(victim, children.get(victim.id))
        codes |= {c.code for c in categories}
        found[victim.case_id] = (count + 1, with_rights + bool(categories), codes)
    return {
        cid: CaseEnhanced(
            count, with_rights, tuple(label for c, label in enhanced.LABELS.items() if c in codes)
        )
        for cid, (count, with_rights, codes) in found.items()
    }
