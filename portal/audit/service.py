"""Writing the access and change log, in the same transaction as the change or the view.

If the log rows cannot be written, the transaction fails: the data is neither changed nor shown
(the web edge renders only after the handler returns, and sends the page only after the log has
committed). Entries are chained: each stores the previous entry's hash.

Appends are batched. ``record`` only *collects* an entry (its time, actor and request id are
taken then); the entries a transaction collected are appended together by ``flush_pending``, in
one INSERT, just before the transaction commits (a ``before_commit`` hook, so no commit can
forget them) or when the transaction itself reads the log. The chain lock (SQLite's single
writer; a PostgreSQL advisory lock) is therefore taken only for the head read, that INSERT and
the commit, never through a handler's queries or its rendering, and the chain cannot fork.

In a read unit of work (portal.db.session.read_unit_of_work) nothing is appended: the web edge
takes the collected entries (``take_pending``) and appends them in the request's short write
transaction after the page is rendered.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol, cast

from sqlalchemy import Table, event, insert, select
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from portal.accounts.actor import Actor
from portal.audit.models import AuditEvent
from portal.clock import utc_now
from portal.db.session import is_read, serialize_on

GENESIS = "0" * 64
request_id_var: ContextVar[str | None] = ContextVar("audit_request_id", default=None)

_PENDING_KEY = "audit_pending"  # Session.info: entries collected, not yet appended
_HEAD_KEY = "audit_head"  # Session.info: (transaction, seq, hash) of the last entry appended
_TABLE = cast(Table, AuditEvent.__table__)


def canonical(event: AuditEvent) -> bytes:
    """The bytes the hash covers: every field but the hashes, in a fixed order."""
    payload = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_role": event.actor_role,
        "category": event.category,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "case_id": str(event.case_id) if event.case_id else None,
        "subject_id": str(event.subject_id) if event.subject_id else None,
        "subject_ref": event.subject_ref,
        "fields": event.fields,
        "recipient": event.recipient,
        "purpose": event.purpose,
        "request_id": event.request_id,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + canonical(event)).hexdigest()


def record_consultations(
    db: Session,
    *,
    actor: Actor,
    action: str,
    subjects: Iterable[tuple[uuid.UUID, str | None]],
    case_id: uuid.UUID | None,
) -> int:
    """One consultation row per person shown on a list page (ids and references only)."""
    count = 0
    for subject_id, subject_ref in subjects:
        record(
            db,
            actor=actor,
            category="consultation",
            action=action,
            object_type="person",
            object_id=subject_id,
            case_id=case_id,
            subject_id=subject_id,
            subject_ref=subject_ref,
        )
        count += 1
    return count


def people_listed(
    db: Session,
    actor: Actor,
    action: str,
    people: Iterable[Subject],
    case_id: uuid.UUID | None,
    *,
    once: bool = False,
) -> int:
    """``record_consultations`` for the people a list page shows, in the order shown; ``once``:
    each person once, in the order of their ids (a list that may show someone twice)."""
    subjects = [(person.id, person.reference) for person in people]
    if once:
        subjects = sorted(set(subjects))
    return record_consultations(db, actor=actor, action=action, subjects=subjects, case_id=case_id)


def record(
    db: Session,
    *,
    actor: Actor | None,
    category: str,
    action: str,
    object_type: str,
    object_id: object = None,
    case_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
    subject_ref: str | None = None,
    fields: Iterable[str] = (),
    recipient: str | None = None,
    purpose: str | None = None,
) -> None:
    """Collect one entry; it is appended with the others when the transaction commits."""
    pending(db).append(
        {
            "at": utc_now(),
            "actor_id": actor.user_id if actor else None,
            "actor_role": actor.role.value if actor else None,
            "category": category,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "case_id": case_id,
            "subject_id": subject_id,
            "subject_ref": subject_ref,
            "fields": ",".join(sorted(fields)) or None,
            "recipient": recipient,
            "purpose": purpose,
            "request_id": request_id_var.get(),
        }
    )


class Subject(Protocol):
    """Whom an entry is about: a person (their random id and reference, never a name)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def reference(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Someone:
    """A ``Subject`` known only by their id (and perhaps their reference): the person a
    match or a ledger line names, when their row is not at hand."""

    id: uuid.UUID
    reference: str | None = None


def record_about(
    db: Session,
    *,
    actor: Actor | None,
    category: str,
    action: str,
    object_type: str,
    object_id: object,
    case_id: uuid.UUID | None,
    person: Subject | None,
    fields: Iterable[str] = (),
) -> None:
    """``record`` for the commonest entry: something done in a case, about one person (or
    none), naming the fields touched."""
    where = (object_type, object_id, case_id)
    record_in_case(db, actor, category, action, where, *fields, person=person)


Where = tuple[str, object, uuid.UUID | None]  # object type, object id, case id (or None)


def record_in_case(
    db: Session,
    actor: Actor | None,
    category: str,
    action: str,
    where: Where,
    *fields: str,
    person: Subject | None = None,
    recipient: str | None = None,
    purpose: str | None = None,
) -> None:
    """``record`` for something done to one row (of a case, or of none), about one person or
    none: ``record_in_case(db, actor, "collection", "case.open", ("case", id, id))``."""
    record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=where[0],
        object_id=where[1],
        case_id=where[2],
        subject_id=person.id if person is not None else None,
        subject_ref=person.reference if person is not None else None,
        fields=fields,
        recipient=recipient,
        purpose=purpose,
    )


