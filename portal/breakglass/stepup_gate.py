"""The one place break-glass asks "did this user prove a second factor just now?".

It is the step-up check (issue 18 point 3, ``portal.accounts.factors``): the session is signed
in with its second factor, and the last proof (``AuthSession.factor_at``: at sign-in, or at a
step-up prompt) is at most ``FRESH_MINUTES`` old. The break-glass form's route is declared
``@step_up``, so a stale proof is asked for again before this check runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.accounts.service import ActiveSession

FRESH_MINUTES = 5  # PORTAL_STEP_UP_MINUTES' default


def fresh_factor(active_session: ActiveSession | None, now: datetime) -> bool:
    """Whether ``active_session`` proved a second factor within the last ``FRESH_MINUTES``."""
    if active_session is None or not active_session.session.signed_in:
        return False
    proved = active_session.session.factor_at
    return proved is not None and now - timedelta(minutes=FRESH_MINUTES) <= proved <= now
