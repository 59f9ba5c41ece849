"""Decisions that need a letter, one communication request per victim, the letter, the steps,
the conversation, and the database-backed job queue.

Free text (the prosecutor's reasons, letters, checker's notes, messages, review notes) is sealed:
case-level text under the case key, anything about one victim under that person's key, so
erasing the person makes their letter and messages unreadable. Codes, flags and dates stay plain
so queues can be filtered and sorted (docs/data-protection.md lists every column). Due dates are
never stored here: they are the Victims' Code obligation's, joined when needed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utc_now
from portal.db.base import Base, IdMixin, TimestampMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed
from portal.kit.columns import owned_by
from portal.vlu.states import Outcome, State

STATES = tuple(s.value for s in State)
OUTCOMES = tuple(o.value for o in Outcome)
JOB_STATES = ("queued", "running", "done", "failed")


def _in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    clause = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {clause}" if nullable else clause


class VluDecision(IdMixin, Base):
    """A CPS decision that must be explained to its victims (one per case event)."""

    __tablename__ = "vlu_decision"
    __table_args__ = (UniqueConstraint("event_id", name="one_per_event"),)

    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    event_id: Mapped[uuid.UUID] = owned_by("case_event")
    unit: Mapped[str] = mapped_column(String(40))  # the VLU (Area code) it was routed to
    kind: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    vrr_applies: Mapped[bool] = mapped_column(Boolean)
    meeting_required: Mapped[bool] = mapped_column(Boolean)
    meeting_offered: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    reasons: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    no_meeting_reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    reasons_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    reasons_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class VluReasonsRevision(IdMixin, Base):
    """One version of a decision's reasons, as the prosecutor saved it (the reasons may be
    edited until the first letter is sent; each save is kept, so the history can be shown)."""

    __tablename__ = "vlu_reasons_revision"
    __table_args__ = (UniqueConstraint("decision_id", "revision", name="one_per_revision"),)

    decision_id: Mapped[uuid.UUID] = owned_by("vlu_decision", index=True)
    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    revision: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    reasons: Mapped[Sealed] = mapped_column(EncryptedBlob)
    meeting_offered: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    no_meeting_reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    written_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class VluRequest(IdMixin, TimestampMixin, Base):
    """One victim to be told of one decision: the letter's journey from reasons to outcome."""

    __tablename__ = "vlu_request"
    __table_args__ = (
        UniqueConstraint("decision_id", "case_party_id", name="once_per_victim"),
        CheckConstraint(_in("state", STATES), name="state_known"),
        CheckConstraint(_in("outcome", OUTCOMES, nullable=True), name="outcome_known"),
        Index("ix_vlu_request_state_case", "state", "case_id"),
        Index("ix_vlu_request_decision_state", "decision_id", "state"),
    )

    decision_id: Mapped[uuid.UUID] = owned_by("vlu_decision")
    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    case_party_id: Mapped[uuid.UUID] = owned_by("case_party", index=True)
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("obligation.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    unit: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(24), default=State.REQUESTED.value)
    enhanced: Mapped[bool] = mapped_column(Boolean)
    rasso: Mapped[bool] = mapped_column(Boolean)
    check_required: Mapped[bool] = mapped_column(Boolean)
    vrr_applies: Mapped[bool] = mapped_column(Boolean)
    meeting_required: Mapped[bool] = mapped_column(Boolean)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    drafted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    check_accurate: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    check_empathetic: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    check_reasons: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    check_rights: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    check_notes: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(24), nullable=True)
    review_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_resolution_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    outcome_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_notes: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class VluLetter(IdMixin, Base):
    """The current letter for a request, sealed under the victim's key."""

    __tablename__ = "vlu_letter"

    request_id: Mapped[uuid.UUID] = owned_by("vlu_request", unique=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    template: Mapped[str] = mapped_column(String(40))
    body: Mapped[Sealed] = mapped_column(EncryptedBlob)
    readability: Mapped[float] = mapped_column(Float)
    # When a person's identity was sealed, their true identity was replaced in this copy
    # (portal.anonymity.sweep); shown to the officers with the letter.
    identity_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    written_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class VluTransition(IdMixin, Base):
    """Who took each step, when (the workflow's own history; the audit log has it too)."""

    __tablename__ = "vlu_transition"

    request_id: Mapped[uuid.UUID] = owned_by("vlu_request", index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_state: Mapped[str] = mapped_column(String(24))
    by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    by_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class VluMessage(IdMixin, Base):
    """The conversation on a request between prosecutor, witness care officer and VLU."""

    __tablename__ = "vlu_message"

    request_id: Mapped[uuid.UUID] = owned_by("vlu_request", index=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    author_role: Mapped[str] = mapped_column(String(32))
    body: Mapped[Sealed] = mapped_column(EncryptedBlob)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Job(IdMixin, Base):
    """A unit of background work. Every bit of its state is in this row, so any number of
    worker processes can share the queue, and a crashed worker's job is picked up again when its
    lease runs out. ``payload`` holds ids and codes only, never personal data."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(_in("state", JOB_STATES), name="state_known"),
        Index("ix_job_state_run_after", "state", "run_after"),
    )

    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    payload: Mapped[str] = mapped_column(Text, default="{}")
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), nullable=True, index=True
    )
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(120), nullable=True)


class VluNotSent(IdMixin, Base):
    """Why a bulk send left a letter unsent (one row per request, the latest reason), so the
    letters not sent can be listed, filtered and exported, and the witness care officers asked
    for what is missing. ``resolved_at`` is set when the letter is sent after all."""

    __tablename__ = "vlu_not_sent"
    __table_args__ = (Index("ix_vlu_not_sent_decision_reason", "decision_id", "reason"),)

    request_id: Mapped[uuid.UUID] = owned_by("vlu_request", unique=True)
    decision_id: Mapped[uuid.UUID] = owned_by("vlu_decision")
    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("job.id", ondelete="SET NULL"), nullable=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    asked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    action_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("safeguarding_action.id", ondelete="SET NULL"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class VluBulkCheck(IdMixin, Base):
    """A second officer's check of a bulk decision's drafted letters: the letters they must read
    (every one that differs from the template, and a random sample of the rest, its size from
    rules data), and, once each was read, the approval of the batch."""

    __tablename__ = "vlu_bulk_check"

    decision_id: Mapped[uuid.UUID] = owned_by("vlu_decision", index=True)
    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    checker_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    sample_size: Mapped[int] = mapped_column(Integer)
    letters: Mapped[int] = mapped_column(Integer)  # drafted letters the check covers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("job.id", ondelete="SET NULL"), nullable=True
    )


class VluBulkCheckLetter(IdMixin, Base):
    """One letter a bulk check must read: why (``differs``: from the template, and how; or
    ``sample``), and when the checker opened it."""

    __tablename__ = "vlu_bulk_check_letter"
    __table_args__ = (UniqueConstraint("check_id", "request_id", name="once_per_check"),)

    check_id: Mapped[uuid.UUID] = owned_by("vlu_bulk_check", index=True)
    request_id: Mapped[uuid.UUID] = owned_by("vlu_request", index=True)
    why: Mapped[str] = mapped_column(String(24))  # enhanced, alternative_format, custom, sample
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
