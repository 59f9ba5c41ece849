"""The witness care officer's safeguards: needs assessments, actions and their timeline."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed


class NeedsAssessment(IdMixin, Base):
    """A needs assessment for one person in one case. Each one is kept (history), newest wins.

    ``needs`` is a sealed JSON document: childcare, transport, language, medical, intimidation,
    each with a yes/no and details, plus free text.
    """

    __tablename__ = "needs_assessment"
    __table_args__ = (Index("ix_needs_assessment_party", "case_party_id", "assessed_on"),)

    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE")
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    needs: Mapped[Sealed] = mapped_column(EncryptedBlob)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SafeguardingAction(IdMixin, Base):
    __tablename__ = "safeguarding_action"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status_known"),
        Index("ix_safeguarding_action_owner_due", "owner_id", "due_on"),
    )

    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    description: Mapped[Sealed] = mapped_column(EncryptedBlob)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SafeguardEvent(IdMixin, Base):
    """One line of a person's safeguards timeline: what changed, when, by whom. No values."""

    __tablename__ = "safeguard_event"
    __table_args__ = (Index("ix_safeguard_event_party_at", "case_party_id", "at"),)

    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
