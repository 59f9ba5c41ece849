"""Search queries, always scoped through ``portal.cases.access.visible_cases``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.access import visible_cases
from portal.cases.models import Case, CaseParty
from portal.people.models import Person, PersonNameWord, PersonReference

CANDIDATE_LIMIT = 500


def visible_people_by_reference(
    db: Session, actor: Actor, *, value_index: int, limit: int = CANDIDATE_LIMIT
) -> list[tuple[PersonReference, Person, Case]]:
    """Candidates whose reference number has this blind index, in cases the actor may see.

    A blind index is truncated, so different numbers share it: the caller decrypts each
    reference and keeps only exact matches.
    """
    query = (
        select(PersonReference, Person, Case)
        .join(Person, Person.id == PersonReference.person_id)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .join(Case, Case.id == CaseParty.case_id)
        .where(visible_cases(actor), PersonReference.value_index == value_index)
        .order_by(Case.urn, Person.reference)
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in db.execute(query).all()]


def visible_people_by_name_words(
    db: Session,
    actor: Actor,
    words: list[tuple[int, ...]],
    *,
    dob_index: int | None = None,
    limit: int = CANDIDATE_LIMIT,
) -> list[tuple[Person, Case]]:
    """Candidates with, for every word typed, a name-word row holding one of that word's index
    values (its spelling or its sound), in cases the actor may see. Each word is a lookup on
    ``ix_person_name_word_value_index``, never a scan; the caller decrypts to drop false
    positives."""
    query = (
        select(Person, Case)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .join(Case, Case.id == CaseParty.case_id)
        .where(visible_cases(actor))
    )
    for values in words:
        holders = select(PersonNameWord.person_id).where(PersonNameWord.value_index.in_(values))
        query = query.where(Person.id.in_(holders))
    if dob_index is not None:
        query = query.where(Person.dob_index == dob_index)
    query = query.order_by(Case.urn, Person.reference).limit(limit)
    return [(row[0], row[1]) for row in db.execute(query).all()]


def parties_of(
    db: Session, pairs: list[tuple[Person, Case]]
) -> dict[tuple[uuid.UUID, uuid.UUID], CaseParty]:
    """The case party row (victim, witness or both) for each visible (person, case) pair."""
    if not pairs:
        return {}
    person_ids = list({p.id for p, _ in pairs})
    case_ids = list({c.id for _, c in pairs})
    found = db.scalars(
        select(CaseParty).where(
            CaseParty.person_id.in_(person_ids), CaseParty.case_id.in_(case_ids)
        )
    )
    return {(party.person_id, party.case_id): party for party in found}
