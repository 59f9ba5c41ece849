"""The test side of an authenticator app: the secrets the helpers enrolled, by username.

A code works once (the portal refuses a step it has accepted), so the helpers remember which
step they last used for each user. A second sign-in of the same user within one 30-second step
uses a recovery code instead, as a person would; with none left it waits for the next step.
Near the end of a step it waits for the next one, so the portal (which accepts only the current
step by default) never sees a code that expired in transit.
"""

from __future__ import annotations

import time

import pyotp

from portal.accounts.factors import STEP_SECONDS

_SECRETS: dict[str, str] = {}
_USED: dict[str, int] = {}
_RECOVERY: dict[str, list[str]] = {}
MARGIN_SECONDS = 3


def remember(username: str, secret: str) -> None:
    _SECRETS[username] = secret
    _USED.pop(username, None)
    _RECOVERY.pop(username, None)


def remember_recovery(username: str, codes: list[str]) -> None:
    _RECOVERY[username] = list(codes)


def secret_of(username: str) -> str:
    return _SECRETS[username]


def _step_now() -> int:
    now = time.time()
    if STEP_SECONDS - now % STEP_SECONDS < MARGIN_SECONDS:
        time.sleep(STEP_SECONDS - now % STEP_SECONDS + 0.05)
        now = time.time()
    return int(now) // STEP_SECONDS


def code_now(username: str) -> str:
    """The current code, whether or not it has been used (to test a replay)."""
    step = _step_now()
    return pyotp.TOTP(_SECRETS[username]).generate_otp(step)


def next_code(username: str) -> str | None:
    """An unused code for ``username`` (marked used), or None if this step's is used and a
    recovery code is left (the caller uses that instead)."""
    if _USED.get(username, -1) >= _step_now() and _RECOVERY.get(username):
        return None
    return unused_code(username)


def unused_code(username: str) -> str:
    """An unused code for ``username`` (marked used), waiting for the next step if need be."""
    step = _step_now()
    if _USED.get(username, -1) >= step:
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.05)
        step = _step_now()
    _USED[username] = step
    return pyotp.TOTP(_SECRETS[username]).generate_otp(step)


def recovery_code(username: str) -> str:
    return _RECOVERY[username].pop()


def last_code(username: str) -> str:
    """The code the helpers last used for ``username`` (to replay it)."""
    return pyotp.TOTP(_SECRETS[username]).generate_otp(_USED[username])
