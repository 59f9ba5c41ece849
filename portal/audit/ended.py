"""Ending, at once, what an account's withdrawn access still holds (a break-glass use, an
unmasking grant): the ``AccessWithdrawn`` event of portal.accounts.events. Each one ended is an
entry in the log, with the event's reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from portal.accounts.events import AccessWithdrawn
from portal.audit import service as audit


class Expiring(Protocol):
    """A row of time-limited access: its case, and when it stops."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def case_id(self) -> uuid.UUID: ...

    @property
    def expires_at(self) -> datetime | None: ...

    @expires_at.setter
    def expires_at(self, value: datetime) -> None: ...


def end_now(
    db: Session,
    event: AccessWithdrawn,
    live: Iterable[Expiring],
    now: datetime,
    *,
    action: str,
    object_type: str,
) -> None:
    """Each of ``live`` expires ``now``; each is audited (``security``, ``action``)."""
    for row in list(live):
        row.expires_at = now
        audit.record(
            db,
            actor=event.actor,
            category="security",
            action=action,
            object_type=object_type,
            object_id=row.id,
            case_id=row.case_id,
            purpose=event.why,
        )
    db.flush()
