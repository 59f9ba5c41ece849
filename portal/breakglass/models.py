"""Break-glass: emergency access to a case outside the user's scope (issue 18 point 4).

A use names the case (by URN, copied here so the banner and the auditor's queue never select
from the case table), a reason from ``Reason`` plus the user's own words, and lasts a set time.
An auditor then reviews it: justified or not, with a note. The free text is kept as plain text,
not sealed: auditors, whose vault withholds every sealed free text, must read it to review the
use, so the form asks for no names or personal details.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import staff
from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.checks import one_of
from portal.kit.enums import LabelledStrEnum

DETAIL_MAX = 1000
NOTE_MAX = 1000


class Reason(LabelledStrEnum):
    """Why the glass was broken: the list a user chooses from (stored values: never change)."""

    RISK_TO_LIFE = "risk_to_life", "Immediate risk to someone's life or safety"
    SAFEGUARDING = "safeguarding", "Urgent safeguarding concern about a victim or witness"
    COURT_TODAY = "court_today", "A hearing today and the officer in the case cannot be reached"
    COVER = "cover", "Covering urgent work for an absent colleague"
    OTHER = "other", "Another emergency (explain below)"


class Outcome(LabelledStrEnum):
    """The auditor's finding on one use."""

    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified"


class BreakGlassUse(IdMixin, Base):
    """One emergency access to one case by one user, and its review."""

    __tablename__ = "break_glass"
    __table_args__ = (
        one_of("reason", Reason, name="reason_known"),
        one_of("outcome", Outcome, name="outcome_known", nullable=True),
        Index("ix_break_glass_live", "user_id", "expires_at"),
        Index("ix_break_glass_unreviewed", "reviewed_at", "started_at"),
    )

    user_id: Mapped[uuid.UUID] = staff()
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    case_urn: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(DETAIL_MAX))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    review_note: Mapped[str | None] = mapped_column(String(NOTE_MAX), nullable=True)

    @property
    def reason_label(self) -> str:
        return Reason(self.reason).label

    def __repr__(self) -> str:
        return f"BreakGlassUse(id={self.id}, user_id={self.user_id}, case_id={self.case_id})"
