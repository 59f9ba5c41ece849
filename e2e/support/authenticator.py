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
_RECOVERY: dict[str, list[str]] = {}
RECOVERY_CODES_PER_DEMO_USER = 40
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


def psycopg_url(database_url: str) -> str:
    """The URL with the driver the portal uses (psycopg 3) when it names PostgreSQL plainly."""
    return database_url.replace("postgresql://", "postgresql+psycopg://", 1)


def give_recovery_codes(database_url: str, usernames: list[str]) -> None:
    """Recovery codes for the demo users, so a second sign-in within one 30-second step uses
    one (as a person would) instead of waiting for the next code. Test set-up only: the
    portal itself shows each user their codes once, when they set up their app."""
    import secrets
    import uuid

    from sqlalchemy import create_engine, select

    from portal.accounts.factor_models import RecoveryCode
    from portal.accounts.factors import normalise_recovery_code
    from portal.accounts.models import User
    from portal.clock import utc_now
    from portal.security import tokens

    engine = create_engine(psycopg_url(database_url))
    try:
        with engine.begin() as conn:
            for username in usernames:
                user_id = conn.scalar(select(User.id).where(User.username == username))
                codes = [secrets.token_hex(16).upper() for _ in range(RECOVERY_CODES_PER_DEMO_USER)]
                rows = [
                    {
                        "id": uuid.uuid4(),
                        "user_id": user_id,
                        "code_hash": tokens.token_hash(normalise_recovery_code(code)),
                        "created_at": utc_now(),
                    }
                    for code in codes
                ]
                conn.execute(RecoveryCode.__table__.insert(), rows)
                _RECOVERY[username] = codes
    finally:
        engine.dispose()


def next_code(username: str) -> str | None:
    """An unused code, or None when this step's code is used and a recovery code is left (use
    ``recovery_code`` then)."""
    now = time.time()
    if _USED.get(username, -1) >= int(now) // STEP_SECONDS and _RECOVERY.get(username):
        return None
    return unused_code(username)


def recovery_code(username: str) -> str:
    return _RECOVERY[username].pop()


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
