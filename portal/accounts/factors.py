"""Second factors: TOTP (RFC 6238) with recovery codes, and the session's factor stage.

A password opens a session in the ``password`` stage; only the factor step (enrol, verify, a
recovery code, sign out) answers it (``portal.web.gate``). A code or recovery code moves the
session to ``signed_in``, rotates its token (a privilege change, like signing in: ASVS 7.2.4)
and records ``factor_at``, which step-up reads (``fresh``).

Codes: six digits, 30-second steps, only the current step (``PORTAL_TOTP_PREVIOUS_STEPS`` allows
one earlier step). ``UserFactor.last_step`` is the last step accepted: a code from it or from an
earlier step is refused, so a code works once even within its 30 seconds. Every code and
recovery code is counted by the sign-in throttle (``portal.accounts.throttle``) on keys of its
own kind, so wrong codes lock the factor step just as wrong passwords lock sign-in, and a
correct password does not reset the count. Secrets are 160 bits, sealed under a ``system`` data
key of the factor's own; resetting the factor destroys that key.
"""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import pyotp
from sqlalchemy.orm import Session

from portal.accounts import factor_repository as repository
from portal.accounts import service as accounts
from portal.accounts import throttle
from portal.accounts.factor_models import RecoveryCode, UserFactor
from portal.accounts.models import SIGNED_IN, AuthSession, User
from portal.accounts.service import ActiveSession
from portal.keys.vault import Vault
from portal.kit.errors import Conflict
from portal.security import tokens
from portal.settings import Settings

log = logging.getLogger(__name__)

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits (RFC 4226 section 4 recommends 160)
RECOVERY_CODES = 10
ISSUER = "Safeguarding portal"


class Check(Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the enrolment page shows: the secret (for typing in) and its otpauth URI (the QR)."""

    secret: str
    uri: str


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code for ``step`` (``portal totp`` prints the current one for demo users)."""
    return str(pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step))


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def is_enrolled(db: Session, user_id: uuid.UUID) -> bool:
    factor = repository.factor_of(db, user_id)
    return factor is not None and factor.confirmed_at is not None


# --- enrolment ------------------------------------------------------------------------------


