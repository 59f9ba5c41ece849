"""The disclosure check: does an uploaded document's text contain protected information?

Protected, in a document's case: the true name (and aliases), address, date of birth, phone
number and email address of everyone whose identity is sealed or who is under a reporting
restriction (``portal.anonymity.service.notices_for``: orders, directions and automatic
lifelong anonymity), and every victim's address, which is never disclosed in what is served.
The comparison is the portal's one identity matcher (``portal.anonymity.identity``): case-,
accent- and punctuation-insensitive, on whole words, line breaks read as spaces, so a name split
over two lines or written in capitals is still found.

What comes back says where and whose ("page 3, line 12", the person's id and kind of value),
never the value itself. The matching itself is ``portal.documents.matching`` (also used when
an identity is sealed after documents were uploaded: ``portal.documents.sealing``).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.anonymity.identity import IdentityMatcher, address_matcher, matcher_for
from portal.anonymity.service import notices_for
from portal.documents import repository
from portal.documents.matching import Found, check
from portal.keys.vault import Vault

__all__ = ["Found", "check", "protected"]


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
