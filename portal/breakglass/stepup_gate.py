"""The one place break-glass asks "did this user prove a second factor just now?".

Issue 18 point 3 (step-up) is built separately; until it is merged, the freshest proof a
session carries is its password sign-in, so that stands in: a session signed in within the last
``FRESH_MINUTES`` passes. At the merge this function is re-pointed at the step-up helper and
nothing else in break-glass changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.accounts.service import ActiveSession

FRESH_MINUTES = 5


def fresh_factor(active_session: ActiveSession | None, now: datetime) -> bool:
    """Whether ``active_session`` proved who its user is within the last ``FRESH_MINUTES``."""
    if active_session is None:
        return False
    signed_in = active_session.session.created_at
    return now - timedelta(minutes=FRESH_MINUTES) <= signed_in <= now