def consulted(
    db: Session, actor: Actor | None, action: str, object_type: str, *fields: str
) -> None:
    """A consultation of no one row (a search, a dashboard): the fields or figures it used."""
    record_in_case(db, actor, "consultation", action, (object_type, None, None), *fields)


def disclosed_to_actor(
    db: Session, actor: Actor, action: str, object_type: str, *fields: str
) -> None:
    """A disclosure to the actor themselves (an export they download)."""
    recipient = f"user:{actor.user_id}"
    where = (object_type, None, None)
    record_in_case(db, actor, "disclosure", action, where, *fields, recipient=recipient)


def pending(db: Session) -> list[dict[str, Any]]:
    """The entries ``db`` has collected and not appended yet (a live list)."""
    found: list[dict[str, Any]] | None = db.info.get(_PENDING_KEY)
    if found is None:
        found = db.info[_PENDING_KEY] = []
    return found


def take_pending(db: Session) -> list[dict[str, Any]]:
    """Remove and return the collected entries (the web edge moves a read's entries to its
    short write transaction)."""
    entries = pending(db)
    db.info[_PENDING_KEY] = []
    return entries


def add_pending(db: Session, entries: Sequence[dict[str, Any]]) -> None:
    pending(db).extend(entries)


def flush_pending(db: Session) -> int:
    """Append every collected entry in one INSERT, under the chain lock; returns how many.

    The lock is held to the end of the transaction, so the head read here stays the head and
    later appends in the same transaction continue from the cached head.
    """
    entries = take_pending(db)
    if not entries:
        return 0
    if is_read(db):
        raise RuntimeError("audit entries cannot be appended in a read unit of work")
    rows = chain(db, entries)
    db.execute(insert(_TABLE), rows)
    return len(rows)


def chain(db: Session, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to append for ``entries`` (every column but the chain's), numbered and hashed on
    from the head: the head this transaction appended last, else the stored one, read under the
    chain lock (held to the end of the transaction). The head moves to the last row."""
    transaction = db.get_transaction()
    cached = db.info.get(_HEAD_KEY)
    if cached is not None and cached[0] is transaction:
        seq, prev_hash = int(cached[1]), str(cached[2])
    else:
        serialize_on(db, "audit-chain")
        last = db.execute(
            select(AuditEvent.seq, AuditEvent.entry_hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).one_or_none()
        seq, prev_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        values = {**entry, "seq": seq, "prev_hash": prev_hash}
        # chain_hash reads attributes only: a plain namespace spares building ORM objects.
        prev_hash = chain_hash(prev_hash, cast(AuditEvent, SimpleNamespace(**values)))
        values["entry_hash"] = prev_hash
        rows.append(values)
    db.info[_HEAD_KEY] = (transaction, seq, prev_hash)
    return rows


@event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    if not is_read(session):
        flush_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _append_before_reading_the_log(state: ORMExecuteState) -> None:
    """A transaction that reads the log sees its own entries (services and tests rely on it)."""
    session = state.session
    if not state.is_select or is_read(session) or not session.info.get(_PENDING_KEY):
        return
    tables = find_tables(cast(ClauseElement, state.statement), include_crud=False)
    if any(getattr(table, "name", None) == _TABLE.name for table in tables):
        flush_pending(session)
