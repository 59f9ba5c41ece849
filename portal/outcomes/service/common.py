"""What every outcomes use case shares: the permission check, sealed amounts, and writing a
record with its audit row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.models import Case, Defendant
from portal.clock import utc_now
from portal.keys.vault import Encryptable, Vault
from portal.kit.errors import ActionNotPermitted, ValidationFailed
from portal.outcomes.models import AncillaryOrder, CompensationOrder, ConfiscationOrder

CourtOrder = AncillaryOrder | CompensationOrder | ConfiscationOrder


class Against(NamedTuple):
    """The defendant in the case a court order is recorded against."""

    case: Case
    defendant: Defendant


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
    action: str,
    where: audit.Where,
    *fields: str,
    category: str = "collection",
    person: audit.Subject | None = None,
) -> None:
    """Add ``rows`` (none when they are in the session already), flush, and record the audit row
    ``action`` on ``where`` (object type, id, case id): a collection unless said otherwise,
    about ``person`` if it is about one."""
    db.add_all(rows)
    db.flush()
    audit.record_in_case(db, actor, category, action, where, *fields, person=person)


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
        f"outcomes.{order.__tablename__.removesuffix('_order')}.record",
        (order.__tablename__, order.id, order.case_id),
        *fields,
        category="collection" if new else "alteration",
    )


def check_order(
    db: Session, vault: Vault, case: Case, errors: dict[str, str], text: tuple[str, str, str]
) -> None:
    """Raise ``ValidationFailed`` with ``errors`` and what is wrong with the order's free text
    (``(field, label, text)``: it may not name a sealed identity), if anything is."""
    name, label, value = text
    errors |= case_text_errors(db, vault, case.id, {name: (label, value)})
    if errors:
        raise ValidationFailed(errors)


def order_keys(case: Case, defendant: Defendant) -> dict[str, Any]:
    """A new court order's id, case, defendant and key (the case's)."""
    return {
        "id": uuid.uuid4(),
        "case_id": case.id,
        "defendant_id": defendant.id,
        "key_id": case.key_id,
    }
