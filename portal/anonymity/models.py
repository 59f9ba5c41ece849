"""Reporting restrictions, witness anonymity order applications and unmasking requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import staff
from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.checks import one_of
from portal.db.encrypted import EncryptedBlob, Sealed

RESTRICTION_KINDS = {
    "soaa_1992": "Lifelong anonymity (Sexual Offences (Amendment) Act 1992)",
    "yjcea_s45": "Reporting direction until 18 (Youth Justice and Criminal Evidence Act 1999 s45)",
    "yjcea_s45a": (
        "Lifetime reporting direction (Youth Justice and Criminal Evidence Act 1999 s45A)"
    ),
    "yjcea_s46": "Lifetime reporting direction (Youth Justice and Criminal Evidence Act 1999 s46)",
    "wao": "Witness anonymity order (Coroners and Justice Act 2009 s86)",
}

APPLICATION_STATES = (
    "drafted",
    "approved",
    "served",
    "granted",
    "refused",
    "varied",
    "discharged",
    "declined",  # the second person refused to approve it: it is not made (a new one may be)
)
UNMASK_STATES = ("pending", "approved", "refused", "returned")
MEASURES = {
    "withhold_name": "Name and identifying details withheld or removed from disclosed material",
    "pseudonym": "A pseudonym is used",
    "no_identifying_questions": "No questions that might lead to identification",
    "screening": "The witness is screened",
    "voice_modulation": "The witness's voice is modulated",
}


class Restriction(IdMixin, Base):
    __tablename__ = "restriction"
    __table_args__ = (
        one_of("kind", RESTRICTION_KINDS, name="kind_known"),
        Index("ix_restriction_person", "person_id"),
        Index("ix_restriction_case", "case_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lifted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    waived_in_writing: Mapped[bool] = mapped_column(Boolean, default=False)
    court_reference: Mapped[str | None] = mapped_column(String(60), nullable=True)
    recorded_by_id: Mapped[uuid.UUID] = staff()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnonymityApplication(IdMixin, Base):
    """A witness anonymity order application (C&JA 2009 ss86-90). The arguments are sealed
    under the witness's key; the served version never carries anything identifying."""

    __tablename__ = "anonymity_application"
    __table_args__ = (
        one_of("state", APPLICATION_STATES, name="state_known"),
        Index("ix_anonymity_application_case", "case_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("person.id", ondelete="CASCADE"))
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    state: Mapped[str] = mapped_column(String(16), default="drafted")
    condition_a: Mapped[Sealed] = mapped_column(EncryptedBlob)
    condition_b: Mapped[Sealed] = mapped_column(EncryptedBlob)
    condition_c: Mapped[Sealed] = mapped_column(EncryptedBlob)
    considerations: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    measures: Mapped[str] = mapped_column(String(200))  # codes, comma-separated
    drafted_by_id: Mapped[uuid.UUID] = staff()
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    served_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    court_reference: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # The second person's "no": returned to its author with a comment (it stays drafted), or
    # refused (state ``declined``: the application is not made). Who, when and the comment.
    returned_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    return_comment: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class UnmaskRequest(IdMixin, Base):
    """A request to see a sealed identity: reason, password re-entry, a second person's
    approval, and a time limit. Recorded in the access log as a disclosure with both users."""

    __tablename__ = "unmask_request"
    __table_args__ = (
        one_of("state", UNMASK_STATES, name="state_known"),
        Index("ix_unmask_request_requester", "requested_by_id", "expires_at"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("person.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("case_file.id", ondelete="CASCADE"))
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    reason: Mapped[Sealed] = mapped_column(EncryptedBlob)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[uuid.UUID] = staff()
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The approver's comment (required to return a request), sealed under the person's key.
    decision_comment: Mapped[Sealed | None] = mapped_column(EncryptedBlob, nullable=True)
    # The role that must decide it, fixed when it was asked (None: any holder of the permission).
    approver_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
