"""New staff accounts on the web: asked for by one administrator, approved by another, set up by
the person themselves with a one-time code (ASVS 2.3.5 multi-user approval, 6.4.6).

The request names the role, the Area and unit where the role is scoped by them, and for a case
worker the dedicated permissions (may see sealed identities, may approve as the second person):
the second administrator approves all of it, and the account is made with exactly that.

Every role needs the second administrator. Case roles and auditors see case data; an
administrator account can approve the next one, so one administrator able to create another
(and hold its set-up code) would be two administrators, and the two-person rule would be gone.

The requester never sees the set-up code: it is shown once, to the approving administrator, who
hands it to the new user. The code is 128 random bits, stored only as its SHA-256, works once and
expires after ``account_setup_hours``. With it the person chooses their own password under the
password policy; no administrator ever chooses or sees it. A new code can be issued (by anyone
but the requester) while the account has no password yet; issuing one cancels the old one. An
account that has a password cannot be given a code: a web administrator cannot take it over.

The first administrators come from the operator's console (``portal users create``), which is
the bootstrap path: someone with the server, its keys and its database can do anything anyway.
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.accounts import repository
from portal.accounts.actor import Actor
from portal.accounts.errors import (
    PasswordRejected,
    RequestAlreadyDecided,
    SetupCodeInvalid,
    UsernameTaken,
)
from portal.accounts.models import NO_PASSWORD, AccountRequest, SetupCode, User
from portal.accounts.roles import Role
from portal.accounts.service import actor_of, record_event
from portal.accounts.throttle import normalise_username
from portal.db.session import serialize_on
from portal.kit.errors import NotPermitted
from portal.security import passwords, tokens
from portal.settings import Settings

log = logging.getLogger(__name__)

SETUP_CODE_BYTES = 16  # 128 bits (ASVS 11.5.1)


@dataclass(frozen=True, slots=True)
class AccountDetails:
    """What an administrator asks for. Area and unit only where the role is scoped by them."""

    username: str
    display_name: str
    role: Role
    area: str | None
    unit: str | None
    may_unmask: bool = False
    may_approve: bool = False


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A set-up code, in the clear only in this object and on the one page that shows it."""

    user: User
    code: str
    expires_at: datetime


def _require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise NotPermitted("only administrators manage accounts")


def request_account(
    db: Session, actor: Actor, details: AccountDetails, *, now: datetime
) -> AccountRequest:
    _require_admin(actor)
    username = normalise_username(details.username)
    serialize_on(db, f"account-username:{username}")
    if (
        repository.find_user_by_username(db, username) is not None
        or repository.pending_request_for_username(db, username) is not None
    ):
        raise UsernameTaken(username)
    request = AccountRequest(
        username=username,
        display_name=details.display_name.strip(),
        role=details.role.value,
        area=details.area,
        unit=details.unit,
        may_unmask=details.may_unmask,
        may_approve=details.may_approve,
        state="pending",
        requested_by_id=actor.user_id,
        requested_at=now,
    )
    db.add(request)
    db.flush()
    record_event(db, "requested", actor=actor, object_type="account_request", object_id=request.id)
    log.info("account.requested request_id=%s role=%s", request.id, request.role)
    return request


