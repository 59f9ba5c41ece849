"""Cases, offences, defendants, case events and the people in each case.

Personal data (defendant names and dates of birth, case notes, event notes) is sealed with the
vault; codes, statuses and event dates stay plain so they can be queried
(docs/data-protection.md lists every column).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import false
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.types import Boolean, Date, Integer, String, Uuid

from portal.db.base import Base, IdMixin, TimestampMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed


class Case(IdMixin, TimestampMixin, Base):
    __tablename__ = "case_file"
    __table_args__ = (
        CheckConstraint("court_type IN ('magistrates', 'crown', 'youth')", name="court_known"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        Index("ix_case_file_area_unit", "area", "unit"),
    )

    urn: Mapped[str] = mapped_column(String(16), unique=True)
    area: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    court_type: Mapped[str] = mapped_column(String(16))
    court_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="open")
    prosecutor_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True, index=True
    )
    witness_care_officer_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True, index=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    notes: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Offence(IdMixin, Base):
    __tablename__ = "case_offence"

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), index=True)
    violent_or_sexual: Mapped[bool] = mapped_column(Boolean, default=False)
    committed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Defendant(IdMixin, Base):
    """Minimal: a defendant is here only so pleas and verdicts can be recorded per defendant."""

    __tablename__ = "defendant"

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    label: Mapped[str] = mapped_column(String(40))  # "Defendant 1": safe to show anywhere
    full_name: Mapped[Sealed] = mapped_column(EncryptedBlob)
    date_of_birth: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)


class CaseEvent(IdMixin, Base):
    """Something that happened in the case: a decision, hearing, plea, verdict or sentence.

    ``event_date`` is when it happened; ``received_on`` when the unit learned of it (Victims'
    Code clocks often start at receipt). Corrections edit the event (optimistic lock); the
    dedupe key stops the same event being recorded twice.
    """

    __tablename__ = "case_event"
    __table_args__ = (
        UniqueConstraint("case_id", "dedupe_key", name="one_event_per_key"),
        Index("ix_case_event_case_date", "case_id", "event_date"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    defendant_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("defendant.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)  # plea, verdict
    custody_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ends_all_proceedings: Mapped[bool] = mapped_column(Boolean, default=False)
    event_date: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # A hearing's details (EventKind.is_hearing): when (UTC), where and what; not personal.
    hearing_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hearing_court: Mapped[str | None] = mapped_column(String(120), nullable=True)
    hearing_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    notes: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseParty(IdMixin, TimestampMixin, Base):
    """A person's part in one case: victim, witness or both, kept apart from other categories
    of data subject (DPA 2018 s38). Per-case assessments live here, not on the person."""

    __tablename__ = "case_party"
    __table_args__ = (
        UniqueConstraint("case_id", "person_id", name="person_once_per_case"),
        CheckConstraint("is_victim OR is_witness", name="has_a_role"),
        CheckConstraint(
            "risk_level IS NULL OR risk_level IN ('low', 'medium', 'high')", name="risk_known"
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    is_victim: Mapped[bool] = mapped_column(Boolean, default=True)
    is_witness: Mapped[bool] = mapped_column(Boolean, default=False)
    # Enhanced rights (Victims' Code): the categories an officer recorded, and (sealed, JSON by
    # category) the reasons. Automatic ones follow from the offences and the age at the offence
    # (portal.cases.enhanced).
    most_serious: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    persistently_targeted: Mapped[bool] = mapped_column(Boolean, default=False)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    intimidated: Mapped[bool] = mapped_column(Boolean, default=False)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    enhanced_reasons: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    risk_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    pre_trial_visit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    witness_service_referred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
