"""One Right to Review per communication request: the request against its window, and each
stage (local resolution, the independent review) with its reviewer, due date, outcome and
outcome letter.

Dates, codes and staff ids stay plain (queues and My work sort by them); the late request's
reason and the outcome letters are sealed under the victim's key (docs/data-protection.md), so
erasing the person makes them unreadable. Due dates are stored as computed when the stage began,
from the rules version named in ``rules_version``, so a later change of the rules data does not
move a review already running.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, IdMixin, TimestampMixin
from portal.db.encrypted import EncryptedBlob, Sealed
from portal.kit.columns import owned_by
from portal.vlu.states import Outcome

OUTCOMES = tuple(o.value for o in Outcome)


def _outcome_known(column: str) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in OUTCOMES)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({listed})", name=f"{column}_known")


def _staff() -> Mapped[uuid.UUID | None]:
    return mapped_column(Uuid, ForeignKey("user_account.id"), nullable=True)


class VluReview(IdMixin, TimestampMixin, Base):
    __tablename__ = "vlu_review"
    __table_args__ = (_outcome_known("local_outcome"), _outcome_known("independent_outcome"))

    request_id: Mapped[uuid.UUID] = owned_by("vlu_request", unique=True)
    case_id: Mapped[uuid.UUID] = owned_by("case_file", index=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    rules_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The request, against the window counted from the decision letter.
    requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    window_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    longstop_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    late_reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    recorded_by_id: Mapped[uuid.UUID | None] = _staff()
    # Local resolution: a prosecutor who did not make the decision.
    local_reviewer_id: Mapped[uuid.UUID | None] = _staff()
    local_started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    local_outcome_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_outcome_by_id: Mapped[uuid.UUID | None] = _staff()
    local_letter: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    local_letter_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_letter_sent_by_id: Mapped[uuid.UUID | None] = _staff()
    # The independent review (Appeals and Review Unit), when the victim is still dissatisfied.
    independent_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    independent_window_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    independent_late: Mapped[bool] = mapped_column(Boolean, default=False)
    independent_late_reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    independent_reviewer_id: Mapped[uuid.UUID | None] = _staff()
    independent_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    independent_outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    independent_outcome_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    independent_outcome_by_id: Mapped[uuid.UUID | None] = _staff()
    independent_letter: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    independent_letter_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    independent_letter_sent_by_id: Mapped[uuid.UUID | None] = _staff()
    concluded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
