"""Quality sampling: letters and met obligations drawn at random and scored by a reviewer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, IdMixin, UTCDateTime

CHECKS = {
    "accurate": "Accurate",
    "timely": "Timely",
    "empathetic": "Empathetic",
    "plain_english": "Plain English",
    "rights_explained": "Rights explained",
}


class QualitySample(IdMixin, Base):
    """One sampled item (an obligation that was met) and its review against the checklist."""

    __tablename__ = "quality_sample"
    __table_args__ = (
        CheckConstraint("state IN ('drawn', 'reviewed')", name="state_known"),
        Index("ix_quality_sample_batch", "batch"),
    )

    batch: Mapped[str] = mapped_column(String(40))
    obligation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("obligation.id", ondelete="CASCADE")
    )
    drawn_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="drawn")
    accurate: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    timely: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    empathetic: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    plain_english: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rights_explained: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
