"""The user's own sessions (issue 18 point 6): where they are signed in, and signing out there.

Each session in force (not ended, not expired, not idle too long) is listed with the device it
was signed in from (portal.accounts.devices), when, and when it was last seen; the one asking is
marked "this device". Signing out another session, or all the others, ends them at once (their
next request lands on the sign-in page) and is audited with ids only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.accounts import repository
from portal.accounts.devices import UNKNOWN
from portal.accounts.service import ActiveSession, record_event
from portal.accounts.unit import Unit
from portal.clock import utc_now
from portal.kit.errors import NotFound
from portal.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: uuid.UUID
    device: str
    signed_in_at: datetime
    last_seen_at: datetime
    this_device: bool


@dataclass(frozen=True, slots=True)
class SessionsPage:
    sessions: list[SessionRow]  # this device first, then the most recently seen

    @property
    def others(self) -> int:
        return sum(not row.this_device for row in self.sessions)


def sessions_page(unit: Unit, settings: Settings, current: ActiveSession) -> SessionsPage:
    now = utc_now()
    idle_since = now - timedelta(minutes=settings.session_idle_minutes)
    live = repository.live_sessions_of(unit.db, unit.actor.user_id, now=now, idle_since=idle_since)
    rows = [
        SessionRow(
            id=s.id,
            device=s.device or UNKNOWN,
            signed_in_at=s.created_at,
            last_seen_at=s.last_seen_at,
            this_device=s.id == current.session.id,
        )
        for s in live
    ]
    rows.sort(key=lambda row: not row.this_device)  # stable: the rest stay newest first
    return SessionsPage(rows)


def sign_out_session(unit: Unit, current: ActiveSession, session_id: uuid.UUID) -> None:
    """End one of the user's other sessions. Someone else's, this one, or one already ended is
    not found (this one is ended with "Sign out")."""
    session = repository.get_session(unit.db, session_id)
    if (
        session is None
        or session.user_id != unit.actor.user_id
        or session.id == current.session.id
        or session.revoked_at is not None
    ):
        raise NotFound(str(session_id))
    session.revoked_at = utc_now()
    unit.db.flush()
    record_event(
        unit.db,
        "session_signed_out",
        actor=unit.actor,
        object_type="auth_session",
        object_id=session.id,
        purpose="signed_out_elsewhere",
    )
    log.info("account.session_signed_out session_id=%s", session.id)


def sign_out_other_sessions(unit: Unit, settings: Settings, current: ActiveSession) -> int:
    """End every session of the user but this one; how many of them were in force (the
    number the page showed: one already expired is ended too, uncounted)."""
    user_id = unit.actor.user_id
    shown = sessions_page(unit, settings, current).others
    ended = repository.revoke_sessions_of(unit.db, user_id, utc_now(), keep=current.session.id)
    if ended:
        record_event(
            unit.db,
            "sessions_ended",
            actor=unit.actor,
            object_id=user_id,
            purpose="signed_out_elsewhere",
        )
        log.info("account.sessions_ended user_id=%s count=%s", user_id, ended)
    return shown
