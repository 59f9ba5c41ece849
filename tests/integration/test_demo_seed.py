"""The synthetic demo data: every headline category, realistic detail, scoped users, repeatable."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.cases import repository
from portal.cases.models import Case, CaseEvent, CaseParty, Offence
from portal.demo import DemoUsersMissing, seed_demo, vocabulary
from portal.demo import people as demo_people
from portal.demo import seed as demo
from portal.keys.vault import KeyCache, Vault
from portal.people.enhanced import is_child_on
from portal.people.models import NrmDecision, Person, PersonReference, SupportReferral
from portal.wiring import session_factory as make_session_factory
from tests.support.factories import make_user

TODAY = date(2026, 6, 1)
DEMO_ROLES = {
    "wco.demo": Role.WITNESS_CARE_OFFICER,
    "wco2.demo": Role.WITNESS_CARE_OFFICER,
    "prosecutor.demo": Role.PROSECUTOR,
    "prosecutor2.demo": Role.PROSECUTOR,
    "vlu.demo": Role.VLU_OFFICER,
    "vlu2.demo": Role.VLU_OFFICER,
    "auditor.demo": Role.AUDITOR,
    "admin.demo": Role.ADMIN,
    "admin2.demo": Role.ADMIN,
}


@pytest.fixture
def factory(engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def demo_users(db: Session) -> dict[str, User]:
    users = {
        name: make_user(db, role=role, username=name, area=None, unit=None)
        for name, role in DEMO_ROLES.items()
    }
    db.commit()
    return users


@pytest.fixture
def seeded(factory, settings, demo_users, db: Session):
    calls: list[tuple[str, int, int]] = []
    summary = seed_demo(
        factory,
        settings,
        cases=6,
        people=40,
        big_case_victims=60,
        seed=11,
        today=TODAY,
        progress=lambda d, a, t: calls.append((d, a, t)),
    )
    db.expire_all()
    return summary, calls


def actor_of(user: User) -> Actor:
    return Actor(user.id, Role(user.role), user.area, user.unit)


def test_it_builds_the_asked_for_scale_with_a_big_fraud_case(seeded, db: Session) -> None:
    summary, calls = seeded
    assert summary.cases == 6 and not summary.skipped
    assert db.scalar(select(func.count()).select_from(Case)) == 6
    assert summary.big_case_people == 61  # 60 victims and a witness
    assert summary.people == 40 + 61
    assert db.scalar(select(func.count()).select_from(CaseParty)) == 101
    big = db.scalars(select(Case).where(Case.urn == summary.big_case_urn)).one()
    assert repository.party_count(db, big) == 61
    categories = set(db.scalars(select(Offence.category).where(Offence.case_id == big.id)))
    assert "fraud" in categories
    # The progress callback saw every case and every big-case person.
    assert sum(a for d, a, _ in calls if d == "Creating cases") == 6
    assert sum(a for d, a, _ in calls if d == "Adding the big fraud case") == 61
    db.commit()


def test_the_headline_categories_and_msa_offences_are_there(seeded, db: Session) -> None:
    codes = Counter(db.scalars(select(Offence.code)))
    categories = set(db.scalars(select(Offence.category)))
    assert {"trafficking", "cse", "fraud"} <= categories
    assert codes["MSA2015-S2"] >= 1  # trafficking cases charge s2, some s1 too
    db.commit()


def test_people_are_realistic_and_synthetic(seeded, db: Session, settings) -> None:
    vault = Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)
    people = db.scalars(select(Person)).all()
    vault.load({p.key_id for p in people})
    names = [vault.open_text(p, "full_name") or "" for p in people]
    for name, person in zip(names, people, strict=True):
        first, *rest = name.split(" ")
        if person.is_business:
            assert name.endswith(" Ltd")
        else:
            assert first in vocabulary.GIVEN_NAMES and " ".join(rest) in vocabulary.SURNAMES
    emails = [vault.open_text(p, "email") for p in people]
    assert all(e is None or e.endswith("@example.com") for e in emails)
    phones = [vault.open_text(p, "phone") for p in people]
    assert all(
        p is None
        or p.startswith(("07700 900", "0113 496", "0161 496", "0117 496", "0121 496", "020 7946"))
        for p in phones
    )

    # Children: under 18 at the offence, in the CSE cases at least.
    offence_dates = {
        row[0]: row[1] for row in db.execute(select(Offence.case_id, Offence.committed_on))
    }
    children = 0
    for party, person in db.execute(select(CaseParty, Person).join(Person)):
        born = vault.open_text(person, "date_of_birth")
        if born and is_child_on(date.fromisoformat(born), offence_dates[party.case_id]):
            children += 1
    assert children >= 1
    db.commit()


def test_trafficking_victims_have_nrm_decisions_and_fraud_victims_fraud_references(
    seeded, db: Session
) -> None:
    nrm_people = set(db.scalars(select(NrmDecision.person_id)))
    assert nrm_people
    trafficking_cases = set(
        db.scalars(select(Offence.case_id).where(Offence.category == "trafficking"))
    )
    nrm_cases = set(
        db.scalars(select(CaseParty.case_id).where(CaseParty.person_id.in_(nrm_people)))
    )
    assert nrm_cases <= trafficking_cases
    stages = Counter(db.scalars(select(NrmDecision.stage)))
    assert stages["referral"] == stages["reasonable_grounds"] == len(nrm_people)

    kinds = Counter(db.scalars(select(PersonReference.kind)))
    assert kinds["action_fraud"] + kinds["report_fraud"] >= 60
    assert kinds["police_crn"] > 0 and kinds["nrm"] > 0
    assert db.scalar(select(func.count()).select_from(SupportReferral)) > 0
    needs = db.scalar(
        select(func.count()).select_from(Person).where(Person.communication_needs.is_not(None))
    )
    safe = db.scalar(
        select(func.count()).select_from(Person).where(Person.safe_contact.is_not(None))
    )
    assert needs and safe
    db.commit()


def test_events_are_spread_over_the_last_year(seeded, db: Session) -> None:
    events = db.scalars(select(CaseEvent)).all()
    kinds = Counter(e.kind for e in events)
    assert kinds["charge_decision"] + kinds["no_charge_decision"] >= 6
    assert kinds["first_hearing"] >= 1 and kinds["plea"] >= 1
    assert all(TODAY - timedelta(days=400) <= e.event_date <= TODAY for e in events)
    assert all(e.received_on is None or e.received_on >= e.event_date for e in events)
    db.commit()


def test_demo_users_are_placed_so_scoping_shows_data(seeded, db: Session) -> None:
    users = {u.username: u for u in db.scalars(select(User))}
    assert (users["wco.demo"].area, users["wco.demo"].unit) == ("london-north", "ccu")
    assert users["vlu.demo"].area == "london-north"
    for username in ("wco.demo", "wco2.demo", "prosecutor.demo", "vlu.demo", "auditor.demo"):
        page = repository.list_cases(db, actor_of(users[username]))
        assert page.total > 0, username
    assert repository.list_cases(db, actor_of(users["admin.demo"])).total == 0
    db.commit()


def test_the_audit_log_is_written_and_its_chain_verifies(seeded, db: Session) -> None:
    previous = audit.GENESIS
    count = 0
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        assert event.prev_hash == previous
        assert audit.chain_hash(previous, event) == event.entry_hash
        previous = event.entry_hash
        count += 1
    assert count > 101  # cases, events and one collection entry per person
    db.commit()


def test_running_it_again_changes_nothing(seeded, factory, settings, db: Session) -> None:
    again = seed_demo(
        factory, settings, cases=6, people=40, big_case_victims=60, seed=11, today=TODAY
    )
    assert again.skipped
    assert db.scalar(select(func.count()).select_from(Case)) == 6
    db.commit()


def test_the_generator_is_deterministic() -> None:
    first = demo._plan(random.Random(5), 20)
    assert first == demo._plan(random.Random(5), 20)
    assert first != demo._plan(random.Random(6), 20)
    assert {k for k, _, _ in first[:11]} == set(vocabulary.KINDS)

    def people(seed: int) -> list[object]:
        rng = random.Random(seed)
        fake = demo_people.Faker(rng)
        return [
            demo_people.new_person(rng, fake, vocabulary.KINDS["fraud"], TODAY, TODAY)[0]
            for _ in range(20)
        ]

    assert people(3) == people(3)


def test_shares_add_up_to_the_people_asked_for() -> None:
    plan = demo._plan(random.Random(1), 9)
    for total in (0, 5, 9, 18, 600):
        shares = demo._share_people(random.Random(1), plan, total)
        assert sum(shares) == total and len(shares) == 9


def test_the_demo_users_must_exist(factory, settings, db: Session) -> None:
    with pytest.raises(DemoUsersMissing, match="wco.demo"):
        seed_demo(factory, settings, cases=2, people=4, big_case_victims=0, today=TODAY)
