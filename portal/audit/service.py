"""Writing the access and change log, in the same transaction as the change or the view.

If the log row cannot be written, the transaction fails: the data is neither changed nor shown
(the web edge renders only after the handler returns, and commits only after that). Entries are
chained: each stores the previous entry's hash, and appends are serialised (SQLite's single
writer; a PostgreSQL advisory lock) so the chain cannot fork.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from contextvars import ContextVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit.models import AuditEvent
from portal.clock import utc_now
from portal.db.session import serialize_on

GENESIS = "0" * 64
request_id_var: ContextVar[str | None] = ContextVar("audit_request_id", default=None)


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
    subjects: Iterable[tuple[uuid.UUID, str]],
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
) -> AuditEvent:
    transaction = db.get_transaction()
    cached = db.info.get("audit_head")
    if cached is not None and cached[0] is transaction:
        prev_seq, prev_hash = cached[1], cached[2]
    else:
        # The lock is held to the end of the transaction, so the head read here stays the head.
        serialize_on(db, "audit-chain")
        last = db.execute(
            select(AuditEvent.seq, AuditEvent.entry_hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).one_or_none()
        prev_seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    event = AuditEvent(
        seq=prev_seq + 1,
        at=utc_now(),
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role.value if actor else None,
        category=category,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_id=case_id,
        subject_id=subject_id,
        subject_ref=subject_ref,
        fields=",".join(sorted(fields)) or None,
        recipient=recipient,
        purpose=purpose,
        request_id=request_id_var.get(),
        prev_hash=prev_hash,
        entry_hash="",
    )
    event.entry_hash = chain_hash(prev_hash, event)
    db.add(event)
    db.flush()
    db.info["audit_head"] = (db.get_transaction(), event.seq, event.entry_hash)
    return event
