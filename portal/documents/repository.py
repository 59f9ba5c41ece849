"""Every query of the documents domain that the disclosure check needs."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.access import visible_cases
from portal.cases.models import Case, CaseParty
from portal.documents.models import Document, DocumentMatch
from portal.people.models import Person


def people_of_case(db: Session, case_id: uuid.UUID) -> list[tuple[Person, bool]]:
    """Everyone in the case who is not erased, with whether they are a victim."""
    rows = db.execute(
        select(Person, CaseParty.is_victim)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .where(CaseParty.case_id == case_id, Person.erased.is_(False))
        .order_by(Person.reference)
    )
    return [(person, bool(victim)) for person, victim in rows]


def document_in(
    db: Session, case_id: uuid.UUID, person_id: uuid.UUID, document_id: uuid.UUID
) -> Document | None:
    return db.scalars(
        select(Document).where(
            Document.id == document_id,
            Document.case_id == case_id,
            Document.person_id == person_id,
        )
    ).one_or_none()


def matches_of(db: Session, document_ids: list[uuid.UUID]) -> list[tuple[DocumentMatch, str]]:
    """The matches of these documents, with the reference of the person each matched."""
    if not document_ids:
        return []
    rows = db.execute(
        select(DocumentMatch, Person.reference)
        .join(Person, Person.id == DocumentMatch.person_id)
        .where(DocumentMatch.document_id.in_(document_ids))
        .order_by(DocumentMatch.document_id, DocumentMatch.id)
    )
    return [(match, reference) for match, reference in rows]


def match_of(db: Session, document_id: uuid.UUID, match_id: uuid.UUID) -> DocumentMatch | None:
    return db.scalars(
        select(DocumentMatch).where(
            DocumentMatch.id == match_id, DocumentMatch.document_id == document_id
        )
    ).one_or_none()


def live_documents_of_cases(db: Session, case_ids: list[uuid.UUID]) -> list[Document]:
    """The documents of these cases that could still be served (not replaced by a newer version),
    oldest first."""
    if not case_ids:
        return []
    return list(
        db.scalars(
            select(Document)
            .where(Document.case_id.in_(case_ids), Document.superseded.is_(False))
            .order_by(Document.uploaded_at, Document.id)
        )
    )


def overrides_waiting(
    db: Session, actor: Actor, *, limit: int = 50
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str, uuid.UUID]]:
    """Documents another prosecutor uploaded, in the actor's cases, with a match no second
    prosecutor has decided yet: (case id, person id, document id, URN, uploader id)."""
    open_match = (
        select(DocumentMatch.id)
        .where(
            DocumentMatch.document_id == Document.id,
            DocumentMatch.overridden_at.is_(None),
            DocumentMatch.declined_at.is_(None),  # refused, or waiting for the uploader's answer
        )
        .exists()
    )
    rows = db.execute(
        select(Document.case_id, Document.person_id, Document.id, Case.urn, Document.uploaded_by_id)
        .join(Case, Case.id == Document.case_id)
        .where(
            Document.superseded.is_(False),
            Document.disclosure == "matches",
            Document.uploaded_by_id != actor.user_id,
            open_match,
            visible_cases(actor),
        )
        .order_by(Document.uploaded_at, Document.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def questions_for_uploader(
    db: Session, actor: Actor, *, limit: int = 50
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str]]:
    """Documents this prosecutor uploaded with a match a second prosecutor returned to them with
    a question: (case id, person id, document id, URN)."""
    returned = (
        select(DocumentMatch.id)
        .where(DocumentMatch.document_id == Document.id, DocumentMatch.declined_as == "returned")
        .exists()
    )
    rows = db.execute(
        select(Document.case_id, Document.person_id, Document.id, Case.urn)
        .join(Case, Case.id == Document.case_id)
        .where(
            Document.superseded.is_(False),
            Document.uploaded_by_id == actor.user_id,
            returned,
            visible_cases(actor),
        )
        .order_by(Document.uploaded_at, Document.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
