"""Victims identified late keep their rights (issue 15.2): people added, imported, given a new
role or found to have enhanced rights after events were recorded are owed what those events
give them, due from the day they were identified, with the original trigger kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.importer import NewPerson, insert_people
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, correct_event, record_event
from portal.clock import LONDON, utc_now
from portal.people.roles import change_role, set_enhanced_categories
from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.victims_code.models import Obligation
from portal.victims_code.service import explain
from portal.vlu.models import VluRequest
from tests.support.factories import add_person, make_case, make_user, make_vault


def london_today() -> date:
    return utc_now().astimezone(LONDON).date()


def weekday_before(days: int) -> date:
    day = london_today() - timedelta(days=days)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _case_with_discontinuance(db, settings, offence: str):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(
        db, settings, prosecutor=prosecutor, offences=(offence,), offence_date=date(2025, 3, 1)
    )
    add_person(db, settings, case, name="First Victim", actor_user=prosecutor)
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    vault = make_vault(db, settings)
    decided = weekday_before(30)
    event, _ = record_event(
        db,
        vault,
        actor,
        case,
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=decided, ends_all_proceedings=True),
    )
    return {"case": case, "prosecutor": prosecutor, "actor": actor, "event": event}


@pytest.fixture
def trafficking_case(db, settings):
    return _case_with_discontinuance(db, settings, "MSA2015-S2")


@pytest.fixture
def fraud_case(db, settings):
    """Fraud: no automatic enhanced rights, so adults are standard."""
    return _case_with_discontinuance(db, settings, "FA2006-S2")


def owed(db, person_id, code="R6-CPS-DISCONTINUANCE"):
    return db.scalars(
        select(Obligation)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .where(CaseParty.person_id == person_id, Obligation.entitlement == code)
    ).all()


def test_a_child_victim_added_after_a_discontinuance_still_gets_her_vcl_letter_duty(
    db, settings, trafficking_case
) -> None:
    w = trafficking_case
    decided = w["event"].event_date
    child, party = add_person(
        db,
        settings,
        w["case"],
        name="Late Child",
        actor_user=w["prosecutor"],
        born=date(2012, 4, 4),  # 12 at the offence: a child, so enhanced
    )
    (obligation,) = owed(db, child.id)
    today = london_today()
    assert obligation.identified_on == today
    assert obligation.trigger_on == decided  # the original trigger, kept and shown
    assert obligation.event_id == w["event"].id
    assert obligation.enhanced and obligation.child
    # Due 1 working day (enhanced) from the day she was identified, not 30 days ago.
    assert obligation.due_on == ENGLAND_AND_WALES.add_working_days(today, 1)
    assert obligation.state == "open"
    assert f"{today:%a} {today.day} {today:%b}" in explain(obligation)
    # And the VLU has her letter to write, linked to that duty.
    request = db.scalars(select(VluRequest).where(VluRequest.case_party_id == party.id)).one()
    assert request.obligation_id == obligation.id
    # Adding her did not touch the first victim's duty (not identified late).
    (first,) = [
        o
        for o in db.scalars(select(Obligation).where(Obligation.event_id == w["event"].id))
        if o.case_party_id != party.id
    ]
    assert first.identified_on is None


def test_imported_people_are_owed_what_earlier_events_give_them(db, settings, fraud_case) -> None:
    w = fraud_case
    vault = make_vault(db, settings)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    wco = Actor(officer.id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    ids = insert_people(
        db,
        vault,
        wco,
        w["case"],
        [
            NewPerson(full_name="Imported Adult", date_of_birth=date(1980, 1, 1)),
            NewPerson(full_name="Imported Witness", is_victim=False, is_witness=True),
        ],
    )
    (adult,) = owed(db, ids[0])
    assert adult.identified_on == london_today() and not adult.enhanced  # adult: standard
    assert adult.due_on == ENGLAND_AND_WALES.add_working_days(london_today(), 5)
    assert owed(db, ids[1]) == []  # a witness only: the VCL letter is a victim's right
    # Importing the same people again is refused elsewhere; publishing twice creates nothing.
    from portal.cases.events import PeopleAddedToCase
    from portal.kit.events import publish

    party_id = db.scalar(select(CaseParty.id).where(CaseParty.person_id == ids[0]))
    publish(db, PeopleAddedToCase(w["case"].id, (party_id,), wco, london_today()))
    assert len(owed(db, ids[0])) == 1


def test_a_witness_who_becomes_a_victim_gets_the_victims_rights(
    db, settings, trafficking_case
) -> None:
    w = trafficking_case
    witness, party = add_person(
        db,
        settings,
        w["case"],
        name="Wit Ness",
        actor_user=w["prosecutor"],
        is_victim=False,
        is_witness=True,
    )
    assert owed(db, witness.id) == []
    assert change_role(db, w["actor"], party, is_victim=True, is_witness=True)
    (obligation,) = owed(db, witness.id)
    assert obligation.identified_on == london_today()
    assert obligation.trigger_on == w["event"].event_date
    # No change, nothing new.
    assert not change_role(db, w["actor"], party, is_victim=True, is_witness=True)
    assert len(owed(db, witness.id)) == 1


def test_enhanced_rights_found_late_shorten_what_is_still_owed(db, settings, fraud_case) -> None:
    w = fraud_case
    vault = make_vault(db, settings)
    prosecutor = w["actor"]
    yesterday = weekday_before(1)
    # A partial discontinuance yesterday: a VCL letter is owed, 5 working days for standard.
    adult, party = add_person(
        db, settings, w["case"], name="Adult Victim", actor_user=w["prosecutor"]
    )
    event, _ = record_event(
        db,
        vault,
        prosecutor,
        w["case"],
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=yesterday, ends_all_proceedings=False),
    )
    (standard,) = [o for o in owed(db, adult.id) if o.event_id == event.id]
    assert not standard.enhanced
    assert standard.due_on == ENGLAND_AND_WALES.add_working_days(yesterday, 5)
    assert set_enhanced_categories(db, prosecutor, party, {"vulnerable"})
    assert standard.enhanced
    assert standard.identified_on == london_today()
    assert standard.due_on == min(
        ENGLAND_AND_WALES.add_working_days(yesterday, 5),
        ENGLAND_AND_WALES.add_working_days(london_today(), 1),
    )


def test_moving_the_event_keeps_a_late_duty_due_from_identification(
    db, settings, trafficking_case
) -> None:
    w = trafficking_case
    child, _ = add_person(
        db,
        settings,
        w["case"],
        name="Late Child",
        actor_user=w["prosecutor"],
        born=date(2012, 4, 4),
    )
    (obligation,) = owed(db, child.id)
    due = obligation.due_on
    event = w["event"]
    correct_event(
        db,
        w["actor"],
        event,
        expected_version=event.version,
        event_date=event.event_date - timedelta(days=7),
        received_on=None,
    )
    assert obligation.trigger_on == event.event_date
    assert obligation.due_on == due
