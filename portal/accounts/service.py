"""Accounts: creating users, signing in with throttling, and server-side sessions.

Sessions are rows in ``auth_session`` (not Starlette's signed-cookie ``SessionMiddleware``, which
puts readable state in the cookie and cannot be revoked; security.md 1.5). The cookie carries a
random 256-bit token and the table stores only its SHA-256. Idle and absolute limits are enforced
on every request; logout and account deactivation revoke server-side.

Throttling (Cyber Essentials, NCSC): at most ``login_max_failures`` guesses per account per window,
counted in the database so the limit holds across processes. Each attempt is recorded as a failure
*before* the password is checked (and flipped to success afterwards), under a per-account lock, so
concurrent guesses cannot slip past the count.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.accounts import repository
from portal.accounts.errors import PasswordRejected, UsernameTaken
from portal.accounts.models import AuthSession, LoginAttempt, User
from portal.accounts.roles import Role
from portal.db.session import serialize_on
from portal.security import passwords, tokens
from portal.settings import Settings

log = logging.getLogger(__name__)


def normalise_username(username: str) -> str:
    return username.strip().casefold()


def create_user(
    db: Session, *, username: str, display_name: str, role: Role, password: str, now: datetime
) -> User:
    username = normalise_username(username)
    if repository.find_user_by_username(db, username) is not None:
        raise UsernameTaken(username)
    verdict = passwords.check_password_policy(password, username=username)
    if not verdict.ok:
        raise PasswordRejected(verdict.message)
    user = User(
        id=uuid.uuid4(),
        username=username,
        display_name=display_name.strip(),
        role=role.value,
        password_hash=passwords.hash_password(password),
        is_active=True,
        password_changed_at=now,
    )
    db.add(user)
    db.flush()
    log.info("account.created user_id=%s role=%s", user.id, role.value)
    return user


def set_active(db: Session, *, user: User, active: bool, now: datetime) -> None:
    user.is_active = active
    if not active:
        repository.revoke_sessions_of(db, user.id, now)
    db.flush()
    log.info("account.active_changed user_id=%s active=%s", user.id, active)


# --- signing in -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginTicket:
    """What the first (short) transaction of a login hands to the password check."""

    attempt_id: uuid.UUID | None
    user_id: uuid.UUID | None
    password_hash: str | None
    throttled: bool


def begin_login(
    db: Session, *, settings: Settings, username: str, client: str, now: datetime
) -> LoginTicket:
    key = settings.secret_key.reveal().encode()
    account_key = tokens.keyed_hash(key, "login-account", normalise_username(username))
    client_key = tokens.keyed_hash(key, "login-client", client)
    serialize_on(db, f"login:{account_key}")
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    last_success = repository.last_success_at(db, account_key)
    since = max(window_start, last_success) if last_success else window_start
    account_failures = repository.count_failures(db, since=since, account_key=account_key)
    client_failures = repository.count_failures(db, since=window_start, client_key=client_key)
    if (
        account_failures >= settings.login_max_failures
        or client_failures >= settings.login_ip_max_failures
    ):
        log.warning("login.throttled account_key=%s", account_key[:12])
        return LoginTicket(None, None, None, throttled=True)
    attempt = LoginAttempt(
        id=uuid.uuid4(),
        account_key=account_key,
        client_key=client_key,
        attempted_at=now,
        succeeded=False,
    )
    db.add(attempt)
    user = repository.find_user_by_username(db, normalise_username(username))
    db.flush()
    if user is None or not user.is_active:
        return LoginTicket(attempt.id, None, None, throttled=False)
    return LoginTicket(attempt.id, user.id, user.password_hash, throttled=False)


def check_password(ticket: LoginTicket, password: str) -> bool:
    """Run argon2 outside any transaction (it takes ~150 ms and must not hold the write lock)."""
    if ticket.throttled:
        return False
    return passwords.verify_password(ticket.password_hash, password)


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    session: AuthSession


def finish_login(
    db: Session,
    *,
    settings: Settings,
    ticket: LoginTicket,
    password: str,
    verified: bool,
    now: datetime,
) -> NewSession | None:
    if ticket.throttled or ticket.attempt_id is None:
        return None
    if not verified or ticket.user_id is None:
        log.info("login.failed attempt_id=%s", ticket.attempt_id)
        return None
    attempt = db.get(LoginAttempt, ticket.attempt_id)
    user = repository.get_user(db, ticket.user_id)
    if attempt is None or user is None or not user.is_active:
        return None
    attempt.succeeded = True
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        log.info("login.rehashed user_id=%s", user.id)
    token = tokens.new_token()
    session = AuthSession(
        id=uuid.uuid4(),
        token_hash=tokens.token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
    )
    db.add(session)
    db.flush()
    log.info("login.succeeded user_id=%s session_id=%s", user.id, session.id)
    return NewSession(token, session)


# --- sessions -------------------------------------------------------------------------------

# Writing last_seen_at on every request would turn every page view into a write, so it is
# rewritten only once it is this stale. At most a minute (one write a minute per active session).
MAX_TOUCH_INTERVAL = timedelta(seconds=60)


def touch_interval(idle_limit: timedelta) -> timedelta:
    """How stale ``last_seen_at`` may get before a request rewrites it.

    The idle clock runs from the last *recorded* activity, so a user can be signed out after
    ``idle_limit - interval`` without a request. A tenth of the limit keeps that at 90% of the
    limit or more (a minute's limit: a user active every 54 s or less is never signed out),
    and the one-minute cap keeps the default 15-minute limit at one write a minute.
    """
    return min(MAX_TOUCH_INTERVAL, idle_limit / 10)


@dataclass(frozen=True, slots=True)
class ActiveSession:
    session: AuthSession
    user: User
    idle_expires_at: datetime


def load_session(
    db: Session, *, settings: Settings, token: str, now: datetime, touch: bool = True
) -> ActiveSession | None:
    found = repository.find_session(db, tokens.token_hash(token))
    if found is None:
        return None
    session, user = found
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    if (
        session.revoked_at is not None
        or not user.is_active
        or now >= session.expires_at
        or now - session.last_seen_at >= idle_limit
    ):
        if session.revoked_at is None:
            session.revoked_at = now
            db.flush()
        return None
    if touch and now - session.last_seen_at >= touch_interval(idle_limit):
        session.last_seen_at = now
        db.flush()
    idle_expires = min(session.last_seen_at + idle_limit, session.expires_at)
    return ActiveSession(session, user, idle_expires)


def extend_session(db: Session, *, active: ActiveSession, now: datetime) -> None:
    active.session.last_seen_at = now
    db.flush()


def end_session(db: Session, *, session: AuthSession, now: datetime) -> None:
    session.revoked_at = now
    db.flush()
    log.info("logout session_id=%s", session.id)
