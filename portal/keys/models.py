"""Data keys: random 256-bit keys stored only wrapped by a key-encryption key (KEK)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime


class DataKey(Base):
    """One data key. ``purpose`` says what it protects; ``owner_id`` whose data it is.

    Purposes: ``person`` (one per person: crypto-shredding), ``case`` (case-level free text),
    ``index`` (the blind-index key), ``sealed`` (true identities under anonymity orders, with no
    index), ``system``. When a key is destroyed its wrapped bytes are erased and ``state`` says
    ``destroyed``: the metadata stays as the record of the erasure.
    """

    __tablename__ = "data_key"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('person', 'case', 'index', 'sealed', 'system')", name="purpose_known"
        ),
        CheckConstraint("state IN ('active', 'retired', 'destroyed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    kek_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"DataKey(id={self.id}, purpose={self.purpose}, state={self.state})"


class KeyRotation(Base):
    """A data rotation in progress or finished: its start bounds which keys it rotates."""

    __tablename__ = "key_rotation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
