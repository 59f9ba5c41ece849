"""Building VLU test worlds: cases with victims, decisions recorded through the real services."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import service as cases
from portal.cases.importer import NewPerson, insert_people
from portal.cases.models import Case, CaseEvent, CaseParty
from portal.cases.reference import EventKind
from portal.clock import utc_now
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.people.service import SafeContact
from portal.vlu.models import VluDecision, VluRequest

LETTER_ONLY = SafeContact(channels=("letter",))
PHONE_NO_VOICEMAIL = SafeContact(channels=("phone",), no_voicemail=True)


def actor_of(user: User) -> Actor:
    return Actor(user.id, Role(user.role), user.area, user.unit)


def vault_for(db: Session, settings) -> Vault:
    return Vault(db, settings.key_provider(), KeyCache())


def decision_day() -> date:
    return utc_now().date()


def add_victims(
    db: Session,
    settings,
    case: Case,
    by: User,
    people: list[NewPerson],
) -> list[uuid.UUID]:
    """Add people through the bulk import path (fast for thousands)."""
    return insert_people(db, vault_for(db, settings), actor_of(by), case, people)


def victim(
    name: str,
    *,
    safe: SafeContact | None = LETTER_ONLY,
    address: str | None = "1 Test Street, Testtown",
    email: str | None = None,
    phone: str | None = None,
    vulnerable: bool = False,
    witness_only: bool = False,
) -> NewPerson:
    return NewPerson(
        full_name=name,
        date_of_birth=date(1980, 1, 1),
        address=address,
        email=email,
        phone=phone,
        safe_contact=safe,
        vulnerable=vulnerable,
        is_victim=not witness_only,
        is_witness=witness_only,
    )


def record(
    db: Session,
    settings,
    prosecutor: User,
    case: Case,
    kind: EventKind,
    *,
    ends_all: bool = True,
    on: date | None = None,
) -> tuple[CaseEvent, bool]:
    return cases.record_event(
        db,
        vault_for(db, settings),
        actor_of(prosecutor),
        case,
        cases.NewEvent(kind=kind, event_date=on or decision_day(), ends_all_proceedings=ends_all),
    )


def decision_of(db: Session, event: CaseEvent) -> VluDecision:
    return db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one()


def requests_of(db: Session, decision: VluDecision) -> list[tuple[VluRequest, Person]]:
    rows = db.execute(
        select(VluRequest, Person)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(VluRequest.decision_id == decision.id)
        .order_by(VluRequest.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
