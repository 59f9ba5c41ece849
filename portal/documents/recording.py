"""The audit row of anything done to one document, about the person it concerns (ids and the
reference only), as the upload, check, sealing and download use cases write it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.documents.models import Document


def on_document(
    db: Session,
    actor: Actor,
    document: Document,
    *,
    category: str,
    action: str,
    subject_id: uuid.UUID,
    subject_ref: str,
    fields: Iterable[str] = (),
    recipient: str | None = None,
) -> None:
    audit.record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type="document",
        object_id=document.id,
        case_id=document.case_id,
        subject_id=subject_id,
        subject_ref=subject_ref,
        fields=fields,
        recipient=recipient,
    )