def begin_enrolment(db: Session, vault: Vault, user: User, now: datetime) -> Enrolment:
    """The secret to enrol: made (and sealed) on the first visit, the same one after that until
    a code confirms it. A user already enrolled cannot start again (an administrator resets)."""
    factor = repository.factor_of(db, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("a second factor is already set up")
    if factor is None:
        secret = new_secret()
        factor = _new_factor(vault, user, now)
        vault.put(factor, "secret", secret)
        db.add(factor)
        db.flush()
    else:
        secret = _secret(vault, factor)
    return Enrolment(secret, provisioning_uri(secret, user.username))


def pending_secret(db: Session, vault: Vault, user: User) -> Enrolment | None:
    """The enrolment being set up, if any (to show again with an error)."""
    factor = repository.factor_of(db, user.id)
    if factor is None or factor.confirmed_at is not None:
        return None
    secret = _secret(vault, factor)
    return Enrolment(secret, provisioning_uri(secret, user.username))


@dataclass(frozen=True, slots=True)
class TypedCode:
    """A code someone typed to prove their second factor: whose, the code, from which client
    address (codes are counted: portal.accounts.throttle), and when."""

    user: User
    code: str
    client: str
    now: datetime


def confirm_enrolment(
    db: Session, vault: Vault, settings: Settings, typed: TypedCode
) -> tuple[Check, list[str]]:
    """A code from the new authenticator finishes enrolment: the recovery codes, shown once."""
    user, now = typed.user, typed.now
    factor = repository.factor_of(db, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("no second factor is being set up")
    check = counted(
        db,
        settings,
        user,
        typed.client,
        now,
        lambda: _accept_code(vault, factor, typed.code, settings, now),
    )
    _audit_check(db, user, check, "code", "enrolment")
    if check is not Check.OK:
        return check, []
    factor.confirmed_at = now
    codes = _new_recovery_codes(db, user.id, now)
    db.flush()
    accounts.record_event(db, "factor_enrolled", actor=accounts.actor_of(user), object_id=user.id)
    log.info("factor.enrolled user_id=%s", user.id)
    return Check.OK, codes


# --- checking -------------------------------------------------------------------------------


def check_code(
    db: Session, vault: Vault, settings: Settings, typed: TypedCode, *, purpose: str = "sign_in"
) -> Check:
    """A TOTP code from an enrolled user: counted, once per time-step, audited when wrong."""
    user, now = typed.user, typed.now
    factor = repository.factor_of(db, user.id)
    enrolled = factor is not None and factor.confirmed_at is not None

    def verify() -> bool:
        return (
            enrolled
            and factor is not None
            and _accept_code(vault, factor, typed.code, settings, now)
        )

    check = counted(db, settings, user, typed.client, now, verify)
    _audit_check(db, user, check, "code", purpose)
    return check


def use_recovery_code(db: Session, settings: Settings, typed: TypedCode) -> Check:
    """A single-use recovery code (instead of a TOTP code), counted like one."""
    user, client, now = typed.user, typed.client, typed.now
    wanted = tokens.token_hash(normalise_recovery_code(typed.code))
    found: list[RecoveryCode] = []

    def verify() -> bool:
        row = repository.unused_recovery_code(db, user.id, wanted)
        if row is None:
            return False
        found.append(row)
        return True

    check = counted(db, settings, user, client, now, verify)
    if check is Check.OK:
        found[0].used_at = now
        db.flush()
        log.info("factor.recovery_code_used user_id=%s", user.id)
    _audit_check(db, user, check, "recovery_code", "sign_in")
    return check


def remaining_recovery_codes(db: Session, user_id: uuid.UUID) -> int:
    return repository.count_unused_recovery_codes(db, user_id)


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# --- the session ----------------------------------------------------------------------------


def complete_sign_in(db: Session, *, active: ActiveSession, now: datetime) -> str:
    """The second factor passed: the session is signed in, under a new token (returned for
    the cookie; the old one no longer works)."""
    session = active.session
    token = tokens.new_token()
    session.token_hash = tokens.token_hash(token)
    session.stage = SIGNED_IN
    session.factor_at = now
    db.flush()
    repository.mark_resets_told(db, active.user.id, now)
    accounts.record_event(
        db, "second_factor_passed", actor=accounts.actor_of(active.user), object_id=active.user.id
    )
    log.info("login.second_factor session_id=%s", session.id)
    return token


def proved_again(db: Session, *, session: AuthSession, now: datetime) -> None:
    """A step-up proof: the session's factor is fresh again."""
    session.factor_at = now
    db.flush()


def fresh(active: ActiveSession | None, settings: Settings, now: datetime) -> bool:
    """Whether the session proved a second factor within ``PORTAL_STEP_UP_MINUTES``."""
    if active is None or not active.session.signed_in or active.session.factor_at is None:
        return False
    proved = active.session.factor_at
    return now - timedelta(minutes=settings.step_up_minutes) <= proved <= now


# --- inside ---------------------------------------------------------------------------------


def _new_factor(vault: Vault, user: User, now: datetime) -> UserFactor:
    """A factor row with a data key of its own: the key's owner is the factor (not the user),
    so destroying it at a reset, and replaying that erasure after a restore, never touches the
    key of a factor set up later."""
    factor_id = uuid.uuid4()
    key_id = vault.new_key("system", owner_id=factor_id)
    return UserFactor(id=factor_id, user_id=user.id, key_id=key_id, created_at=now)


def _secret(vault: Vault, factor: UserFactor) -> str:
    # The secret is never shown after enrolment; it only computes codes (test_architecture).
    raw = vault.open_internal(factor, "secret")
    if raw is None:
        raise Conflict("the second factor's key is gone: ask an administrator to reset it")
    return raw.decode("ascii")


def _accept_code(
    vault: Vault, factor: UserFactor, code: str, settings: Settings, now: datetime
) -> bool:
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return False
    secret = _secret(vault, factor)
    current = time_step(now)
    for step in range(current, current - settings.totp_previous_steps - 1, -1):
        if factor.last_step is not None and step <= factor.last_step:
            break  # this step (and every earlier one) has been used: a replay
        if tokens.equal(code_at(secret, step), typed):
            factor.last_step = step
            return True
    return False


def counted(
    db: Session,
    settings: Settings,
    user: User,
    client: str,
    now: datetime,
    verify: Callable[[], bool],
) -> Check:
    keys = throttle.keys_for(settings, username=user.username, client=client, kind="factor")
    if throttle.lock_and_check(db, settings, keys, now):
        log.warning("factor.throttled user_id=%s", user.id)
        return Check.THROTTLED
    attempt = throttle.record_attempt(db, keys, now)
    if verify():
        attempt.succeeded = True
        db.flush()
        return Check.OK
    return Check.WRONG


def _audit_check(db: Session, user: User, check: Check, kind: str, purpose: str) -> None:
    if check is Check.OK:
        if kind == "recovery_code":
            accounts.record_event(
                db, "recovery_code_used", actor=accounts.actor_of(user), object_id=user.id
            )
        return
    action = "second_factor_throttled" if check is Check.THROTTLED else "second_factor_failed"
    log.warning("factor.%s user_id=%s kind=%s", check.value, user.id, kind)
    accounts.record_event(
        db, action, actor=accounts.actor_of(user), object_id=user.id, purpose=purpose
    )


def _new_recovery_codes(db: Session, user_id: uuid.UUID, now: datetime) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")  # 128 bits
        shown = "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
        codes.append(shown)
        db.add(
            RecoveryCode(
                user_id=user_id,
                code_hash=tokens.token_hash(normalise_recovery_code(shown)),
                created_at=now,
            )
        )
    db.flush()
    return codes


# --- the operator (``portal demo``, ``portal totp``) -----------------------------------------


def enrol_as_operator(db: Session, vault: Vault, user: User, now: datetime) -> str:
    """Give ``user`` a new, confirmed TOTP factor (``portal demo``: someone at the server's
    console, for synthetic users). Returns the secret, which the demo prints."""
    remove_factors(db, vault, user.id)
    secret = new_secret()
    factor = _new_factor(vault, user, now)
    factor.confirmed_at = now
    vault.put(factor, "secret", secret)
    db.add(factor)
    db.flush()
    accounts.record_event(db, "factor_enrolled", actor=None, object_id=user.id, purpose="operator")
    return secret


def current_code(db: Session, vault: Vault, user: User, now: datetime) -> str | None:
    """The code ``user``'s app shows now (``portal totp``, for testers of a demo), or None."""
    factor = repository.factor_of(db, user.id)
    if factor is None or factor.confirmed_at is None:
        return None
    return code_at(_secret(vault, factor), time_step(now))


def remove_factors(db: Session, vault: Vault, user_id: uuid.UUID) -> None:
    """Delete the user's factor and recovery codes, and destroy the key that sealed the secret."""
    factor = repository.factor_of(db, user_id)
    key_id = factor.key_id if factor is not None else None
    repository.remove_factors(db, user_id)
    db.flush()
    if key_id is not None:
        vault.destroy(key_id)
