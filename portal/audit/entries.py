"""The access log as an auditor reads it (issue 16 point 8): staff by name, never by id; each
action in words (portal.audit.labels); a list page's consultations as one action.

Pure: rows in, entries out; the staff names the rows mention come from one query
(``repository.staff_names``) made by the viewer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from portal.accounts.roles import Role
from portal.audit.labels import action_label, list_label, refusal_reason
from portal.audit.models import AuditEvent
from portal.audit.repository import Row, group_key
from portal.kit.ids import as_uuid
from portal.rendering.glossary import words

STAFF_OBJECTS = frozenset({"user_account", "user"})  # an entry whose object is a staff account
USER_RECIPIENT = "user:"  # a disclosure to a member of staff names them by id
# Entries with no actor are the system's, except attempts by someone not (yet) signed in.
NOT_SIGNED_IN = frozenset({"account.sign_in_failed", "account.sign_in_throttled"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the viewer: an entry, or a list page's consultations (``people``)."""

    seq: int
    first_seq: int
    at: datetime
    who: str
    username: str | None
    role: str
    category: str
    what: str
    urn: str | None
    person_ref: str | None
    details: str
    people: tuple[str, ...] = ()

    @property
    def grouped(self) -> bool:
        return bool(self.people)


def staff_ids(rows: Iterable[Row]) -> set[uuid.UUID]:
    """Every staff account the rows name by id, other than the actor (already joined)."""
    found: set[uuid.UUID] = set()
    for row in rows:
        event = row.event
        if event.object_type in STAFF_OBJECTS and (user_id := as_uuid(event.object_id)):
            found.add(user_id)
        if (user_id := _recipient_id(event.recipient)) is not None:
            found.add(user_id)
    return found


def _recipient_id(recipient: str | None) -> uuid.UUID | None:
    if not recipient or not recipient.startswith(USER_RECIPIENT):
        return None
    return as_uuid(recipient.removeprefix(USER_RECIPIENT))


def _role(value: str | None) -> str:
    try:
        return Role(value).label if value else ""
    except ValueError:
        return words(value)


def _staff(names: Mapping[uuid.UUID, str], user_id: uuid.UUID | None) -> str:
    return names.get(user_id, "a former account") if user_id else "no account"


def _nobody(event: AuditEvent) -> str:
    if event.actor_id is not None:
        return "A former account"
    return "Not signed in" if event.action in NOT_SIGNED_IN else "System"


def details(event: AuditEvent, names: Mapping[uuid.UUID, str]) -> str:
    """What an entry was about, in words: accounts and recipients by name, never by id."""
    parts: list[str] = []
    if event.object_type in STAFF_OBJECTS:
        parts.append(f"Account: {_staff(names, as_uuid(event.object_id))}")
    elif event.action == "access.refused" and event.object_id:
        reason = refusal_reason(event.purpose)
        parts.append(f"Page: {words(event.object_id)}" + (f" ({reason})" if reason else ""))
    if event.fields:
        parts.append(", ".join(words(f) for f in event.fields.split(",")))
    if event.recipient:
        user_id = _recipient_id(event.recipient)
        shown = _staff(names, user_id) if user_id else event.recipient
        parts.append(f"to {shown}")
    if event.purpose and event.action != "access.refused":
        parts.append(f"({words(event.purpose)})")
    return "; ".join(parts)


def _entry(rows: Sequence[Row], names: Mapping[uuid.UUID, str]) -> Entry:
    row, event = rows[0], rows[0].event
    grouped = len(rows) > 1
    return Entry(
        seq=event.seq,
        first_seq=rows[-1].event.seq,
        at=event.at,
        who=row.display_name or _nobody(event),
        username=row.username,
        role=_role(event.actor_role),
        category=event.category.capitalize(),  # the s62 kind of processing
        what=list_label(len(rows)) if grouped else action_label(event.action),
        urn=row.urn,
        person_ref=None if grouped else event.subject_ref,
        details=action_label(event.action) if grouped else details(event, names),
        people=tuple(r.event.subject_ref or "No reference" for r in rows) if grouped else (),
    )


def entries(rows: Sequence[Row], names: Mapping[uuid.UUID, str]) -> list[Entry]:
    """The rows (newest first) as entries: consecutive consultations of one list page as one."""
    shown: list[Entry] = []
    for _, run in groupby(rows, key=lambda r: group_key(r.event) or r.event.seq):
        shown.append(_entry(list(run), names))
    return shown
