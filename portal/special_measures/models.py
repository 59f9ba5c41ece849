"""Special measures: the eligibility assessment, the application and its transition history.

Everything about the witness and every free-text field is sealed under the witness's own data
key (``key_id`` is the person's key), so erasing the person makes it unreadable. Codes, states
and dates stay plain so queues and deadlines can be queried (docs/data-protection.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, IdMixin, TimestampMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed
from portal.kit.columns import owned_by
from portal.special_measures.states import Action, Outcome, State


def _among(column: str, values: Iterable[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


SOURCES = ("witness_care_unit", "police_mg2", "prosecutor")
# An application's free text as drafted (the WIS reference is a number; the court's notes are
# recorded with its decision). Checked for sealed identities (portal.anonymity.identity).
DRAFT_TEXTS = (
    "live_link_location",
    "communication_aids",
    "grounds",
    "quality_reasons",
    "witness_views",
    "previous_applications",
    "late_reason",
)


class SpecialMeasuresAssessment(IdMixin, TimestampMixin, Base):
    """Eligibility for one witness in one case. What was recorded about the witness (s16
    conditions, s17 fear or distress and its factors, the witness's views) is one sealed JSON
    document; the automatic grounds are derived from the offences and never stored."""

    __tablename__ = "special_measures_assessment"
    __table_args__ = (CheckConstraint(_among("source", SOURCES), name="source_known"),)

    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    case_party_id: Mapped[uuid.UUID] = owned_by("case_party", unique=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    source: Mapped[str] = mapped_column(String(24))
    # The date the court is expected to decide: the s16(1)(a) age test is applied on it.
    hearing_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    details: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SpecialMeasuresApplication(IdMixin, TimestampMixin, Base):
    """One application (CrimPR Part 18) for one witness, from identification to the court's
    direction and any variation or discharge."""

    __tablename__ = "special_measures_application"
    __table_args__ = (
        CheckConstraint(_among("state", [s.value for s in State]), name="state_known"),
        CheckConstraint(
            "decision IS NULL OR " + _among("decision", [o.value for o in Outcome]),
            name="decision_known",
        ),
        Index("ix_special_measures_application_case_state", "case_id", "state"),
        Index("ix_special_measures_application_party", "case_party_id"),
    )

    case_id: Mapped[uuid.UUID] = owned_by("case_file")
    case_party_id: Mapped[uuid.UUID] = owned_by("case_party")
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    state: Mapped[str] = mapped_column(String(16))
    # Measure codes (s23..s30), comma-separated, in statutory order.
    measures: Mapped[str] = mapped_column(String(64), default="")
    granted_measures: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hearing_wanted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    intermediary_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    intermediary_needed_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    intermediary_matched_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cross_examination_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    served_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The application deadline as it stood when the application was served.
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    changed_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # variation, discharge
    # Sealed under the witness's key: free text, and details that describe the witness.
    live_link_location: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    wis_reference: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    communication_aids: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    grounds: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    quality_reasons: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    witness_views: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    previous_applications: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    late_reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    court_notes: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def measure_codes(self) -> list[str]:
        return [m for m in self.measures.split(",") if m]

    @property
    def granted_codes(self) -> list[str]:
        return [m for m in (self.granted_measures or "").split(",") if m]


class SpecialMeasuresTransition(IdMixin, Base):
    """Who moved an application from which state to which, and when (append-only)."""

    __tablename__ = "special_measures_transition"
    __table_args__ = (
        CheckConstraint(_among("action", [a.value for a in Action]), name="action_known"),
        Index("ix_special_measures_transition_application", "application_id", "at"),
    )

    application_id: Mapped[uuid.UUID] = mapped_column(
        Uuid,
        ForeignKey(
            "special_measures_application.id",
            ondelete="CASCADE",
            name="fk_special_measures_transition_application",  # the convention's is > 63
        ),
    )
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    by_role: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
