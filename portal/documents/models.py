"""Uploaded documents (needs assessments, court orders, statements), sealed at rest."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed

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

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("person.id", ondelete="CASCADE"))
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    kind: Mapped[str] = mapped_column(String(24))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[Sealed] = mapped_column(EncryptedBlob)
    content: Mapped[Sealed] = mapped_column(EncryptedBlob)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
