"""Every query of people and their safeguards. No rules here: services decide, this reads.

Cases, their scope and their people's parts in them are ``portal.cases.repository``'s (the one
case scope); what is read here is always reached through a case or person already in scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases.models import Case, CaseParty
from portal.cases.repository import staff_names as staff_names
from portal.people.models import (
    NeedsAssessment,
    NrmDecision,
    OfPerson,
    PersonContact,
    PersonReference,
    SafeguardEvent,
    SafeguardingAction,
    SupportReferral,
)

Owned = TypeVar("Owned", bound=OfPerson)


def case_ids_of_person(db: Session, person_id: uuid.UUID) -> list[uuid.UUID]:
    """Every case the person is in (their safe-contact rules are shown in all of them)."""
    return list(db.scalars(select(CaseParty.case_id).where(CaseParty.person_id == person_id)))


def assessments(db: Session, party_id: uuid.UUID, *, limit: int | None) -> list[NeedsAssessment]:
    """Needs assessments of one person's part in a case, newest first."""
    query = (
        select(NeedsAssessment)
        .where(NeedsAssessment.case_party_id == party_id)
        .order_by(NeedsAssessment.assessed_on.desc(), NeedsAssessment.recorded_at.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.scalars(query))


def actions_of(db: Session, party_id: uuid.UUID) -> list[SafeguardingAction]:
    """Open actions first (status descending: open before done), then by due date."""
    return list(
        db.scalars(
            select(SafeguardingAction)
            .where(SafeguardingAction.case_party_id == party_id)
            .order_by(SafeguardingAction.status.desc(), SafeguardingAction.due_on)
        )
    )


def action_of(db: Session, party_id: uuid.UUID, action_id: uuid.UUID) -> SafeguardingAction | None:
    return db.scalars(
        select(SafeguardingAction).where(
            SafeguardingAction.id == action_id, SafeguardingAction.case_party_id == party_id
        )
    ).one_or_none()


def _of_person(
    db: Session, model: type[Owned], person_id: uuid.UUID, order: ColumnElement[Any]
) -> list[Owned]:
    return list(db.scalars(select(model).where(model.person_id == person_id).order_by(order)))


def references_of(db: Session, person_id: uuid.UUID) -> list[PersonReference]:
    return _of_person(db, PersonReference, person_id, PersonReference.kind.asc())


def contacts_of(db: Session, person_id: uuid.UUID) -> list[PersonContact]:
    """A person's parents, guardians and representatives, the nominated one first."""
    return list(
        db.scalars(
            select(PersonContact)
            .where(PersonContact.person_id == person_id)
            .order_by(PersonContact.nominated.desc(), PersonContact.added_at, PersonContact.id)
        )
    )


def contact_of(db: Session, person_id: uuid.UUID, contact_id: uuid.UUID) -> PersonContact | None:
    return db.scalars(
        select(PersonContact).where(
            PersonContact.id == contact_id, PersonContact.person_id == person_id
        )
    ).one_or_none()


def referrals_of(db: Session, person_id: uuid.UUID) -> list[SupportReferral]:
    return _of_person(db, SupportReferral, person_id, SupportReferral.referred_on.desc())


def nrm_decisions_of(db: Session, person_id: uuid.UUID) -> list[NrmDecision]:
    return _of_person(db, NrmDecision, person_id, NrmDecision.decided_on.desc())


def safeguard_events(db: Session, party_id: uuid.UUID, *, limit: int) -> list[SafeguardEvent]:
    return list(
        db.scalars(
            select(SafeguardEvent)
            .where(SafeguardEvent.case_party_id == party_id)
            .order_by(SafeguardEvent.at.desc())
            .limit(limit)
        )
    )


def case_team(db: Session, case: Case, *, also: Iterable[uuid.UUID] = ()) -> list[Any]:
    """(id, display name, role) of the active staff with access to ``case`` as casework
    (portal.cases.access): its unit's witness care officers and prosecutors, its Area's VLU
    officers, and ``also`` (the case's assigned officers, the officer acting)."""
    unit = and_(
        User.role.in_([Role.WITNESS_CARE_OFFICER.value, Role.PROSECUTOR.value]),
        User.area == case.area,
        User.unit == case.unit,
    )
    vlu = and_(User.role == Role.VLU_OFFICER.value, User.area == case.area)
    wanted = list(also)
    return list(
        db.execute(
            select(User.id, User.display_name, User.role).where(
                User.is_active.is_(True),
                or_(unit, vlu, User.id.in_(wanted)) if wanted else or_(unit, vlu),
            )
        ).all()
    )


def active_staff(db: Session, ids: Iterable[uuid.UUID]) -> list[Any]:
    """(id, display name, role) of the active users among ``ids``."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        db.execute(
            select(User.id, User.display_name, User.role).where(
                User.id.in_(wanted), User.is_active.is_(True)
            )
        ).all()
    )
