"""Recording a decision creates one VLU request per victim, tied to its Victims' Code obligation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases import service as cases
from portal.cases.reference import EventKind
from portal.victims_code.models import Obligation
from portal.vlu import service as vlu
from portal.vlu.models import VluDecision, VluRequest, VluTransition
from tests.support.factories import make_case, make_user
from tests.support.vlu import (
    actor_of,
    add_victims,
    decision_day,
    decision_of,
    record,
    requests_of,
    vault_for,
    victim,
)


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("FA2006-S2",))
    add_victims(
        db,
        settings,
        case,
        prosecutor,
        [
            victim("Edna Enhanced", vulnerable=True),
            victim("Sam Standard"),
            victim("Walter Witness", witness_only=True),
        ],
    )
    db.flush()
    return prosecutor, case


def test_a_discontinuance_ending_all_proceedings(db, settings, world) -> None:
    prosecutor, case = world
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE, ends_all=True)
    decision = decision_of(db, event)
    assert decision.vrr_applies and not decision.meeting_required
    assert decision.unit == case.area == "london-north"
    rows = requests_of(db, decision)
    assert len(rows) == 2  # the witness who is not a victim is not owed a letter
    by_name = {vault_for(db, settings).open_text(p, "full_name"): r for r, p in rows}
    assert set(by_name) == {"Edna Enhanced", "Sam Standard"}
    for request, _person in rows:
        obligation = db.get(Obligation, request.obligation_id)
        assert obligation is not None
        assert obligation.entitlement == "R6-CPS-DISCONTINUANCE"
        assert obligation.case_party_id == request.case_party_id
        assert request.enhanced is obligation.enhanced
        assert request.state == "requested"
        assert request.vrr_applies and request.check_required and not request.rasso
    assert by_name["Edna Enhanced"].enhanced and not by_name["Sam Standard"].enhanced
    enhanced_due = db.get(Obligation, by_name["Edna Enhanced"].obligation_id).due_on
    standard_due = db.get(Obligation, by_name["Sam Standard"].obligation_id).due_on
    assert enhanced_due < standard_due  # 1 and 5 working days, from the Victims' Code engine
    steps = db.scalars(select(VluTransition)).all()
    assert len(steps) == 2 and {s.action for s in steps} == {"create"}
    assert {s.by_id for s in steps} == {prosecutor.id}
    logged = db.scalars(select(AuditEvent).where(AuditEvent.action == "vlu.requests.create")).one()
    assert logged.object_id == str(decision.id) and logged.fields == "count=2"


@pytest.mark.parametrize(
    ("kind", "ends_all", "vrr"),
    [
        (EventKind.DISCONTINUANCE, False, False),  # some charges continue
        (EventKind.NO_CHARGE_DECISION, True, True),
        (EventKind.OFFER_NO_EVIDENCE, True, True),
        (EventKind.OFFER_NO_EVIDENCE, False, False),
        (EventKind.SUBSTANTIAL_ALTERATION, True, False),  # proceedings go on: never VRR
    ],
)
def test_right_to_review_only_when_all_proceedings_end(
    db, settings, world, kind: EventKind, ends_all: bool, vrr: bool
) -> None:
    prosecutor, case = world
    event, _ = record(db, settings, prosecutor, case, kind, ends_all=ends_all)
    decision = decision_of(db, event)
    assert decision.vrr_applies is vrr
    rows = requests_of(db, decision)
    assert len(rows) == 2
    assert all(r.vrr_applies is vrr for r, _ in rows)


def test_recording_the_same_decision_twice_creates_nothing_more(db, settings, world) -> None:
    prosecutor, case = world
    event, created = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    again, created_again = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    assert created and not created_again and again.id == event.id
    assert (
        vlu.requests_for_event(db, vault_for(db, settings), actor_of(prosecutor), case, event) == 0
    )
    assert db.scalar(select(func.count()).select_from(VluRequest)) == 2
    assert db.scalar(select(func.count()).select_from(VluDecision)) == 1


def test_events_that_are_not_decisions_create_no_requests(db, settings, world) -> None:
    prosecutor, case = world
    record(db, settings, prosecutor, case, EventKind.CHARGE_DECISION)
    record(db, settings, prosecutor, case, EventKind.HEARING_LISTED)
    assert db.scalar(select(func.count()).select_from(VluRequest)) == 0


def test_the_due_date_follows_the_obligation_when_the_decision_is_corrected(
    db, settings, world
) -> None:
    prosecutor, case = world
    event, _ = record(
        db,
        settings,
        prosecutor,
        case,
        EventKind.DISCONTINUANCE,
        on=decision_day() - timedelta(days=14),
    )
    request = requests_of(db, decision_of(db, event))[0][0]
    before = db.get(Obligation, request.obligation_id).due_on
    cases.correct_event(
        db,
        actor_of(prosecutor),
        event,
        expected_version=event.version,
        event_date=decision_day() - timedelta(days=7),
        received_on=None,
    )
    after = db.get(Obligation, request.obligation_id).due_on
    assert after > before  # recomputed by the Victims' Code engine; the request stores none


def test_rasso_cases_always_need_a_second_check_and_sexual_offences_a_meeting(db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("SOA2003-S1",), unit="rasso")
    add_victims(db, settings, case, prosecutor, [victim("Rita Rasso")])
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    decision = decision_of(db, event)
    assert decision.meeting_required
    ((request, _),) = requests_of(db, decision)
    assert request.rasso and request.check_required and request.meeting_required
    # A decision not to charge is not one the (UNCONFIRMED) meeting rule lists.
    other = make_case(db, settings, prosecutor=prosecutor, offences=("SOA2003-S1",))
    add_victims(db, settings, other, prosecutor, [victim("Nora Nocharge")])
    no_charge, _ = record(db, settings, prosecutor, other, EventKind.NO_CHARGE_DECISION)
    assert not decision_of(db, no_charge).meeting_required


def test_communications_are_routed_by_the_case_area(db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR, area="wessex")
    case = make_case(db, settings, prosecutor=prosecutor, area="wessex")
    add_victims(db, settings, case, prosecutor, [victim("Wendy Wessex")])
    event, _ = record(db, settings, prosecutor, case, EventKind.NO_CHARGE_DECISION)
    decision = decision_of(db, event)
    assert decision.unit == "wessex"
    assert {r.unit for r, _ in requests_of(db, decision)} == {"wessex"}
