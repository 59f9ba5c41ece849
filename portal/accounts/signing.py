"""Signing in, out and staying signed in as use cases for the edge (portal.accounts.routes).

Signing in happens before anyone is acting, so it takes the session (no ``Unit``); the edge
hands it the two things only the edge can do: commit the counted attempt (``checkpoint``) and
run the password check outside the database slot (``outside_db_slot``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from portal.accounts import notices, onboarding
from portal.accounts import service as accounts
from portal.accounts.devices import describe_device
from portal.accounts.errors import PasswordRejected, SetupCodeInvalid
from portal.accounts.service import ActiveSession, NewSession
from portal.accounts.unit import Unit, Visitor
from portal.clock import utc_now
from portal.kit.errors import ValidationFailed
from portal.settings import Settings

log = logging.getLogger("portal.accounts.routes")  # where this line was logged before
SETUP_CODE_INVALID = (
    "This set-up code does not work. It may have been typed wrongly, used already or expired: "
    "check it, or ask an administrator for a new one"
)


@dataclass(frozen=True, slots=True)
class SignIn:
    """A new session, or why there is none (``throttled``: too many tries)."""

    session: NewSession | None
    throttled: bool


def sign_in(
    visitor: Visitor,
    settings: Settings,
    *,
    username: str,
    password: str,
    client: str,
    checkpoint: Callable[[], None],
    outside_db_slot: Callable[[Callable[[], bool]], bool],
    replacing: ActiveSession | None,
    user_agent: str = "",
) -> SignIn:
    accounts.admit_sign_in()  # 503 at once when password checks are queued: nothing counted
    db = visitor.db
    ticket = accounts.begin_login(
        db, settings=settings, username=username, client=client, now=utc_now()
    )
    checkpoint()  # the attempt is counted before the password is checked
    # argon2 outside the database limiter, under its own (portal.security.passwords).
    verified = outside_db_slot(lambda: accounts.check_password(ticket, password))
    new = accounts.finish_login(
        db, settings=settings, ticket=ticket, password=password, verified=verified, now=utc_now()
    )
    if new is not None and replacing is not None:
        # a new session replaces any old one (ASVS 7.2.4)
        accounts.end_session(db, session=replacing.session, now=utc_now())
    if new is not None:  # the device, and what to tell the user on the next page (point 6)
        device = describe_device(user_agent)
        notices.signed_in(db, settings, new, username=username, device=device, now=utc_now())
    return SignIn(new, ticket.throttled)


def sign_out(unit: Unit, active: ActiveSession) -> None:
    accounts.sign_out(unit.db, active=active, now=utc_now())


def extend_session(unit: Unit, active: ActiveSession) -> None:
    accounts.extend_session(unit.db, active=active, now=utc_now())


def set_up_account(visitor: Visitor, *, code: str, password: str) -> None:
    """Choose the first password with a one-time set-up code (before anyone is signed in, so
    a ``Visitor``, not a ``Unit``). A code that does not work, or a password refused, is the
    form's error."""
    try:
        onboarding.complete_setup(visitor.db, code=code, password=password, now=utc_now())
    except SetupCodeInvalid:
        log.warning("account.setup_code_refused")
        raise ValidationFailed({"code": SETUP_CODE_INVALID}) from None
    except PasswordRejected as exc:
        raise ValidationFailed({"password": exc.message}) from None
