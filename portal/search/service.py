"""Search for people, scoped to the actor's cases, false positives removed.

A whole name and dates of birth go through ``portal.people.finding.search_people`` (their exact
blind indexes, then decryption). A name also finds everyone whose name holds every word typed,
spelled so or sounding so (``portal.people.name_index``: a first name or a surname alone, a
sound-alike spelling); those who only sound alike are shown after the rest and marked so.
Reference numbers go through the reference blind index here. Blind indexes are truncated on
purpose (docs/data-protection.md), so every candidate is decrypted and compared before it is
shown. Searches are logged with the fields used, never the values; each person shown is logged
as consulted by the page that shows them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.models import Case, CaseParty
from portal.cases.repository import Page
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.people.finding import search_people
from portal.people.models import Person
from portal.search import repository
from portal.security import name_search
from portal.security.crypto import normalise


@dataclass(frozen=True, slots=True)
class PersonQuery:
    name: str = ""
    date_of_birth: date | None = None
    reference: str = ""

    def fields(self) -> list[str]:
        return [
            name
            for name, value in (
                ("name", self.name),
                ("date_of_birth", self.date_of_birth),
                ("reference", self.reference),
            )
            if value
        ]


@dataclass(frozen=True, slots=True)
class Match:
    person: Person
    case: Case
    party: CaseParty | None
    sounds_like: bool = False  # found by how the name sounds, not as it is spelled


Pairs = dict[tuple[uuid.UUID, uuid.UUID], tuple[Person, Case]]
MAX_WORDS = 8  # a name's words looked up (a name has at most 200 characters)


def find_people(db: Session, vault: Vault, actor: Actor, query: PersonQuery) -> list[Match]:
    """Every visible (person, case) pair matching all the given criteria: spelled matches by URN
    then reference, then those whose name only sounds like the one typed."""
    if not query.fields():
        return []
    pairs: Pairs | None = None
    sounds_like: set[tuple[uuid.UUID, uuid.UUID]] = set()
    if query.name or query.date_of_birth:
        found = search_people(
            db, vault, actor, name=query.name or None, date_of_birth=query.date_of_birth
        )
        pairs = {(p.id, c.id): (p, c) for p, c in found}
    # An auditor sees references only: a whole name they hold may find one, a single name may not
    # list everyone who shares it.
    if query.name and pairs is not None and not vault.pseudonymised:
        by_words, sounds_like = _by_name_words(db, vault, actor, query)
        pairs = {**by_words, **pairs}
    if query.reference:
        by_reference = _by_reference(db, vault, actor, query.reference)
        pairs = (
            by_reference
            if pairs is None
            else {key: value for key, value in pairs.items() if key in by_reference}
        )
        # search_people logs the name and date of birth part itself
        audit.consulted(db, actor, "person.search", "search", "reference")
    ordered = sorted(
        (pairs or {}).items(),
        key=lambda item: (item[0] in sounds_like, item[1][1].urn, item[1][0].reference),
    )
    parties = repository.parties_of(db, [pc for _, pc in ordered])
    return [Match(p, c, parties.get(key), key in sounds_like) for key, (p, c) in ordered]


def _by_name_words(
    db: Session, vault: Vault, actor: Actor, query: PersonQuery
) -> tuple[Pairs, set[tuple[uuid.UUID, uuid.UUID]]]:
    """Those whose name holds every word typed, spelled so or sounding so, and which of them
    only sound so."""
    words = name_search.query_words(vault.blind_index, query.name)[:MAX_WORDS]
    if not words:
        return {}, set()
    born = query.date_of_birth.isoformat() if query.date_of_birth else None
    candidates = repository.visible_people_by_name_words(
        db, actor, words, dob_index=vault.blind_index("person.date_of_birth", born)
    )
    vault.load({p.key_id for p, _ in candidates})
    found: Pairs = {}
    sounds_like: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for person, case in candidates:
        if person.erased:
            continue
        how = vault.satisfies(
            person, "full_name", lambda name: name_search.matches_words(name, query.name)
        )
        if how is None or not how.found:
            continue
        if born and not vault.matches(person, "date_of_birth", born):
            continue
        found[(person.id, case.id)] = (person, case)
        if not how.exact:
            sounds_like.add((person.id, case.id))
    return found, sounds_like


def _by_reference(db: Session, vault: Vault, actor: Actor, reference: str) -> Pairs:
    value_index = vault.blind_index("person_reference.value", reference)
    if value_index is None:
        return {}
    candidates = repository.visible_people_by_reference(db, actor, value_index=value_index)
    vault.load({ref.key_id for ref, _, _ in candidates})
    result: Pairs = {}
    for ref, person, case in candidates:
        if person.erased:
            continue
        if vault.matches(ref, "value", reference, normalise=normalise):
            result[(person.id, case.id)] = (person, case)
    return result


def log_shown(db: Session, actor: Actor, matches: list[Match]) -> None:
    """Each person on the results page is a consultation of their record (ids only)."""
    by_case: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for match in matches:
        by_case.setdefault(match.case.id, []).append((match.person.id, match.person.reference))
    for case_id, subjects in by_case.items():
        audit.record_consultations(
            db,
            actor=actor,
            action="person.search_result",
            subjects=subjects,
            case_id=case_id,
        )


# --- the search page's use cases (portal.search.routes) -----------------------------------------


def search_cases(unit: Unit, urn_prefix: str, *, page: int) -> Page[Case]:
    """One page of the actor's cases whose URN starts with ``urn_prefix`` (logged, fields only)."""
    found = cases_repo.list_cases(unit.db, unit.actor, page=page, urn_prefix=urn_prefix)
    audit.consulted(unit.db, unit.actor, "case.search", "search", "urn")
    return found


@dataclass(frozen=True, slots=True)
class PeopleResults:
    page: Page[Match]
    names: dict[uuid.UUID, Sensitive | None]
    births: dict[uuid.UUID, date | None]


def search_people_page(
    unit: Unit, query: PersonQuery, *, page: int, per_page: int
) -> PeopleResults:
    """One page of the people matching ``query``; past the last page (the results shrank) shows
    the last. Each person shown is logged as consulted."""
    vault = unit.vault
    matches = find_people(unit.db, vault, unit.actor, query)
    number = min(page, max(1, -(-len(matches) // per_page)))
    start = (number - 1) * per_page
    shown = matches[start : start + per_page]
    names: dict[uuid.UUID, Sensitive | None] = {}
    births: dict[uuid.UUID, date | None] = {}
    vault.load({m.person.key_id for m in shown})
    for match in shown:  # an auditor's vault opens the reference and no date of birth
        names[match.person.id] = vault.open(match.person, "full_name")
        born_text = vault.open_text(match.person, "date_of_birth")
        births[match.person.id] = date.fromisoformat(born_text) if born_text else None
    log_shown(unit.db, unit.actor, list(shown))
    return PeopleResults(Page(shown, len(matches), number, per_page), names, births)
