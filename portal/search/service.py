"""Exact-match search for people, scoped to the actor's cases, false positives removed.

Names and dates of birth go through ``portal.people.finding.search_people`` (blind indexes,
then decryption); reference numbers through the reference blind index here. Blind indexes are
truncated on purpose (docs/data-protection.md), so every candidate is decrypted and compared
before it is shown. Searches are logged with the fields used, never the values; each person
shown is logged as consulted by the page that shows them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.cases.models import Case, CaseParty
from portal.keys.vault import Vault
from portal.people.finding import search_people
from portal.people.models import Person
from portal.search import repository
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


def find_people(db: Session, vault: Vault, actor: Actor, query: PersonQuery) -> list[Match]:
    """Every visible (person, case) pair matching all the given criteria, by URN then reference."""
    if not query.fields():
        return []
    pairs: dict[tuple[uuid.UUID, uuid.UUID], tuple[Person, Case]] | None = None
    if query.name or query.date_of_birth:
        found = search_people(
            db, vault, actor, name=query.name or None, date_of_birth=query.date_of_birth
        )
        pairs = {(p.id, c.id): (p, c) for p, c in found}
    if query.reference:
        by_reference = _by_reference(db, vault, actor, query.reference)
        pairs = (
            by_reference
            if pairs is None
            else {key: value for key, value in pairs.items() if key in by_reference}
        )
        audit.record(  # search_people logs the name and date of birth part itself
            db,
            actor=actor,
            category="consultation",
            action="person.search",
            object_type="search",
            fields=["reference"],
        )
    ordered = sorted((pairs or {}).values(), key=lambda pc: (pc[1].urn, pc[0].reference))
    parties = repository.parties_of(db, ordered)
    return [Match(p, c, parties.get((p.id, c.id))) for p, c in ordered]


def _by_reference(
    db: Session, vault: Vault, actor: Actor, reference: str
) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[Person, Case]]:
    value_index = vault.blind_index("person_reference.value", reference)
    if value_index is None:
        return {}
    candidates = repository.visible_people_by_reference(db, actor, value_index=value_index)
    vault.load({ref.key_id for ref, _, _ in candidates})
    result: dict[tuple[uuid.UUID, uuid.UUID], tuple[Person, Case]] = {}
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
