"""Obligations: one Victims' Code entitlement owed to one victim because of one event."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import ForeignKey, Index, UniqueConstraint
from sqlalchemy.types import Boolean, Date, Integer, String, Uuid

from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.checks import one_of
from portal.db.encrypted import EncryptedBlob, Sealed

STATES = ("open", "met", "declined", "not_applicable", "not_met_good_reason")


class Obligation(IdMixin, Base):
    """What is owed, by whom, by when, and whether it was delivered.

    ``enhanced`` is the victim's status *at the trigger* (it may change later). "Overdue" and
    "met late" are never stored: they are derived from ``due_on``, ``met_on`` and today, so they
    can never go stale. Evidence and reasons are free text and therefore sealed.
    """

    __tablename__ = "obligation"
    __table_args__ = (
        UniqueConstraint("case_party_id", "entitlement", "event_id", name="once_per_event"),
        one_of("state", STATES, name="state_known"),
        Index("ix_obligation_open_due", "state", "due_on"),
        # The compliance report (portal.compliance.repository): its period is a range of the
        # report date (due date, else trigger date) and the rest is every column a breakdown
        # reads, so the report is answered from this index alone (performance.md D1, D6).
        Index(
            "ix_obligation_report",
            "due_on",
            "trigger_on",
            "state",
            "met_on",
            "entitlement",
            "right",
            "enhanced",
            "child",
            "case_id",
        ),
        Index("ix_obligation_case_body", "case_id", "responsible_body"),
        Index("ix_obligation_party", "case_party_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("case_event.id", ondelete="CASCADE"), nullable=True
    )
    entitlement: Mapped[str] = mapped_column(String(60))
    right: Mapped[int] = mapped_column(Integer)
    rules_version: Mapped[str] = mapped_column(String(40))
    responsible_body: Mapped[str] = mapped_column(String(32))
    enhanced: Mapped[bool] = mapped_column(Boolean)
    # Child (under 18) on the trigger date, for compliance breakdowns; None if DOB unknown.
    child: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    trigger_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(24), default="open")
    met_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    met_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    channel: Mapped[str | None] = mapped_column(String(24), nullable=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    evidence: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    # Why it was not met, or met late: a code from the rules data (its detail in ``reason``).
    reason_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The person was identified (added to the case, or given this role) after the trigger: due
    # from this date; ``trigger_on`` keeps the original trigger.
    identified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


TOLD_PROBLEMS = ("erased", "no_rules", "channel_not_safe", "voicemail", "detail_missing")


class ToldCheckFinding(IdMixin, Base):
    """A record that a person was told through a channel their safe-contact check refuses (the
    data check ``portal check told-channels``; each run replaces the findings). Ids and codes
    only: what the rules allow is never copied here."""

    __tablename__ = "told_check_finding"
    __table_args__ = (
        one_of("problem", TOLD_PROBLEMS, name="problem_known"),
        Index("ix_told_check_finding_case", "case_id"),
    )

    obligation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("obligation.id", ondelete="CASCADE"), unique=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    problem: Mapped[str] = mapped_column(String(24))
    # The person's safe-contact rules changed after the record: the rules at the time are not
    # known, only that the channel is refused under today's.
    rules_changed_since: Mapped[bool] = mapped_column(Boolean)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
