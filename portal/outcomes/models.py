"""Outcomes per victim and per defendant (issue 20).

Money is whole pence (integers). Per-victim amounts (a loss, its kind and description, a
victim's share of an apportioned sum) are personal data, sealed with the victim's case key like
other per-case personal data; the court's orders against a defendant are public record and stay
plain so they can be counted, but every free text (reasons, terms) is sealed with the case key.
docs/data-protection.md lists every column.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import staff
from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.checks import one_of
from portal.db.encrypted import EncryptedBlob, Sealed
from portal.kit.enums import LabelledStrEnum


class LossKind(LabelledStrEnum):
    MONEY = "money", "Money"
    PROPERTY = "property", "Property"
    INJURY = "injury", "Personal injury"


class OrderStatus(LabelledStrEnum):
    SOUGHT = "sought", "Sought"
    MADE = "made", "Made"
    REFUSED = "refused", "Refused"


class Enforcement(LabelledStrEnum):
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    PAYING = "paying", "Being paid"
    SATISFIED = "satisfied", "Paid in full"
    IN_DEFAULT = "in_default", "In default"
    RECEIVER = "receiver", "Enforcement receiver appointed"
    DEFAULT_TERM = "default_term", "Default sentence activated"


class Finalised(LabelledStrEnum):
    """How a defendant's prosecution ended: the seed table's columns."""

    GUILTY_PLEA = "guilty_plea", "Guilty plea"
    CONVICTED_AFTER_TRIAL = "convicted_after_trial", "Convicted after trial"
    ACQUITTED_AFTER_TRIAL = "acquitted_after_trial", "Acquitted after trial"
    DIRECTED_ACQUITTAL = "directed_acquittal", "Directed acquittal"
    DROPPED = "dropped", "Prosecution dropped"


class VictimLoss(IdMixin, Base):
    __tablename__ = "victim_loss"
    __table_args__ = (Index("ix_victim_loss_case_party", "case_id", "case_party_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    kind: Mapped[Sealed] = mapped_column(EncryptedBlob)
    amount: Mapped[Sealed] = mapped_column(EncryptedBlob)  # pence, as decimal text
    description: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    proven: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CompensationOrder(IdMixin, Base):
    __tablename__ = "compensation_order"
    __table_args__ = (
        one_of("status", OrderStatus, name="status_known"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        Index("ix_compensation_order_case", "case_id", "defendant_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    defendant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("defendant.id", ondelete="CASCADE")
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    status: Mapped[str] = mapped_column(String(16))
    sought_pence: Mapped[int] = mapped_column(BigInteger)
    amount_pence: Mapped[int] = mapped_column(BigInteger, default=0)  # made: the order
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CompensationPayment(IdMixin, Base):
    __tablename__ = "compensation_payment"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("compensation_order.id", ondelete="CASCADE"), index=True
    )
    received_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Apportionment(IdMixin, Base):
    """A sum (a compensation order, or the part of a confiscation order directed to
    compensation) split across the case's victims pro rata to proven loss (portal.outcomes.
    apportion). The latest one for a source is the one in force."""

    __tablename__ = "apportionment"
    __table_args__ = (
        CheckConstraint("source IN ('compensation', 'confiscation')", name="source_known"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    total_pence: Mapped[int] = mapped_column(BigInteger)
    victims: Mapped[int] = mapped_column(Integer)
    made_by_id: Mapped[uuid.UUID] = staff()
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApportionmentShare(IdMixin, Base):
    __tablename__ = "apportionment_share"
    __table_args__ = (
        UniqueConstraint("apportionment_id", "case_party_id", name="one_share_per_victim"),
    )

    apportionment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("apportionment.id", ondelete="CASCADE")
    )
    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    amount: Mapped[Sealed] = mapped_column(EncryptedBlob)  # pence, as decimal text


class ConfiscationOrder(IdMixin, Base):
    """POCA 2002 Part 2 for one defendant: restraint, the order's three figures, the part the
    court directs to be paid as compensation (s13(5)-(6)), and enforcement."""

    __tablename__ = "confiscation_order"
    __table_args__ = (
        UniqueConstraint("defendant_id", name="one_confiscation_per_defendant"),
        one_of("enforcement", Enforcement, name="enforcement_known"),
        CheckConstraint(
            "compensation_pence <= order_pence AND recovered_pence >= 0",
            name="amounts_consistent",
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    defendant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("defendant.id", ondelete="CASCADE")
    )
    restraint_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ordered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    benefit_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    available_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    order_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    compensation_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    enforcement: Mapped[str] = mapped_column(String(16), default=Enforcement.NOT_YET_DUE.value)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AncillaryOrder(IdMixin, Base):
    __tablename__ = "ancillary_order"
    __table_args__ = (
        one_of("status", OrderStatus, name="status_known"),
        Index("ix_ancillary_order_case", "case_id", "defendant_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    defendant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("defendant.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))  # a code from portal/data/outcomes.toml
    status: Mapped[str] = mapped_column(String(16))
    sought_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    protects_party_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="SET NULL"), nullable=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    terms: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DefendantOutcome(IdMixin, Base):
    """How one defendant's prosecution was finalised, and when (the performance review counts
    these)."""

    __tablename__ = "defendant_outcome"
    __table_args__ = (
        UniqueConstraint("defendant_id", name="one_outcome_per_defendant"),
        one_of("outcome", Finalised, name="outcome_known"),
        Index("ix_defendant_outcome_finalised", "finalised_on"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    defendant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("defendant.id", ondelete="CASCADE")
    )
    outcome: Mapped[str] = mapped_column(String(32))
    finalised_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
