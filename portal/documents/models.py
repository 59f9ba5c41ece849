"""Uploaded documents (needs assessments, court orders, statements), sealed at rest."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import staff
from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed
from portal.kit.columns import owned_by

KINDS = {
    "needs_assessment": "Needs assessment",
    "court_order": "Court order",
    "statement": "Statement",
    "correspondence": "Correspondence",
    "other": "Other",
}


class Document(IdMixin, Base):
    """The file and its name are sealed under the owner's data key (the person's, so erasing
    the person makes their documents unreadable too)."""

    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")", name="kind_known"),
        Index("ix_document_person", "person_id", "uploaded_at"),
    )

    case_id: Mapped[uuid.UUID] = owned_by("case_file")
    person_id: Mapped[uuid.UUID] = owned_by("person")
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    kind: Mapped[str] = mapped_column(String(24))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[Sealed] = mapped_column(EncryptedBlob)
    content: Mapped[Sealed] = mapped_column(EncryptedBlob)
    uploaded_by_id: Mapped[uuid.UUID] = staff()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The disclosure check (portal.documents.disclosure): what the text check found, the
    # version this one replaces, the manual check of a document with no text, and readiness.
    disclosure: Mapped[str] = mapped_column(String(16), default="clear")
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("document.id", ondelete="SET NULL"), nullable=True
    )
    superseded: Mapped[bool] = mapped_column(default=False)
    checked_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ready_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


DISCLOSURE_STATES = {
    "clear": "No protected information found",
    "matches": "Protected information found",
    "unreadable": "No text could be read: needs a manual check",
}
MATCH_KINDS = {
    "name": "the true name",
    "address": "the address",
    "date_of_birth": "the date of birth",
    "phone": "the phone number",
    "email": "the email address",
}


class DocumentMatch(IdMixin, Base):
    """One place where an uploaded document's text matches protected information: where, and
    whose (the person's id; pages show their pseudonym), never the matched value. An override
    is a second prosecutor's decision, with a reason sealed under the document's key."""

    __tablename__ = "document_match"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in MATCH_KINDS) + ")", name="kind_known"
        ),
        Index("ix_document_match_document", "document_id"),
    )

    document_id: Mapped[uuid.UUID] = owned_by("document")
    person_id: Mapped[uuid.UUID] = owned_by("person")
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    kind: Mapped[str] = mapped_column(String(16))
    sealed_identity: Mapped[bool] = mapped_column(default=True)
    location: Mapped[str] = mapped_column(String(80))
    overridden_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    override_reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    # The second prosecutor's "no": refused (it must be redacted) or returned to the uploader
    # with a question; the uploader's answer puts it back before a second prosecutor.
    declined_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    declined_as: Mapped[str | None] = mapped_column(String(8), nullable=True)
    decline_comment: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    answer: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
