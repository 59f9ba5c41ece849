"""Second factors (issue 18 point 1): a TOTP secret per user, recovery codes, factor resets.

The TOTP secret is sealed like personal data (AES-256-GCM under a ``system`` data key of its own,
bound to its row), so a copy of the database does not give anyone's codes.
``last_step`` is the last RFC 6238 time-step accepted for the user: a code of that step or an
earlier one is refused, so each code works once. Recovery codes are random (128 bits) and only
their SHA-256 is stored: like set-up codes, they are too long to guess, so a slow hash would add
nothing. A factor reset is asked for by one administrator and approved by a different one.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import TwoPersonRequest, two_person_checks
from portal.db.base import Base, IdMixin, UTCDateTime
from portal.db.encrypted import EncryptedBlob, Sealed


class UserFactor(IdMixin, Base):
    """A user's TOTP secret. ``confirmed_at`` is None while enrolment is not finished."""

    __tablename__ = "user_factor"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    key_id: Mapped[int] = mapped_column(Integer, ForeignKey("data_key.id"))
    secret: Mapped[Sealed] = mapped_column(EncryptedBlob)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    def __repr__(self) -> str:
        return f"UserFactor(id={self.id}, user_id={self.user_id})"


class RecoveryCode(IdMixin, Base):
    """One single-use recovery code: only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


FACTOR_RESET_STATES = ("pending", "approved", "refused")


class FactorReset(IdMixin, TwoPersonRequest, Base):
    """An administrator's request to remove a user's second factors, decided by another.

    ``told_at``: when the user was shown that their factors were reset (at their next sign-in).
    """

    __tablename__ = "factor_reset"
    __table_args__ = (
        *two_person_checks(FACTOR_RESET_STATES),
        Index("ix_factor_reset_user_state", "user_id", "state"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE")
    )
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"FactorReset(id={self.id}, user_id={self.user_id}, state={self.state})"


class Passkey(IdMixin, Base):
    """A WebAuthn credential (a passkey) a user registered as a second factor (issue 18.2).

    Only what checking an assertion needs is kept: the credential id and its COSE public key
    (neither is secret), the authenticator's signature counter (a counter that goes backwards
    means a cloned authenticator), the transports the browser reported (a hint for the next
    ceremony) and the device it was registered on, in a few words from the User-Agent
    (``portal.accounts.devices``: never free text, never the address).
    """

    __tablename__ = "passkey"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str] = mapped_column(String(120), default="")
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"Passkey(id={self.id}, user_id={self.user_id})"
