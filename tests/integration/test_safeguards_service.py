"""Safeguards service: needs assessments, actions, referrals, timeline and the person page."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.errors import CaseNotFound, NotPermitted, StaleEdit, ValidationFailed
from portal.cases.models import CaseEvent
from portal.db.session import make_session_factory, unit_of_work
from portal.keys.vault import Vault
from portal.people import service as people
from portal.safeguards import service as safeguards
from portal.safeguards.models import NeedsAssessment, SafeguardEvent, SafeguardingAction
from tests.support.factories import add_person, make_case, make_user, make_vault


def actor_of(user) -> Actor:
    return Actor(user.id, Role(user.role), user.area, user.unit)


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wendy Carer")
    case = make_case(
        db, settings, prosecutor=prosecutor, officer=officer, offence_date=date(2023, 1, 10)
    )
    person, party = add_person(
        db, settings, case, name="Imogen Thistlewood", actor_user=officer, born=date(2006, 6, 1)
    )
    return {
        "prosecutor": prosecutor,
        "officer": officer,
        "wco": actor_of(officer),
        "pros": actor_of(prosecutor),
        "case": case,
        "person": person,
        "party": party,
        "vault": make_vault(db, settings),
    }


def needs_input(**overrides) -> safeguards.NeedsInput:
    values = {
        "needs": {
            "childcare": safeguards.Need(True, "Toddler needs minding on trial days"),
            "transport": safeguards.Need(False),
            "language": safeguards.Need(False),
            "medical": safeguards.Need(True, "Asthma: inhaler breaks"),
            "intimidation": safeguards.Need(False),
        },
        "notes": "Prefers a female usher",
        "assessed_on": date(2025, 2, 1),
        "risk_level": "medium",
        "pre_trial_visit_on": date(2025, 3, 1),
        "witness_service_referred_on": date(2025, 2, 2),
    }
    values.update(overrides)
    return safeguards.NeedsInput(**values)


def writes(db, after: int) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent).where(AuditEvent.seq > after, AuditEvent.category != "consultation")
        )
    )


def head(db) -> int:
    return int(db.scalar(select(func.max(AuditEvent.seq))) or 0)


def test_a_needs_assessment_is_sealed_timed_attributed_and_audited(db, world) -> None:
    before = head(db)
    w = world
    assessment = safeguards.record_needs_assessment(
        db, w["vault"], w["wco"], w["case"], w["party"], w["person"], needs_input()
    )
    raw = bytes(assessment.needs)
    assert b"Toddler" not in raw and b"Asthma" not in raw and b"female usher" not in raw
    document = json.loads(w["vault"].open_text(assessment, "needs"))
    assert document["needs"]["childcare"] == {
        "present": True,
        "details": "Toddler needs minding on trial days",
    }
    assert document["needs"]["transport"] == {"present": False, "details": ""}
    assert w["party"].risk_level == "medium"
    assert w["party"].pre_trial_visit_on == date(2025, 3, 1)
    event = db.scalars(select(SafeguardEvent)).one()
    assert (event.kind, event.by_id, event.at) == (
        "needs_assessment",
        w["officer"].id,
        assessment.recorded_at,
    )
    [row] = writes(db, before)
    assert (row.category, row.action) == ("collection", "needs_assessment.record")
    assert "childcare" in (row.fields or "") and "Toddler" not in (row.fields or "")
    assert row.subject_id == w["person"].id


def test_only_witness_care_officers_assess_needs_or_manage_actions(db, world) -> None:
    w = world
    with pytest.raises(NotPermitted):
        safeguards.record_needs_assessment(
            db, w["vault"], w["pros"], w["case"], w["party"], w["person"], needs_input()
        )
    with pytest.raises(NotPermitted):
        safeguards.add_action(
            db,
            w["vault"],
            w["pros"],
            w["case"],
            w["party"],
            w["person"],
            description="x",
            owner_id=w["prosecutor"].id,
            due_on=date.today(),
        )
    auditor = Actor(uuid.uuid4(), Role.AUDITOR)
    with pytest.raises(NotPermitted):
        safeguards.add_reference(
            db, w["vault"], auditor, w["case"], w["party"], w["person"], kind="nrm", value="1"
        )


def test_needs_validation_names_every_problem(db, world) -> None:
    w = world
    bad = needs_input(
        needs={"childcare": safeguards.Need(True, ""), "transport": safeguards.Need(None)},
        assessed_on=date.today() + timedelta(days=3),
        risk_level="severe",
    )
    with pytest.raises(ValidationFailed) as raised:
        safeguards.record_needs_assessment(
            db, w["vault"], w["wco"], w["case"], w["party"], w["person"], bad
        )
    assert set(raised.value.errors) == {
        "assessed_on",
        "childcare_details",
        "transport",
        "language",
        "medical",
        "intimidation",
        "risk_level",
    }
    assert db.scalar(select(func.count()).select_from(NeedsAssessment)) == 0


def test_actions_are_owned_by_case_officers_and_version_checked(db, world, engine) -> None:
    w = world
    # A prosecutor of another unit has no access to the case, so is not in its team.
    outsider = make_user(db, role=Role.PROSECUTOR, unit="rasso")
    with pytest.raises(ValidationFailed) as raised:
        safeguards.add_action(
            db,
            w["vault"],
            w["wco"],
            w["case"],
            w["party"],
            w["person"],
            description="  ",
            owner_id=outsider.id,
            due_on=date.today() - timedelta(days=1),
        )
    assert set(raised.value.errors) == {"description", "owner", "due_on"}
    action = safeguards.add_action(
        db,
        w["vault"],
        w["wco"],
        w["case"],
        w["party"],
        w["person"],
        description="Book a separate waiting room",
        owner_id=w["prosecutor"].id,
        due_on=date.today() + timedelta(days=7),
    )
    assert b"waiting room" not in bytes(action.description)
    with pytest.raises(StaleEdit):
        safeguards.complete_action(
            db, w["wco"], w["case"], w["party"], w["person"], action.id, expected_version=99
        )
    with pytest.raises(CaseNotFound):
        safeguards.complete_action(
            db, w["wco"], w["case"], w["party"], w["person"], uuid.uuid4(), expected_version=1
        )
    db.commit()

    # Another transaction completes it between our read and our write: the flush refuses.
    version = action.version
    factory = make_session_factory(engine)
    with unit_of_work(factory) as other:
        row = other.get(SafeguardingAction, action.id)
        assert row is not None
        row.due_on = row.due_on + timedelta(days=1)
    with pytest.raises(StaleDataError):
        safeguards.complete_action(
            db, w["wco"], w["case"], w["party"], w["person"], action.id, expected_version=version
        )
    db.rollback()


def test_referrals_nrm_and_references_write_events_and_audit(db, world) -> None:
    w = world
    before = head(db)
    safeguards.add_referral(
        db,
        w["wco"],
        w["case"],
        w["party"],
        w["person"],
        service="ictg",
        referred_on=date(2025, 1, 5),
        consent_given=False,
        consent_on=date(2025, 1, 5),
    )
    safeguards.add_nrm_decision(
        db,
        w["pros"],
        w["case"],
        w["party"],
        w["person"],
        stage="conclusive_grounds",
        outcome="positive",
        decided_on=date(2025, 4, 1),
    )
    reference = safeguards.add_reference(
        db,
        w["vault"],
        w["pros"],
        w["case"],
        w["party"],
        w["person"],
        kind="action_fraud",
        value="NFRC2401234567",
    )
    assert b"NFRC" not in bytes(reference.value)
    assert [r.action for r in writes(db, before)] == [
        "support_referral.add",
        "nrm_decision.add",
        "person_reference.add",
    ]
    kinds = [e.kind for e in db.scalars(select(SafeguardEvent).order_by(SafeguardEvent.at))]
    assert kinds == ["support_referral", "nrm_decision", "reference_added"]
    with pytest.raises(ValidationFailed) as raised:
        safeguards.add_reference(
            db, w["vault"], w["pros"], w["case"], w["party"], w["person"], kind="x", value="<b>"
        )
    assert set(raised.value.errors) == {"kind", "value"}


def test_nrm_decisions_only_in_trafficking_cases(db, world, settings) -> None:
    fraud = make_case(db, settings, prosecutor=world["prosecutor"], offences=("FA2006-S2",))
    person, party = add_person(db, settings, fraud, name="Fay Fraud", actor_user=world["officer"])
    with pytest.raises(ValidationFailed) as raised:
        safeguards.add_nrm_decision(
            db,
            world["pros"],
            fraud,
            party,
            person,
            stage="referral",
            outcome="",
            decided_on=date(2025, 1, 1),
        )
    assert "stage" in raised.value.errors


def test_age_statuses_at_the_offence_and_each_hearing(db, world) -> None:
    events = [
        CaseEvent(kind="trial_listing", event_date=date(2025, 3, 3)),
        CaseEvent(kind="plea", event_date=date(2024, 1, 1)),
        CaseEvent(kind="first_hearing", event_date=date(2023, 9, 4)),
    ]
    offences = [type("O", (), {"committed_on": date(2023, 1, 10)})()]
    statuses = safeguards.age_statuses(date(2006, 6, 1), offences, events)  # type: ignore[arg-type]
    assert [(s.occasion, s.age, s.child) for s in statuses] == [
        ("the offence", 16, True),
        ("the first hearing", 17, True),
        ("the trial", 18, False),
    ]
    unknown = safeguards.age_statuses(None, offences, events)  # type: ignore[arg-type]
    assert all(s.child is None and s.age is None for s in unknown)


def test_overview_for_an_auditor_opens_nothing_but_the_date_of_birth(
    db, settings, world, monkeypatch
) -> None:
    w = world
    safeguards.record_needs_assessment(
        db, w["vault"], w["wco"], w["case"], w["party"], w["person"], needs_input()
    )
    safeguards.add_reference(
        db, w["vault"], w["wco"], w["case"], w["party"], w["person"], kind="nrm", value="NRM-77"
    )
    opened: list[str] = []
    original = Vault._open  # every decryption, whatever the policy path

    def spy(self, row, column):
        opened.append(f"{row.__tablename__}.{column}")
        return original(self, row, column)

    monkeypatch.setattr(Vault, "_open", spy)
    before = head(db)
    auditor = Actor(make_user(db, role=Role.AUDITOR).id, Role.AUDITOR)
    overview = safeguards.person_overview(
        db, make_vault(db, settings, role=Role.AUDITOR), auditor, w["case"], w["party"], w["person"]
    )
    assert overview.pseudonymised and overview.view is None
    assert [(r.kind, r.value) for r in overview.references] == [("nrm", None)]
    assert overview.age_band == "Adult"
    assert overview.latest is not None and overview.latest.needs is None
    assert opened == ["person.date_of_birth"]
    rows = list(db.scalars(select(AuditEvent).where(AuditEvent.seq > before)))
    assert [(r.category, r.action) for r in rows] == [("consultation", "person.view_pseudonymised")]
    # the officer's overview opens what the page shows, and logs one consultation too
    opened.clear()
    before = head(db)
    full = safeguards.person_overview(db, w["vault"], w["wco"], w["case"], w["party"], w["person"])
    assert full.view is not None and full.view.full_name is not None
    assert full.view.full_name.reveal() == "Imogen Thistlewood"
    assert full.latest is not None and full.latest.needs is not None
    assert "person.full_name" in opened and "needs_assessment.needs" in opened
    assert len(list(db.scalars(select(AuditEvent).where(AuditEvent.seq > before)))) == 1
    assert [c.code for c in full.enhanced][:1] == ["most_serious"]
    assert "vulnerable" in {c.code for c in full.enhanced}  # 16 at the offence


def test_timeline_merges_assessments_with_events_newest_first(db, world) -> None:
    w = world
    safeguards.add_person(
        db,
        w["vault"],
        w["wco"],
        w["case"],
        people.PersonDetails(full_name="Second Person"),
        is_victim=False,
        is_witness=True,
        safe_contact=people.SafeContact(),
        needs=people.CommunicationNeeds(),
    )
    first = safeguards.record_needs_assessment(
        db, w["vault"], w["wco"], w["case"], w["party"], w["person"], needs_input()
    )
    safeguards.record_event(
        db, w["pros"], w["party"], "details_updated", at=datetime.now(UTC) + timedelta(minutes=5)
    )
    items = safeguards.timeline(db, w["party"])
    assert [i.kind for i in items] == ["details_updated", "needs_assessment"]
    assert items[0].by == "Priya Prosecutor" and items[1].by == "Wendy Carer"
    assert items[1].assessment is not None and items[1].assessment.id == first.id
    assert all(i.at.tzinfo is not None for i in items)
    with pytest.raises(ValueError, match="unknown"):
        safeguards.record_event(db, w["pros"], w["party"], "made_up")


def test_adding_a_person_audits_only_the_fields_given(db, world) -> None:
    before = head(db)
    person, party = safeguards.add_person(
        db,
        world["vault"],
        world["wco"],
        world["case"],
        people.PersonDetails(
            full_name="Acme Widgets Ltd",
            is_business=True,
            business_contact="Josephine Featherstonehaugh",
        ),
        is_victim=True,
        is_witness=False,
        safe_contact=people.SafeContact(channels=("email",)),
        needs=people.CommunicationNeeds(),
    )
    [row] = writes(db, before)
    assert set((row.fields or "").split(",")) == {
        "full_name",
        "business_contact",
        "safe_contact",
        "role",
    }
    raw = db.execute(
        text("SELECT full_name, business_contact FROM person WHERE reference = :r"),
        {"r": person.reference},
    ).one()
    assert b"Acme" not in bytes(raw[0])
    assert b"Featherstonehaugh" not in bytes(raw[1])
    assert db.scalars(select(SafeguardEvent).where(SafeguardEvent.case_party_id == party.id)).one()


def test_recording_a_needs_assessment_meets_the_wcu_needs_assessment_duty(db, world) -> None:
    """Issue 15.3: a duty whose work is the assessment closes when the assessment is recorded."""
    from portal.cases.reference import EventKind
    from portal.cases.repository import defendants_of
    from portal.cases.service import NewEvent, record_event
    from portal.victims_code.models import Obligation

    record_event(
        db,
        world["vault"],
        world["pros"],
        world["case"],
        NewEvent(
            kind=EventKind.PLEA,
            event_date=date(2025, 1, 20),
            outcome="not_guilty",
            defendant_id=defendants_of(db, world["case"])[0].id,
        ),
    )
    duty = db.scalars(
        select(Obligation).where(
            Obligation.case_party_id == world["party"].id,
            Obligation.entitlement == "R4-WCU-NEEDS-ASSESSMENT",
        )
    ).one()
    assert duty.state == "open"
    safeguards.record_needs_assessment(
        db,
        world["vault"],
        world["wco"],
        world["case"],
        world["party"],
        world["person"],
        needs_input(),
    )
    assert (duty.state, duty.met_on, duty.met_by_id) == (
        "met",
        date(2025, 2, 1),
        world["officer"].id,
    )
    assert duty.channel is None
    # Other duties of the person stay as they were.
    others = db.scalars(
        select(Obligation).where(
            Obligation.case_party_id == world["party"].id,
            Obligation.entitlement != "R4-WCU-NEEDS-ASSESSMENT",
        )
    ).all()
    assert all(o.state == "open" for o in others)
