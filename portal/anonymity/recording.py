"""The audit rows of what is done to, or seen of, one person in a case (ids and the reference
only): a restriction, anonymity application or unmask request just written, as every anonymity
use case writes it, and the consultation row of a page about a case or a person in it, as the
anonymity, documents and outcomes pages write it (with the lookup of the person those pages
show)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.anonymity.models import AnonymityApplication, Restriction, UnmaskRequest
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.models import Case


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


def consulted(
    unit: Unit,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    case: Case,
    person: audit.Subject | None = None,
) -> None:
    """The consultation row of a page showing ``object_type`` ``object_id`` in ``case``."""
    audit.record_about(
        unit.db,
        actor=unit.actor,
        category="consultation",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case.id,
        person=person,
    )


def person_in_case(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> tuple[Case, Any]:
    """The case and the person (a ``portal.people.models.Person``) in the actor's scope."""
    case, _, person = cases_repo.party_in_case(unit.db, unit.actor, case_id, person_id)
    return case, person


def sealed_keys(case: Case, person: Any) -> dict[str, Any]:
    """A new row's id, and the case, the person and the key it is sealed under (the person's)."""
    return {"id": uuid.uuid4(), "case_id": case.id, "person_id": person.id, "key_id": person.key_id}
