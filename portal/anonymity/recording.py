"""The audit row of a restriction, anonymity application or unmask request just written, about
the person it concerns (ids and the reference only), as every anonymity use case writes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.anonymity.models import AnonymityApplication, Restriction, UnmaskRequest
from portal.audit import service as audit


def about_person(
    db: Session,
    actor: Actor,
    row: Restriction | AnonymityApplication | UnmaskRequest,
    person: Any,  # portal.people.models.Person (portal.people imports this package)
    *,
    category: str,
    action: str,
) -> None:
    """``audit.record_about`` naming ``row`` by its table (``restriction``, ...) and case."""
    audit.record_about(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=row.__tablename__,
        object_id=row.id,
        case_id=row.case_id,
        person=person,
    )
