"""The restrictions banner: what an officer must not publish, said in one glance.

A page about one person lists that person's restrictions. A page about a case summarises them
by kind ("26 people in this case have lifelong anonymity"), naming the people only when there
are few, and links to the case's list of who and why (issue 15 point 9): a banner that lists
every pseudonym of a mass-victim case is a banner nobody reads.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.anonymity.service import Notice, notices_for

# How a case-level banner words each kind: (one person, several people).
_SUMMARIES: dict[str, tuple[str, str]] = {
    "soaa_1992": (
        "has lifelong anonymity (Sexual Offences (Amendment) Act 1992)",
        "have lifelong anonymity (Sexual Offences (Amendment) Act 1992)",
    ),
    "yjcea_s45": (
        "is protected by a reporting direction until 18 (Youth Justice and Criminal Evidence"
        " Act 1999 s45)",
        "are protected by a reporting direction until 18 (Youth Justice and Criminal Evidence"
        " Act 1999 s45)",
    ),
    "yjcea_s45a": (
        "is protected by a lifetime reporting direction (Youth Justice and Criminal Evidence"
        " Act 1999 s45A)",
        "are protected by a lifetime reporting direction (Youth Justice and Criminal Evidence"
        " Act 1999 s45A)",
    ),
    "yjcea_s46": (
        "is protected by a lifetime reporting direction (Youth Justice and Criminal Evidence"
        " Act 1999 s46)",
        "are protected by a lifetime reporting direction (Youth Justice and Criminal Evidence"
        " Act 1999 s46)",
    ),
    "wao": (
        "has a witness anonymity order (Coroners and Justice Act 2009 s86)",
        "have witness anonymity orders (Coroners and Justice Act 2009 s86)",
    ),
    "sealed": (
        "has a sealed identity (an anonymity order has been sought or granted)",
        "have sealed identities (an anonymity order has been sought or granted)",
    ),
}
# Up to this many people, a summary line also names them (by reference, never by name).
NAMED_UP_TO = 3


@dataclass(frozen=True, slots=True)
class RestrictionBanner:
    lines: tuple[str, ...]
    # The case whose list of restricted people the banner links to (case-level pages).
    list_case_id: uuid.UUID | None = None


def banner_for(
    db: Session, *, case_id: uuid.UUID | None, person_id: uuid.UUID | None
) -> RestrictionBanner | None:
    """The banner for a page showing this case and/or person; ``None`` when nothing applies."""
    notices = notices_for(db, case_id=case_id, person_id=person_id)
    if not notices:
        return None
    if person_id is not None:
        return RestrictionBanner(tuple(f"{n.reference}: {n.text}" for n in notices))
    return RestrictionBanner(summarise(notices), list_case_id=case_id)


def summarise(notices: list[Notice]) -> tuple[str, ...]:
    """One line per kind of restriction, in the order of ``_SUMMARIES``."""
    people: dict[str, list[str]] = defaultdict(list)
    for notice in notices:
        if notice.reference not in people[notice.kind]:
            people[notice.kind].append(notice.reference)
    lines = []
    for kind, (one, several) in _SUMMARIES.items():
        references = sorted(people.get(kind, ()))
        if not references:
            continue
        count = len(references)
        line = (
            f"1 person in this case {one}"
            if count == 1
            else f"{count} people in this case {several}"
        )
        if count <= NAMED_UP_TO:
            line += ": " + ", ".join(references)
        lines.append(line)
    return tuple(lines)
