"""The browser tests' authenticator app: a TOTP secret per user, and the codes it shows.

Demo users' secrets come from the table ``portal demo`` prints (``learn_from_demo_log``); a user
set up during a test is enrolled through the pages and its secret read from the set-up page.
A code works once, so the helpers remember the last step used per user and wait for the next
step rather than replay one (and wait near a step's end so a code does not expire in transit).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp

STEP_SECONDS = 30
MARGIN_SECONDS = 3
_SECRETS: dict[str, str] = {}
_USED: dict[str, int] = {}
_ROW = re.compile(r"([a-z0-9._-]+\.demo)\b.*?\b([A-Z2-7]{32})\b")


def learn_from_demo_log(path: Path) -> int:
    """Read the demo users' secrets from ``portal demo``'s output; returns how many."""
    found = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _ROW.search(line)
        if match:
            remember(match.group(1), match.group(2))
            found += 1
    return found


def remember(username: str, secret: str) -> None:
    _SECRETS[username] = "".join(secret.split())
    _USED.pop(username, None)


def knows(username: str) -> bool:
    return username in _SECRETS


def unused_code(username: str) -> str:
    """A code for ``username`` no earlier sign-in used (waiting for the next step if need be)."""
    while True:
        now = time.time()
        left = STEP_SECONDS - now % STEP_SECONDS
        step = int(now) // STEP_SECONDS
        if left >= MARGIN_SECONDS and _USED.get(username, -1) < step:
            _USED[username] = step
            return pyotp.TOTP(_SECRETS[username]).generate_otp(step)
        time.sleep(left + 0.05)


def last_code(username: str) -> str:
    """The code last used for ``username`` (to show that a replay is refused)."""
    return pyotp.TOTP(_SECRETS[username]).generate_otp(_USED[username])
