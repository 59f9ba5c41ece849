"""What every outcomes use case shares: the permission check, sealed amounts, and writing a
record with its audit row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.audit import service as audit
from portal.clock import utc_now
from portal.keys.vault import Encryptable, Vault
from portal.kit.errors import ActionNotPermitted
from portal.outcomes.models import AncillaryOrder, CompensationOrder, ConfiscationOrder

CourtOrder = AncillaryOrder | CompensationOrder | ConfiscationOrder


def require(actor: Actor, permission: Permission, subject: str) -> None:
    if not actor.can(permission):
        raise ActionNotPermitted(permission.value, actor.role.value, subject)


def seal_pence(vault: Vault, row: Encryptable, column: str, pence: int) -> None:
    vault.put(row, column, str(pence))


def open_pence(vault: Vault, row: Encryptable, column: str) -> int | None:
    """The amount as this viewer may see it (None for a pseudonymised viewer)."""
    text = vault.open_text(row, column)
    return None if text is None else int(text)


def stored(
    db: Session,
    actor: Actor,
    rows: Iterable[object],
    *,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    case_id: uuid.UUID,
    fields: Iterable[str],
    category: str = "collection",
    person: audit.Subject | None = None,
) -> None:
    """Add ``rows`` (none when they are in the session already), flush, and record the audit row
    (a collection unless said otherwise), about ``person`` if it is about one."""
    db.add_all(rows)
    db.flush()
    audit.record_about(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        person=person,
        fields=list(fields),
    )


def record_court_order(
    db: Session,
    actor: Actor,
    order: CourtOrder,
    *,
    fields: Iterable[str],
    new: bool = True,
) -> None:
    """Stamp who recorded a court order and when, add it (when ``new``), flush, and record
    ``outcomes.<kind>.record`` about it: a collection, or an alteration of one on record."""
    order.recorded_by_id = actor.user_id
    order.recorded_at = utc_now()
    stored(
        db,
        actor,
        [order] if new else [],
        action=f"outcomes.{order.__tablename__.removesuffix('_order')}.record",
        object_type=order.__tablename__,
        object_id=order.id,
        case_id=order.case_id,
        fields=fields,
        category="collection" if new else "alteration",
    )
