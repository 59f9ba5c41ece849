"""Every query on cases, scoped to what the actor may see (portal.cases.access)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.cases.access import visible_cases
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, CaseEvent, CaseParty, Defendant, Offence
from portal.people.models import Person

T = TypeVar("T")


def scoped(actor: Actor) -> Select[Case]:
    return select(Case).where(visible_cases(actor))


def get_case(db: Session, actor: Actor, case_id: uuid.UUID) -> Case:
    case = db.scalars(scoped(actor).where(Case.id == case_id)).one_or_none()
    if case is None:
        raise CaseNotFound(case_id)
    return case


def find_by_urn(db: Session, actor: Actor, urn: str) -> Case | None:
    return db.scalars(scoped(actor).where(Case.urn == urn)).one_or_none()


def urn_taken(db: Session, urn: str) -> bool:
    """Uniqueness check across all cases (not scoped: a URN must be unique everywhere)."""
    return case_holding_urn(db, urn) is not None


def case_holding_urn(db: Session, urn: str) -> uuid.UUID | None:
    """The id of the case that has ``urn``, in scope or not: only for refusing a duplicate (and
    logging who tried), never for showing anything about that case."""
    return db.scalar(select(Case.id).where(Case.urn == urn))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_cases(
    db: Session,
    actor: Actor,
    *,
    page: int = 1,
    per_page: int = 25,
    category: str | None = None,
    urn_prefix: str | None = None,
) -> Page[Case]:
    query = scoped(actor)
    if category:
        query = query.where(
            Case.id.in_(select(Offence.case_id).where(Offence.category == category))
        )
    if urn_prefix:
        query = query.where(Case.urn.startswith(urn_prefix, autoescape=True))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.scalars(
        query.order_by(Case.created_at.desc(), Case.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items, int(total), page, per_page)


def offences_of(db: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Offence]]:
    result: dict[uuid.UUID, list[Offence]] = {cid: [] for cid in case_ids}
    if case_ids:
        for offence in db.scalars(
            select(Offence).where(Offence.case_id.in_(case_ids)).order_by(Offence.code)
        ):
            result[offence.case_id].append(offence)
    return result


def defendants_of(db: Session, case: Case) -> list[Defendant]:
    return list(
        db.scalars(select(Defendant).where(Defendant.case_id == case.id).order_by(Defendant.label))
    )


def events_of(db: Session, case: Case) -> list[CaseEvent]:
    return list(
        db.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.event_date.desc(), CaseEvent.recorded_at.desc())
        )
    )


def party_count(db: Session, case: Case) -> int:
    return int(
        db.scalar(select(func.count()).select_from(CaseParty).where(CaseParty.case_id == case.id))
        or 0
    )


def parties_with_people(case: Case) -> Select[CaseParty, Person]:
    """The people in ``case``, each with their part in it (narrow and order it as wanted)."""
    return (
        select(CaseParty, Person)
        .join(Person, Person.id == CaseParty.person_id)
        .where(CaseParty.case_id == case.id)
    )


def parties_page(
    db: Session,
    case: Case,
    *,
    page: int,
    per_page: int,
    role: str | None = None,
    reference: str | None = None,
) -> Page[tuple[CaseParty, Person]]:
    query = parties_with_people(case)
    if role == "victim":
        query = query.where(CaseParty.is_victim.is_(True))
    elif role == "witness":
        query = query.where(CaseParty.is_witness.is_(True))
    if reference:
        query = query.where(Person.reference == reference)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(
        query.order_by(Person.reference).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page([(r[0], r[1]) for r in rows], int(total), page, per_page)


def victim_rows(db: Session, case_ids: Sequence[uuid.UUID]) -> list[Any]:
    """The victims of the cases ``case_ids`` (already in scope), as columns: the case, the
    categories recorded, and the person's id, key, sealed date of birth and whether erased."""
    if not case_ids:
        return []
    return list(
        db.execute(
            select(
                CaseParty.case_id,
                CaseParty.most_serious,
                CaseParty.persistently_targeted,
                CaseParty.vulnerable,
                CaseParty.intimidated,
                Person.id,
                Person.key_id,
                Person.date_of_birth,
                Person.erased,
            )
            .join(Person, Person.id == CaseParty.person_id)
            .where(CaseParty.case_id.in_(case_ids), CaseParty.is_victim.is_(True))
        ).all()
    )


def party_in_case(
    db: Session, actor: Actor, case_id: uuid.UUID, person_id: uuid.UUID
) -> tuple[Case, CaseParty, Person]:
    case = get_case(db, actor, case_id)
    row = db.execute(
        parties_with_people(case).where(CaseParty.person_id == person_id)
    ).one_or_none()
    if row is None:
        raise CaseNotFound(case_id)
    return case, row[0], row[1]


def cases_of_person(db: Session, actor: Actor, person_id: uuid.UUID) -> list[Case]:
    return list(
        db.scalars(
            scoped(actor)
            .join(CaseParty, CaseParty.case_id == Case.id)
            .where(CaseParty.person_id == person_id)
            .order_by(Case.urn)
        )
    )


def visible_people_by_index(
    db: Session, actor: Actor, *, name_index: int | None = None, dob_index: int | None = None
) -> list[tuple[Person, Case]]:
    """Candidates for an exact-match search; the caller decrypts to drop false positives."""
    query = (
        select(Person, Case)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .join(Case, Case.id == CaseParty.case_id)
        .where(visible_cases(actor))
    )
    if name_index is not None:
        query = query.where(Person.name_index == name_index)
    if dob_index is not None:
        query = query.where(Person.dob_index == dob_index)
    return [(r[0], r[1]) for r in db.execute(query.limit(500)).all()]


def staff_names(db: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of the users ``ids`` names (None ignored)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return {row[0]: row[1] for row in rows}
