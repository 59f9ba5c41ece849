"""The audit row of anything done to, or seen of, one person in a case (ids and the reference
only), as every anonymity use case writes it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit


def about_person(
    db: Session,
    actor: Actor,
    *,
    category: str,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    case_id: uuid.UUID,
    person: Any,  # portal.people.models.Person (portal.people imports this package)
) -> None:
    audit.record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
