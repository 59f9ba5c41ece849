"""The access and change log (DPA 2018 s62): append-only, hash-chained, ids only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime
from portal.db.checks import one_of

S62_CATEGORIES = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
    "security",
)


class AuditEvent(Base):
    """One log entry. Never holds personal data: ids, references and codes only.

    ``entry_hash = SHA-256(prev_hash | canonical entry)``; changing, deleting or reordering any
    entry breaks every later hash (security.md 3.2).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        one_of("category", S62_CATEGORIES, name="category_known"),
        Index("ix_audit_event_case_at", "case_id", "at"),
        Index("ix_audit_event_actor_at", "actor_id", "at"),
        Index("ix_audit_event_subject_at", "subject_id", "at"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    actor_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    category: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)  # the person
    subject_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)  # pseudonym
    fields: Mapped[str | None] = mapped_column(String(400), nullable=True)  # names, not values
    recipient: Mapped[str | None] = mapped_column(String(120), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(40), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
