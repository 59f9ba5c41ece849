"""Telling users about their own account (issue 18 point 6).

At sign-in the user is told, on the next page, how many failed attempts to sign in to their
account there have been since they last signed in, and when their second factor was changed.
Those are ``account_notice`` rows (user, kind, when, seen): this module adds the failed-attempts
one at sign-in; the second-factor use cases add ``factor_changed`` with ``add_notice``. At sign-in
every unseen notice becomes one message for the next page (the session's one-off message, marked
as a notice so it is shown as an "Important" banner, not a success) and is marked seen.

Failed attempts are the failures the throttle recorded (portal.accounts.throttle) for the
account since its previous sign-in: wrong passwords at sign-in and at the password re-checks
before seeing a sealed identity, from any address. Nothing here names an address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts import repository, throttle
from portal.accounts.models import AccountNotice
from portal.accounts.service import ActiveSession, NewSession, set_flash
from portal.clock import format_london
from portal.settings import Settings

FAILED_SIGN_INS = "failed_sign_ins"
FACTOR_CHANGED = "factor_changed"
# Marks a one-off message that is an account notice (stored in ``auth_session.flash``).
NOTICE_MARK = "notice:"
TELL_US = "If this was not you, contact your service desk."


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str
    created_at: datetime
    count: int | None = None

    @property
    def text(self) -> str:
        if self.kind == FAILED_SIGN_INS:
            return failed_attempts(self.count or 0)
        return f"Your second factor was changed on {format_london(self.created_at)}"


def failed_attempts(n: int) -> str:
    return f"{n:,} failed sign-in attempt{'' if n == 1 else 's'} since you last signed in"


def add_notice(
    db: Session, *, user_id: uuid.UUID, kind: str, now: datetime, count: int | None = None
) -> AccountNotice:
    """Something to tell the user at their next sign-in (``kind``: ``FAILED_SIGN_INS``,
    ``FACTOR_CHANGED``)."""
    notice = AccountNotice(user_id=user_id, kind=kind, count=count, created_at=now)
    db.add(notice)
    db.flush()
    return notice


def notices_for(db: Session, user_id: uuid.UUID) -> list[Notice]:
    """What the user has not been told yet about their account, oldest first."""
    return [Notice(n.kind, n.created_at, n.count) for n in repository.unseen_notices(db, user_id)]


def message_for(notices: list[Notice]) -> str | None:
    """One message for the banner: the failed attempts (added up), then the latest change of
    second factor; None if there is nothing to tell."""
    failed = sum(n.count or 0 for n in notices if n.kind == FAILED_SIGN_INS)
    changes = [n for n in notices if n.kind == FACTOR_CHANGED]
    parts = [failed_attempts(failed)] if failed else []
    if changes:
        parts.append(changes[-1].text)
    return ". ".join([*parts, TELL_US]) if parts else None


def signed_in(
    db: Session, settings: Settings, new: NewSession, *, username: str, device: str, now: datetime
) -> None:
    """After a successful sign-in: keep the device, count the failures since the previous
    sign-in, and put every unseen notice on the next page."""
    session = new.session
    session.device = device
    user = repository.get_user(db, session.user_id)
    assert user is not None
    since = repository.previous_sign_in_at(db, user.id, other_than=session.id) or user.created_at
    account = throttle.keys_for(settings, username=username, client="").account
    failed = repository.count_failures(db, since=since, account_key=account)
    if failed:
        add_notice(db, user_id=user.id, kind=FAILED_SIGN_INS, now=now, count=failed)
    unseen = repository.unseen_notices(db, user.id)
    message = message_for([Notice(n.kind, n.created_at, n.count) for n in unseen])
    if message is not None:
        session.flash = NOTICE_MARK + message
        for notice in unseen:
            notice.seen_at = now
    db.flush()


@dataclass(frozen=True, slots=True)
class Flash:
    """The one-off message a page shows: a confirmation, or an account notice (``important``)."""

    text: str
    important: bool = False

    def __str__(self) -> str:
        return self.text


def adding_to_flash(held: str | None, message: str) -> str:
    """The one-off message once ``message`` is added: a notice not yet shown (the account's
    failed sign-ins, say) is never replaced by a confirmation that follows it; both are told."""
    if held and held.startswith(NOTICE_MARK):
        return f"{held} {message}."
    return message


def take_flash(db: Session, active: ActiveSession | None) -> Flash | None:
    """The session's one-off message, once: it is cleared as it is shown."""
    if active is None or not active.session.flash:
        return None
    stored = active.session.flash
    set_flash(db, active=active, message=None)
    if stored.startswith(NOTICE_MARK):
        return Flash(stored.removeprefix(NOTICE_MARK), important=True)
    return Flash(stored)
