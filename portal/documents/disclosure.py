"""The disclosure check: does an uploaded document's text contain protected information?

Protected, in a document's case: the true name (and aliases), address, date of birth, phone
number and email address of everyone whose identity is sealed or who is under a reporting
restriction (``portal.anonymity.service.notices_for``: orders, directions and automatic
lifelong anonymity), and every victim's address, which is never disclosed in what is served.
The comparison is the portal's one identity matcher (``portal.anonymity.identity``): case-,
accent- and punctuation-insensitive, on whole words, line breaks read as spaces, so a name split
over two lines or written in capitals is still found.

What comes back says where and whose ("page 3, line 12", the person's id and kind of value),
never the value itself.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.anonymity.identity import IdentityMatcher, address_matcher, fold, matcher_for
from portal.anonymity.service import notices_for
from portal.documents import repository
from portal.documents.extract import Part
from portal.keys.vault import Vault

# A word broken over two lines with a hyphen ("Łukasie-" / "wicz"): read it joined as well, the
# line break moved after it so every line keeps its number.
_BROKEN_WORD = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w+)")


def _readings(text: str) -> list[str]:
    joined = _BROKEN_WORD.sub(lambda m: f"{m.group(1)}{m.group(2)}\n", text)
    return [text] if joined == text else [text, joined]


@dataclass(frozen=True, slots=True)
class Found:
    person_id: uuid.UUID
    kind: str
    location: str
    sealed_identity: bool  # False: only a victim's address


def protected(db: Session, vault: Vault, case_id: uuid.UUID) -> list[tuple[IdentityMatcher, bool]]:
    """A matcher for each protected person of the case, and whether their whole identity is
    protected (True) or only their address (a victim with no restriction)."""
    restricted = {notice.reference for notice in notices_for(db, case_id=case_id, person_id=None)}
    people = repository.people_of_case(db, case_id)
    vault.load({person.key_id for person, _ in people})
    found: list[tuple[IdentityMatcher, bool]] = []
    for person, victim in people:
        if person.identity_sealed or person.reference in restricted:
            found.append((matcher_for(vault, person), True))
        elif victim:
            found.append((address_matcher(vault, person), False))
    return found


def check(matchers: list[tuple[IdentityMatcher, bool]], parts: list[Part]) -> list[Found]:
    """Every place in ``parts`` where a protected value appears, once per person, kind and
    place, in reading order."""
    found: dict[tuple[uuid.UUID, str, str], tuple[tuple[int, int], Found]] = {}
    for index, part in enumerate(parts):
        if not part.text.strip():
            continue
        for text in _readings(part.text):
            folded = fold(text)
            for matcher, whole in matchers:
                for start, _end, kind in matcher.spans_folded(text, *folded):
                    location = part.locate(start)
                    key = (matcher.person_id, kind, location)
                    order = (index, text.count("\n", 0, start))
                    found.setdefault(key, (order, Found(matcher.person_id, kind, location, whole)))
    return [item for _, item in sorted(found.values(), key=lambda pair: pair[0])]
