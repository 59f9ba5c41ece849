"""People (victims and witnesses) and what the portal records about them.

Every personal value is sealed under the person's own data key (``key_id``), so erasing a
person destroys one key and makes every copy unreadable. Exact-match search uses keyed blind
indexes (``*_index``), never plaintext; a sealed identity has no index at all.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, IdMixin, TimestampMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed


class Person(IdMixin, TimestampMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_name_index", "name_index"),
        Index("ix_person_dob_index", "dob_index"),
        # The vault looks up sealed identities by key id on every batch it opens.
        Index("ix_person_key_id", "key_id"),
    )

    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    # A label safe to show anywhere ("P-7F3KQ"); never derived from personal data.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    is_business: Mapped[bool] = mapped_column(Boolean, default=False)
    full_name: Mapped[Sealed] = mapped_column(EncryptedBlob)
    aliases: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    date_of_birth: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    address: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    phone: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    email: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    # Business victims are reached through a named contact (Victims' Code: legal persons).
    business_contact: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    # Structured JSON documents, sealed whole: communication needs, safe-contact rules and the
    # nominated representative.
    communication_needs: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    safe_contact: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    representative: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    name_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dob_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    erased: Mapped[bool] = mapped_column(Boolean, default=False)
    # Anonymity order sought or granted: no blind index may exist on the true identity.
    identity_sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the address was last replaced: a letter drafted before it is never posted (portal.vlu).
    address_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class OfPerson:
    """A row about one person (a reference, a referral, an NRM decision), deleted with them."""

    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )


class PersonReference(IdMixin, OfPerson, Base):
    """Crime reference numbers: police, Action Fraud (until 4 Dec 2025), Report Fraud, NRM."""

    __tablename__ = "person_reference"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('police_crn', 'action_fraud', 'report_fraud', 'nrm')", name="kind_known"
        ),
        Index("ix_person_reference_value_index", "value_index"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    value: Mapped[Sealed] = mapped_column(EncryptedBlob)
    value_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PersonNameWord(IdMixin, OfPerson, Base):
    """Blind indexes of a person's name words and of how each sounds (portal.people.name_index),
    so a first name or a surname alone, or a sound-alike spelling, finds them. One row a value,
    in no order, saying neither which word nor which kind; none for a sealed identity."""

    __tablename__ = "person_name_word"
    __table_args__ = (Index("ix_person_name_word_value_index", "value_index", "person_id"),)

    value_index: Mapped[int] = mapped_column(Integer)


class SupportReferral(IdMixin, OfPerson, Base):
    __tablename__ = "support_referral"
    __table_args__ = (
        CheckConstraint(
            "service IN ('isva', 'chisva', 'idva', 'ictg', 'victim_support', 'other')",
            name="service_known",
        ),
    )

    service: Mapped[str] = mapped_column(String(20))
    referred_on: Mapped[date] = mapped_column(Date)
    consent_given: Mapped[bool] = mapped_column(Boolean)
    consent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    notes: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)


class PersonContact(IdMixin, OfPerson, Base):
    """A parent, guardian or representative of a person (the relationship's code is from
    portal/data/people.toml). Every personal value is sealed under the person's own key, so it
    goes with them when they are erased. ``nominated``: the person is contacted through them
    ("through their representative", portal.people.contact)."""

    __tablename__ = "person_contact"

    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    relationship: Mapped[str] = mapped_column(String(32))
    name: Mapped[Sealed] = mapped_column(EncryptedBlob)
    phone: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    email: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    address: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    nominated: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NrmDecision(IdMixin, OfPerson, Base):
    """National Referral Mechanism (trafficking): referral, reasonable and conclusive grounds."""

    __tablename__ = "nrm_decision"
    __table_args__ = (
        CheckConstraint(
            "stage IN ('referral', 'reasonable_grounds', 'conclusive_grounds')", name="stage_known"
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('positive', 'negative', 'pending')",
            name="outcome_known",
        ),
    )

    stage: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_on: Mapped[date] = mapped_column(Date)


# --- safeguards (moved from portal.safeguards.models; same tables) ---


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
    """Owned by a member of the case team (``owner_id``) or by a named partner: the kind of
    partner (``owner_partner``, from portal/data/people.toml) and their name, sealed."""

    __tablename__ = "safeguarding_action"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status_known"),
        CheckConstraint("owner_id IS NOT NULL OR owner_partner IS NOT NULL", name="has_an_owner"),
        Index("ix_safeguarding_action_owner_due", "owner_id", "due_on"),
    )

    case_party_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("case_party.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    description: Mapped[Sealed] = mapped_column(EncryptedBlob)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True
    )
    owner_partner: Mapped[str | None] = mapped_column(String(32), nullable=True)
    partner_name: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
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