def decide(
    db: Session,
    actor: Actor,
    settings: Settings,
    request: AccountRequest,
    *,
    approve: bool,
    now: datetime,
) -> IssuedCode | None:
    """Approve (create the account and issue its first set-up code) or refuse a request."""
    _require_admin(actor)
    serialize_on(db, f"account-request:{request.id}")
    db.refresh(request)  # decided meanwhile by someone else?
    if request.state != "pending":
        raise RequestAlreadyDecided(str(request.id))
    if request.requested_by_id == actor.user_id:
        raise NotPermitted("the administrator who asked for an account cannot decide on it")
    request.decided_by_id = actor.user_id
    request.decided_at = now
    if not approve:
        request.state = "refused"
        db.flush()
        record_event(
            db, "refused", actor=actor, object_type="account_request", object_id=request.id
        )
        return None
    if repository.find_user_by_username(db, request.username) is not None:
        raise UsernameTaken(request.username)  # created at the console meanwhile
    user = User(
        username=request.username,
        display_name=request.display_name,
        role=request.role,
        password_hash=NO_PASSWORD,
        is_active=True,
        password_changed_at=None,
        area=request.area,
        unit=request.unit,
        may_unmask=request.may_unmask,
        may_approve=request.may_approve,
    )
    db.add(user)
    db.flush()  # the account row first: the request points to it
    request.state = "approved"
    request.user_id = user.id
    db.flush()
    record_event(db, "approved", actor=actor, object_type="account_request", object_id=request.id)
    record_event(db, "created", actor=actor, object_id=user.id, purpose="second_approval")
    return _issue(db, actor, settings, user, now=now)


def issue_setup_code(
    db: Session, actor: Actor, settings: Settings, user: User, *, now: datetime
) -> IssuedCode:
    """A new set-up code for an account that has never had a password."""
    _require_admin(actor)
    if user.has_password:
        raise NotPermitted("this account already has a password")
    if not user.is_active:
        raise NotPermitted("reactivate the account first")
    request = repository.request_for_user(db, user.id)
    if request is not None and request.requested_by_id == actor.user_id:
        raise NotPermitted("the administrator who asked for an account cannot set it up")
    return _issue(db, actor, settings, user, now=now)


def _issue(
    db: Session, actor: Actor, settings: Settings, user: User, *, now: datetime
) -> IssuedCode:
    repository.cancel_setup_codes(db, user.id, now)
    code = secrets.token_bytes(SETUP_CODE_BYTES)
    shown = base64.b32encode(code).decode().rstrip("=")
    expires_at = now + timedelta(hours=settings.account_setup_hours)
    db.add(
        SetupCode(
            code_hash=tokens.token_hash(normalise_code(shown)),
            user_id=user.id,
            issued_by_id=actor.user_id,
            issued_at=now,
            expires_at=expires_at,
        )
    )
    db.flush()
    record_event(db, "setup_code_issued", actor=actor, object_id=user.id)
    return IssuedCode(user=user, code=format_code(shown), expires_at=expires_at)


def format_code(code: str) -> str:
    """Groups of four, easier to read out and type: ABCD-EFGH-..."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: str) -> str:
    """What was typed, forgiving case, spaces, hyphens and 0/1 for O/I (base32 has neither)."""
    kept = "".join(ch for ch in typed.upper() if ch.isalnum())
    return kept.replace("0", "O").replace("1", "I")


def find_code(db: Session, typed: str, *, now: datetime) -> tuple[SetupCode, User]:
    """The usable code typed, and its account; ``SetupCodeInvalid`` otherwise (one message for
    every reason, so the form says nothing about which codes exist)."""
    normalised = normalise_code(typed)
    if len(normalised) * 5 < SETUP_CODE_BYTES * 8:
        raise SetupCodeInvalid
    found = repository.find_setup_code(db, tokens.token_hash(normalised))
    if found is None:
        raise SetupCodeInvalid
    setup, user = found
    if (
        setup.used_at is not None
        or setup.cancelled_at is not None
        or now >= setup.expires_at
        or not user.is_active
        or user.has_password
    ):
        raise SetupCodeInvalid
    return setup, user


def complete_setup(db: Session, *, code: str, password: str, now: datetime) -> User:
    """The new user chooses their password. The code is spent only if the password is accepted."""
    setup, user = find_code(db, code, now=now)
    serialize_on(db, f"account-setup:{user.id}")
    db.refresh(setup)
    if setup.used_at is not None:
        raise SetupCodeInvalid
    verdict = passwords.check_password_policy(password, username=user.username)
    if not verdict.ok:
        raise PasswordRejected(verdict.message)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    setup.used_at = now
    db.flush()
    record_event(db, "setup_completed", actor=actor_of(user), object_id=user.id)
    log.info("account.setup_completed user_id=%s", user.id)
    return user
