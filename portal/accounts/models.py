"""Staff accounts, server-side sessions and login attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.roles import Role
from portal.db.base import Base, IdMixin, TimestampMixin, UTCDateTime

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class User(IdMixin, TimestampMixin, Base):
    """A member of staff. Holds no victim or witness data."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Where the person works: case-scoped access is decided from these (portal.cases.access).
    area: Mapped[str | None] = mapped_column(String(40), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The dedicated permission to ask for, and approve, seeing a sealed identity (issue 7).
    may_unmask: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"User(id={self.id}, role={self.role})"


class AuthSession(IdMixin, Base):
    """A signed-in session. The cookie holds a random 256-bit token; only its SHA-256 is stored."""

    __tablename__ = "auth_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A one-off confirmation shown on the next page ("User created"). Never personal data.
    flash: Mapped[str | None] = mapped_column(String(200), nullable=True)

    def __repr__(self) -> str:
        return f"AuthSession(id={self.id}, user_id={self.user_id})"


class LoginAttempt(IdMixin, Base):
    """One login attempt, for throttling across processes. Keys are HMACs, never typed text.

    The typed username is not stored (people type passwords into the username box); the account
    key is an HMAC of the normalised username and the client key an HMAC of the client address.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_account_at", "account_key", "attempted_at"),
        Index("ix_login_attempt_client_at", "client_key", "attempted_at"),
    )

    account_key: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    succeeded: Mapped[bool] = mapped_column(Boolean)
