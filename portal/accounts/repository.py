"""All queries on accounts, account requests, set-up codes, sessions and login attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from portal.accounts.models import (
    NO_PASSWORD,
    AccessChangeRequest,
    AccountNotice,
    AccountRequest,
    AuthSession,
    LoginAttempt,
    SetupCode,
    TwoPersonRequest,
    User,
)

R = TypeVar("R", bound=TwoPersonRequest)
H = TypeVar("H", SetupCode, AuthSession)  # found by a hash, with its account


def get_user(db: Session, user_id: uuid.UUID) -> User | None:
    return db.get(User, user_id)


def find_user_by_username(db: Session, username: str) -> User | None:
    return db.scalars(select(User).where(User.username == username)).one_or_none()


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.role, User.username)))


def get_request(db: Session, request_id: uuid.UUID) -> AccountRequest | None:
    return db.get(AccountRequest, request_id)


def pending_request_for_username(db: Session, username: str) -> AccountRequest | None:
    return db.scalars(
        select(AccountRequest).where(
            AccountRequest.username == username, AccountRequest.state == "pending"
        )
    ).one_or_none()


def request_for_user(db: Session, user_id: uuid.UUID) -> AccountRequest | None:
    return db.scalars(select(AccountRequest).where(AccountRequest.user_id == user_id)).one_or_none()


def pending_requests(db: Session) -> list[tuple[AccountRequest, User]]:
    """Requests awaiting a decision, oldest first, each with who asked."""
    return pending_with_account(db, AccountRequest, AccountRequest.requested_by_id)


def pending_with_account(
    db: Session, kind: type[R], account: InstrumentedAttribute[Any]
) -> list[tuple[R, User]]:
    """The ``kind`` requests awaiting a decision, oldest first, each with the account its
    ``account`` column names."""
    rows = db.execute(
        select(kind, User)
        .join(User, User.id == account)
        .where(kind.state == "pending")
        .order_by(kind.requested_at)
    )
    return [(row[0], row[1]) for row in rows]


def find_setup_code(db: Session, code_hash: str) -> tuple[SetupCode, User] | None:
    return _one_with_account(db, SetupCode, SetupCode.code_hash == code_hash)


def _one_with_account(
    db: Session, kind: type[H], which: ColumnElement[bool]
) -> tuple[H, User] | None:
    """The one ``kind`` row ``which`` finds, with the account it belongs to."""
    row = db.execute(
        select(kind, User).join(User, User.id == kind.user_id).where(which)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def cancel_setup_codes(db: Session, user_id: uuid.UUID, now: datetime) -> None:
    db.execute(
        update(SetupCode)
        .where(
            SetupCode.user_id == user_id,
            SetupCode.used_at.is_(None),
            SetupCode.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )


def find_session(db: Session, token_hash: str) -> tuple[AuthSession, User] | None:
    return _one_with_account(db, AuthSession, AuthSession.token_hash == token_hash)


def revoke_sessions_of(
    db: Session, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
) -> int:
    """End every open session of the account (but ``keep``, the one asking)."""
    query = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = db.execute(query.values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions_of(
    db: Session, user_id: uuid.UUID, *, now: datetime, idle_since: datetime
) -> list[AuthSession]:
    """The account's sessions still in force: not ended, not expired, not idle too long."""
    return list(
        db.scalars(
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                AuthSession.last_seen_at > idle_since,
            )
            .order_by(AuthSession.last_seen_at.desc(), AuthSession.id)
        )
    )


def get_session(db: Session, session_id: uuid.UUID) -> AuthSession | None:
    return db.get(AuthSession, session_id)


def previous_sign_in_at(
    db: Session, user_id: uuid.UUID, *, other_than: uuid.UUID
) -> datetime | None:
    """When the account last signed in before the session ``other_than`` began."""
    return db.scalar(
        select(func.max(AuthSession.created_at)).where(
            AuthSession.user_id == user_id, AuthSession.id != other_than
        )
    )


def unseen_notices(db: Session, user_id: uuid.UUID) -> list[AccountNotice]:
    return list(
        db.scalars(
            select(AccountNotice)
            .where(AccountNotice.user_id == user_id, AccountNotice.seen_at.is_(None))
            .order_by(AccountNotice.created_at, AccountNotice.id)
        )
    )


def last_success_at(db: Session, account_key: str) -> datetime | None:
    return db.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.account_key == account_key, LoginAttempt.succeeded.is_(True)
        )
    )


def count_failures(
    db: Session, *, since: datetime, account_key: str | None = None, client_key: str | None = None
) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.attempted_at >= since, LoginAttempt.succeeded.is_(False))
    )
    if account_key is not None:
        query = query.where(LoginAttempt.account_key == account_key)
    if client_key is not None:
        query = query.where(LoginAttempt.client_key == client_key)
    return int(db.scalar(query) or 0)


def requesters_of_accounts(db: Session) -> dict[uuid.UUID, uuid.UUID]:
    """Account id -> the administrator who asked for it (accounts made on the web only)."""
    rows = db.execute(
        select(AccountRequest.user_id, AccountRequest.requested_by_id).where(
            AccountRequest.user_id.is_not(None)
        )
    )
    return {row[0]: row[1] for row in rows if row[0] is not None}


def colleagues_of(db: Session, user: User) -> list[User]:
    """Who can take over ``user``'s work: other active, set-up accounts of the same role that
    work in the same Area and unit."""
    return list(
        db.scalars(
            select(User)
            .where(
                User.id != user.id,
                User.role == user.role,
                User.is_active.is_(True),
                User.password_hash != NO_PASSWORD,
                User.area.is_(None) if user.area is None else User.area == user.area,
                User.unit.is_(None) if user.unit is None else User.unit == user.unit,
            )
            .order_by(User.display_name, User.username)
        )
    )


def get_change_request(db: Session, request_id: uuid.UUID) -> AccessChangeRequest | None:
    return db.get(AccessChangeRequest, request_id)


def pending_change_for(db: Session, user_id: uuid.UUID) -> AccessChangeRequest | None:
    return db.scalars(
        select(AccessChangeRequest).where(
            AccessChangeRequest.user_id == user_id, AccessChangeRequest.state == "pending"
        )
    ).one_or_none()


def pending_changes(db: Session) -> list[tuple[AccessChangeRequest, User]]:
    """Access changes awaiting a decision, oldest first, each with the account to change."""
    return pending_with_account(db, AccessChangeRequest, AccessChangeRequest.user_id)
