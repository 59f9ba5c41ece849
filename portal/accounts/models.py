"""Staff accounts, account requests and set-up codes, server-side sessions and login attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from portal.accounts.roles import Role
from portal.db.base import Base, IdMixin, TimestampMixin, UTCDateTime
from portal.kit.enums import LabelledStrEnum

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)

# Stored in ``password_hash`` until the person chooses a password with their set-up code. It is
# not an argon2 hash, so nothing ever verifies against it (like ``!`` in a Unix shadow file).
NO_PASSWORD = "!"  # noqa: S105

# A session's stage: the password has passed, or the password and the second factor.
PASSWORD_ONLY = "password"  # noqa: S105
SIGNED_IN = "signed_in"


def staff(*, nullable: bool = False) -> MappedColumn[uuid.UUID]:
    """A column naming the staff account that did something (``recorded_by_id``...)."""
    return mapped_column(Uuid, ForeignKey("user_account.id"), nullable=nullable)


class TwoPersonRequest:
    """A request one administrator asks for and a different one decides (approves or refuses):
    its state and who did what when. The table's checks: ``two_person_checks``."""

    if TYPE_CHECKING:
        id: uuid.UUID  # the table's own (IdMixin)

    state: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[uuid.UUID] = staff()
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def two_person_checks(states: tuple[str, ...]) -> tuple[CheckConstraint, CheckConstraint]:
    """A ``TwoPersonRequest`` table's checks: a known state, and a decider who did not ask."""
    return (
        CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in states) + ")", name="state_known"
        ),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="two_people"
        ),
    )


def one_pending_per(column: str, *, index: str) -> Index:
    """A partial unique index: at most one pending request for each ``column``."""
    return Index(
        index,
        column,
        unique=True,
        sqlite_where=text("state = 'pending'"),
        postgresql_where=text("state = 'pending'"),
    )


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
    # The dedicated permission to be the second person who approves (issue 16 point 7).
    may_approve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def has_password(self) -> bool:
        """False until the person has used their set-up code."""
        return self.password_hash != NO_PASSWORD

    def __repr__(self) -> str:
        return f"User(id={self.id}, role={self.role})"


class AuthSession(IdMixin, Base):
    """A signed-in session. The cookie holds a random 256-bit token; only its SHA-256 is stored."""

    __tablename__ = "auth_session"
    __table_args__ = (
        CheckConstraint(f"stage IN ('{PASSWORD_ONLY}', '{SIGNED_IN}')", name="stage_known"),
    )

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
    # What the user signed in with, in a few words from its User-Agent ("Chrome on Windows"),
    # for their list of sessions (portal.accounts.sessions_page). Never the address.
    device: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # "password" until the second factor passes, then "signed_in" (portal.accounts.factors);
    # ``factor_at``: the last time a second factor was proved in this session (step-up).
    stage: Mapped[str] = mapped_column(
        String(16), default=PASSWORD_ONLY, server_default=text(f"'{PASSWORD_ONLY}'")
    )
    factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # ``passkey_at``: the last passkey assertion in this session (the high-risk actions ask for
    # one: portal.accounts.factor_passkeys). ``passkey_challenge``: the WebAuthn challenge of
    # the ceremony under way (base64url, single use), kept here, never in a cookie.
    passkey_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    passkey_challenge: Mapped[str | None] = mapped_column(String(100), nullable=True)
    passkey_challenge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def signed_in(self) -> bool:
        """True once the second factor has passed; a password alone opens only its step."""
        return self.stage == SIGNED_IN

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


ACCOUNT_REQUEST_STATES = ("pending", "approved", "refused")


class AccountRequest(IdMixin, TwoPersonRequest, Base):
    """An administrator's request for a new staff account, decided by a different administrator.

    No account exists until a second administrator approves; then ``user_id`` points to it. The
    requested username is reserved while the request is pending (a partial unique index).
    """

    __tablename__ = "account_request"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),
        *two_person_checks(ACCOUNT_REQUEST_STATES),
        one_pending_per("username", index="ix_account_request_pending_username"),
        Index("ix_account_request_state_at", "state", "requested_at"),
    )

    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(40), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(40), nullable=True)
    may_unmask: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    may_approve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("user_account.id"), nullable=True, unique=True
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"AccountRequest(id={self.id}, role={self.role}, state={self.state})"


class SetupCode(IdMixin, Base):
    """A one-time code with which a new user chooses their own password.

    The code is random (128 bits) and shown once; only its SHA-256 is stored. It expires after
    ``account_setup_hours`` and works once; issuing a new one cancels any earlier one.
    """

    __tablename__ = "account_setup_code"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    issued_by_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"SetupCode(id={self.id}, user_id={self.user_id})"


# What an account notice can be about: failed sign-in attempts (counted at sign-in), and a
# change of second factor (added by the second-factor use cases).
NOTICE_KINDS = ("failed_sign_ins", "factor_changed")


class AccountNotice(IdMixin, Base):
    """Something the user must be told about their own account at their next sign-in
    (portal.accounts.notices). ``count`` is how many, for notices that count."""

    __tablename__ = "account_notice"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in NOTICE_KINDS) + ")", name="kind_known"
        ),
        Index("ix_account_notice_user_seen", "user_id", "seen_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"AccountNotice(id={self.id}, kind={self.kind})"


CHANGE_REQUEST_STATES = ("pending", "approved", "refused")


class AccessChangeRequest(IdMixin, TwoPersonRequest, Base):
    """An administrator's request to change what an account may do (its role, Area, unit and
    permissions), decided by a different administrator; applied at once on approval
    (portal.accounts.access_changes)."""

    __tablename__ = "access_change_request"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),
        *two_person_checks(CHANGE_REQUEST_STATES),
        one_pending_per("user_id", index="ix_access_change_request_pending_user"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(40), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(40), nullable=True)
    may_unmask: Mapped[bool] = mapped_column(Boolean, default=False)
    may_approve: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"AccessChangeRequest(id={self.id}, user_id={self.user_id}, state={self.state})"


class DeactivationReason(LabelledStrEnum):
    """Why an account is deactivated (stored values: never change)."""

    LEFT = "left", "They have left the organisation"
    MOVED = "moved", "They have moved to work that does not need this account"
    ABSENCE = "absence", "A long absence"
    SECURITY = "security", "A security concern about the account"
    OTHER = "other", "Another reason (explain below)"


DEACTIVATION_REASONS = tuple(r.value for r in DeactivationReason)


class Deactivation(IdMixin, Base):
    """Why an account was deactivated, by whom, and to whom its open work was handed over in
    the same step (portal.home.handover). The detail is plain text, like a break-glass reason:
    the form asks for no names or personal details, and auditors must be able to read it."""

    __tablename__ = "account_deactivation"
    __table_args__ = (
        CheckConstraint(
            "reason IN (" + ", ".join(f"'{r}'" for r in DEACTIVATION_REASONS) + ")",
            name="reason_known",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
    deactivated_by_id: Mapped[uuid.UUID] = staff()
    deactivated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handed_to_id: Mapped[uuid.UUID | None] = staff(nullable=True)
    cases_moved: Mapped[int] = mapped_column(Integer, default=0)
    actions_moved: Mapped[int] = mapped_column(Integer, default=0)
    letters_moved: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"Deactivation(id={self.id}, user_id={self.user_id})"
