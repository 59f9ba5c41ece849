"""Accounts: creating users, signing in with throttling, and server-side sessions.

Sessions are rows in ``auth_session`` (not Starlette's signed-cookie ``SessionMiddleware``, which
puts readable state in the cookie and cannot be revoked; security.md 1.5). The cookie carries a
random 256-bit token and the table stores only its SHA-256. Idle and absolute limits are enforced
on every request; logout and account deactivation revoke server-side.

Throttling is in ``portal.accounts.throttle`` (per account and per address, counted in the
database); ``recheck_password`` puts every password re-check (before seeing a sealed identity)
through the same count as signing in. Every account event goes into the hash-chained audit log
with ids only: never a username as typed, a password or a code.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts import repository, throttle
from portal.accounts.actor import Actor
from portal.accounts.errors import PasswordRejected, UsernameTaken
from portal.accounts.events import AccessWithdrawn
from portal.accounts.models import AuthSession, LoginAttempt, User
from portal.accounts.roles import Role
from portal.accounts.throttle import normalise_username
from portal.audit import service as audit
from portal.db.session import is_read, write_later
from portal.kit.errors import NotPermitted
from portal.kit.events import publish
from portal.security import passwords, tokens
from portal.settings import Settings

log = logging.getLogger(__name__)


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role_enum, area=user.area, unit=user.unit)


def record_event(
    db: Session,
    action: str,
    *,
    actor: Actor | None,
    object_id: object,
    object_type: str = "user_account",
    purpose: str | None = None,
) -> None:
    """One account event in the audit log: ids only."""
    audit.record(
        db,
        actor=actor,
        category="security",
        action=f"account.{action}",
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
    )


def create_user(
    db: Session, *, username: str, display_name: str, role: Role, password: str, now: datetime
) -> User:
    """The operator's way in (``portal users create``, ``portal demo``): someone at the server's
    console, who chooses their own password. Web administrators use account requests instead
    (portal.accounts.onboarding) and never choose or see a password."""
    username = normalise_username(username)
    if repository.find_user_by_username(db, username) is not None:
        raise UsernameTaken(username)
    verdict = passwords.check_password_policy(password, username=username)
    if not verdict.ok:
        raise PasswordRejected(verdict.message)
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role.value,
        password_hash=passwords.hash_password(password),
        is_active=True,
        password_changed_at=now,
    )
    db.add(user)
    db.flush()
    record_event(db, "created", actor=None, object_id=user.id, purpose="operator")
    log.info("account.created user_id=%s role=%s", user.id, role.value)
    return user


def set_password_as_operator(db: Session, *, user: User, password: str, now: datetime) -> None:
    """``portal demo`` refreshing a demo account: the operator, never a web administrator."""
    verdict = passwords.check_password_policy(password, username=user.username)
    if not verdict.ok:
        raise PasswordRejected(verdict.message)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    db.flush()
    record_event(db, "password_changed", actor=None, object_id=user.id, purpose="operator")


def set_active(db: Session, *, actor: Actor, user: User, active: bool, now: datetime) -> None:
    if actor.role is not Role.ADMIN:
        raise NotPermitted("only administrators deactivate and reactivate accounts")
    if user.id == actor.user_id:
        raise NotPermitted("administrators cannot deactivate or reactivate themselves")
    if user.is_active == active:
        return
    user.is_active = active
    db.flush()
    record_event(db, "reactivated" if active else "deactivated", actor=actor, object_id=user.id)
    log.info("account.active_changed user_id=%s active=%s", user.id, active)
    if not active:
        end_sessions(db, actor=actor, user_id=user.id, purpose="deactivated", now=now)
        publish(db, AccessWithdrawn(user.id, actor, "deactivated"))


def end_sessions(
    db: Session, *, actor: Actor | None, user_id: uuid.UUID, purpose: str, now: datetime
) -> int:
    """Revoke every open session of the account, audited as one forced end (``purpose``)."""
    ended = repository.revoke_sessions_of(db, user_id, now)
    record_event(db, "sessions_ended", actor=actor, object_id=user_id, purpose=purpose)
    log.info("account.sessions_ended user_id=%s count=%s purpose=%s", user_id, ended, purpose)
    return ended


# --- signing in -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginTicket:
    """What the first (short) transaction of a login hands to the password check.

    ``user_id`` is set only for an account that may sign in; ``account_id`` for any account with
    that username (so the audit log can say which account was tried)."""

    attempt_id: uuid.UUID | None
    user_id: uuid.UUID | None
    password_hash: str | None
    throttled: bool
    account_id: uuid.UUID | None = None


def begin_login(
    db: Session, *, settings: Settings, username: str, client: str, now: datetime
) -> LoginTicket:
    keys = throttle.keys_for(settings, username=username, client=client)
    throttled = throttle.lock_and_check(db, settings, keys, now)
    user = repository.find_user_by_username(db, normalise_username(username))
    account_id = user.id if user is not None else None
    if throttled:
        log.warning("login.throttled account_key=%s", keys.account[:12])
        record_event(
            db,
            "sign_in_throttled",
            actor=None,
            object_type="user_account" if account_id else "login",
            object_id=account_id,
        )
        return LoginTicket(None, None, None, throttled=True, account_id=account_id)
    attempt = throttle.record_attempt(db, keys, now)
    if user is None or not user.is_active or not user.has_password:
        # No account that can sign in: the check still spends an argon2 verify (timing).
        return LoginTicket(attempt.id, None, None, throttled=False, account_id=account_id)
    return LoginTicket(attempt.id, user.id, user.password_hash, False, account_id=account_id)


def admit_sign_in() -> None:
    """Raise ``HashingBusy`` (a 503 with Retry-After) when more than a few password checks
    already wait for the hashing limiter, before anything is counted or queued."""
    if passwords.HASHING.busy():
        raise passwords.HashingBusy


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
        record_event(
            db,
            "sign_in_failed",
            actor=None,
            object_type="user_account" if ticket.account_id else "login_attempt",
            object_id=ticket.account_id or ticket.attempt_id,
        )
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
        token_hash=tokens.token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
    )
    db.add(session)
    db.flush()
    record_event(db, "signed_in", actor=actor_of(user), object_id=user.id)
    log.info("login.succeeded user_id=%s session_id=%s", user.id, session.id)
    return NewSession(token, session)


class Recheck(Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


def recheck_password(
    db: Session,
    *,
    settings: Settings,
    user: User,
    password: str,
    client: str,
    purpose: str,
    now: datetime,
) -> Recheck:
    """Ask a signed-in user for their password again, counted with their sign-in attempts.

    Without this, a form that re-checks the password is an unthrottled guessing oracle for
    anyone at an unlocked screen. A wrong password is counted, logged and audited; over the
    limit nothing is evaluated."""
    keys = throttle.keys_for(settings, username=user.username, client=client)
    if throttle.lock_and_check(db, settings, keys, now):
        log.warning("password_recheck.throttled user_id=%s purpose=%s", user.id, purpose)
        record_event(
            db,
            "password_recheck_throttled",
            actor=actor_of(user),
            object_id=user.id,
            purpose=purpose,
        )
        return Recheck.THROTTLED
    attempt = throttle.record_attempt(db, keys, now)
    stored = user.password_hash if user.has_password and user.is_active else None
    if passwords.verify_password(stored, password):
        attempt.succeeded = True
        db.flush()
        return Recheck.OK
    log.warning("password_recheck.failed user_id=%s purpose=%s", user.id, purpose)
    record_event(
        db, "password_recheck_failed", actor=actor_of(user), object_id=user.id, purpose=purpose
    )
    return Recheck.WRONG


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
    """The live session ``token`` names, or None (an expired one is revoked).

    ``last_seen_at`` is rewritten only once it is older than ``touch_interval``; in a read
    unit of work that write (and a revocation) is queued for the request's short write at the
    end, never made while the page is built.
    """
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
            _change_session(db, session, revoked_at=now)
            if not user.is_active:  # switched off some other way: this forced end is audited
                record_event(
                    db, "sessions_ended", actor=None, object_id=user.id, purpose="account_inactive"
                )
        return None
    if touch and now - session.last_seen_at >= touch_interval(idle_limit):
        _change_session(db, session, last_seen_at=now)
    idle_expires = min(session.last_seen_at + idle_limit, session.expires_at)
    return ActiveSession(session, user, idle_expires)


def set_flash(db: Session, *, active: ActiveSession, message: str | None) -> None:
    """The one-off message the next page shows (None: it has been shown)."""
    if active.session.flash != message:
        _change_session(db, active.session, flash=message)


def _change_session(db: Session, session: AuthSession, **values: object) -> None:
    """Change a session row: at once in a writing unit of work; in a read, in memory now and
    in the database in the request's short write at the end (so a read never writes)."""
    if not is_read(db):
        for name, value in values.items():
            setattr(session, name, value)
        db.flush()
        return
    for name, value in values.items():
        set_committed_value(session, name, value)
    session_id = session.id
    # A revocation or a later touch made meanwhile by another request is never undone.
    guard = (
        AuthSession.revoked_at.is_(None)
        if "revoked_at" in values
        else AuthSession.last_seen_at < values["last_seen_at"]
        if "last_seen_at" in values
        else AuthSession.id == session_id
    )

    def write(target: Session) -> None:
        target.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, guard)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    write_later(db, write)


def extend_session(db: Session, *, active: ActiveSession, now: datetime) -> None:
    active.session.last_seen_at = now
    db.flush()


def end_session(db: Session, *, session: AuthSession, now: datetime) -> None:
    session.revoked_at = now
    db.flush()
    log.info("logout session_id=%s", session.id)


def sign_out(db: Session, *, active: ActiveSession, now: datetime) -> None:
    end_session(db, session=active.session, now=now)
    record_event(db, "signed_out", actor=actor_of(active.user), object_id=active.user.id)
