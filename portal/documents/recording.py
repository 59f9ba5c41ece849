"""The audit row of anything done to one document, about the person it concerns (ids and the
reference only), as the upload, check, sealing and download use cases write it; and a match
found in a document, as the check at upload and the recheck at sealing record it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.documents.models import Document, DocumentMatch


def on_document(
    db: Session,
    actor: Actor,
    document: Document,
    about: audit.Subject,
    *,
    category: str,
    action: str,
    fields: Iterable[str] = (),
    recipient: str | None = None,
) -> None:
    where = ("document", document.id, document.case_id)
    audit.record_in_case(
        db, actor, category, action, where, *fields, person=about, recipient=recipient
    )


def add_match(
    db: Session,
    document: Document,
    person_id: uuid.UUID,
    *,
    kind: str,
    sealed_identity: bool,
    location: str,
) -> None:
    """Record that ``document`` names something protected of ``person_id`` at ``location``."""
    db.add(
        DocumentMatch(
            document_id=document.id,
            person_id=person_id,
            key_id=document.key_id,
            kind=kind,
            sealed_identity=sealed_identity,
            location=location[:80],
        )
    )
