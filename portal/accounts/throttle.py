"""Counting password guesses. Signing in and every password re-check share one count.

Second-factor codes and recovery codes (portal.accounts.factors) are counted the same way, with
the same limits, on keys of their own kind (``keys_for(kind="factor")``).

Per account (Cyber Essentials, NCSC; security.md 1.3): at most ``login_max_failures`` wrong
passwords in ``login_window_minutes``, counted since the account's last correct password, and
across every address and every form that asks for the password (sign-in, and the re-checks
before seeing a sealed identity). Over the limit, nothing is evaluated, not even the right
password, until the window has passed.

Per address: ``login_ip_max_failures`` wrong passwords from one address in the window marks the
address as hostile. From a hostile address, an account may be tried only while it has had fewer
than ``ADDRESS_ACCOUNT_FAILURES`` failures *from that address* in the window. So the address
limit never blocks a correct password for a different account (an office behind one address is
not locked out by one person's mistakes or one infected machine: ASVS 6.3.1 "without enabling
malicious lockout"), while an attacker at one address gets at most three guesses per account per
window instead of ten. It cannot stop credential stuffing (one guess per account) on its own; the
per-account limit, the breached and common password checks when a password is chosen, and
second factors (security.md 1.4) are the defences for that.

Counts live in the database (``login_attempt``), so they hold across processes. Each attempt is
recorded as a failure *before* the password is checked (and turned into a success afterwards),
under a per-account lock, so concurrent guesses cannot slip past the count. Keys are HMACs of the
normalised username and of the client address: what was typed is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.accounts import repository
from portal.accounts.models import LoginAttempt
from portal.db.session import serialize_on
from portal.security import tokens
from portal.settings import Settings

# From an address over its limit, this many failures on one account stop further tries at it.
ADDRESS_ACCOUNT_FAILURES = 3


def normalise_username(username: str) -> str:
    return username.strip().casefold()


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    account: str
    client: str


def keys_for(
    settings: Settings, *, username: str, client: str, kind: str = "login"
) -> ThrottleKeys:
    """The throttle's keys. ``kind="factor"`` counts second-factor codes on their own keys, with
    the same limits: a correct password must not wipe the count of wrong codes (or a stolen
    password would buy ten more code guesses at every sign-in)."""
    key = settings.secret_key.reveal().encode()
    return ThrottleKeys(
        account=tokens.keyed_hash(key, f"{kind}-account", normalise_username(username)),
        client=tokens.keyed_hash(key, f"{kind}-client", client),
    )


def lock_and_check(db: Session, settings: Settings, keys: ThrottleKeys, now: datetime) -> bool:
    """Take the account's lock (to the end of the transaction); True if it must not be tried."""
    serialize_on(db, f"login:{keys.account}")
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    last_success = repository.last_success_at(db, keys.account)
    since = max(window_start, last_success) if last_success else window_start
    if repository.count_failures(db, since=since, account_key=keys.account) >= (
        settings.login_max_failures
    ):
        return True
    if (
        repository.count_failures(db, since=window_start, client_key=keys.client)
        < settings.login_ip_max_failures
    ):
        return False
    from_here = repository.count_failures(
        db, since=since, account_key=keys.account, client_key=keys.client
    )
    return from_here >= ADDRESS_ACCOUNT_FAILURES


def record_attempt(db: Session, keys: ThrottleKeys, now: datetime) -> LoginAttempt:
    """Count the attempt as a failure now; ``succeeded`` is set once the password is right."""
    attempt = LoginAttempt(
        account_key=keys.account,
        client_key=keys.client,
        attempted_at=now,
        succeeded=False,
    )
    db.add(attempt)
    db.flush()
    return attempt
