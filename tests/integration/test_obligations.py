"""Obligations from case events: who is owed what, by when, exactly once (issue 5)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, correct_event, record_event
from portal.victims_code import lifecycle
from portal.victims_code.lifecycle import Status, status
from portal.victims_code.models import Obligation
from tests.support.factories import add_person, make_case, make_user, make_vault


@pytest.fixture
def fraud_case(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        offences=("FA2006-S2",),
        offence_date=date(2025, 6, 1),
    )
    standard, _ = add_person(
        db,
        settings,
        case,
        name="Sam Standard",
        actor_user=prosecutor,
        address="1 Safe Street",
        safe_channels=("letter",),
    )
    enhanced, party = add_person(db, settings, case, name="Edna Enhanced", actor_user=prosecutor)
    party.vulnerable = True  # recorded by an officer (e.g. a disability)
    witness, _ = add_person(
        db,
        settings,
        case,
        name="Will Witness",
        actor_user=prosecutor,
        is_victim=False,
        is_witness=True,
    )
    db.flush()
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    return {
        "case": case,
        "actor": actor,
        "standard": standard,
        "enhanced": enhanced,
        "witness": witness,
        "prosecutor": prosecutor,
    }


def obligations_for(db, person_id, code):
    return db.scalars(
        select(Obligation)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .where(CaseParty.person_id == person_id, Obligation.entitlement == code)
    ).all()


def test_discontinuance_gives_each_victim_a_letter_deadline(db, settings, fraud_case) -> None:
    vault = make_vault(db, settings)
    record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(
            kind=EventKind.DISCONTINUANCE, event_date=date(2025, 12, 24), ends_all_proceedings=True
        ),
    )
    standard = obligations_for(db, fraud_case["standard"].id, "R6-CPS-DISCONTINUANCE")
    enhanced = obligations_for(db, fraud_case["enhanced"].id, "R6-CPS-DISCONTINUANCE")
    assert len(standard) == len(enhanced) == 1
    # Wed 24 Dec 2025: 25 and 26 Dec are bank holidays, 27-28 the weekend, 1 Jan a holiday.
    assert enhanced[0].due_on == date(2025, 12, 29)
    assert enhanced[0].enhanced is True
    assert standard[0].due_on == date(2026, 1, 5)  # 5 working days: 29, 30, 31 Dec, 2, 5 Jan
    assert standard[0].enhanced is False
    assert standard[0].responsible_body == "vlu"
    # A witness who is not a victim is owed no decision letter.
    assert obligations_for(db, fraud_case["witness"].id, "R6-CPS-DISCONTINUANCE") == []


def test_the_same_event_twice_creates_nothing_twice(db, settings, fraud_case) -> None:
    vault = make_vault(db, settings)
    command = NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2))
    _, created = record_event(db, vault, fraud_case["actor"], fraud_case["case"], command)
    _, again = record_event(db, vault, fraud_case["actor"], fraud_case["case"], command)
    assert created is True
    assert again is False
    assert len(db.scalars(select(Obligation)).all()) == 2


def test_moving_an_event_recomputes_open_obligations_only(db, settings, fraud_case) -> None:
    vault = make_vault(db, settings)
    event, _ = record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2)),
    )
    enhanced = obligations_for(db, fraud_case["enhanced"].id, "R6-CPS-DISCONTINUANCE")[0]
    standard = obligations_for(db, fraud_case["standard"].id, "R6-CPS-DISCONTINUANCE")[0]
    vlu = make_user(db, role=Role.VLU_OFFICER)
    vlu_actor = Actor(vlu.id, Role.VLU_OFFICER, "london-north", None)
    lifecycle.met_by_letter(
        db, vault, vlu_actor, standard, sent_on=date(2026, 11, 3), channel="letter", evidence=""
    )
    correct_event(
        db,
        fraud_case["actor"],
        event,
        expected_version=event.version,
        event_date=date(2026, 11, 5),
        received_on=None,
    )
    assert enhanced.due_on == date(2026, 11, 6)  # recomputed
    assert standard.due_on == date(2026, 11, 9)  # closed obligations keep their history
    assert standard.trigger_on == date(2026, 11, 2)


def test_enhanced_status_is_taken_as_it_was_at_the_trigger(db, settings, fraud_case) -> None:
    vault = make_vault(db, settings)
    record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2)),
    )
    standard = obligations_for(db, fraud_case["standard"].id, "R6-CPS-DISCONTINUANCE")[0]
    party = db.get(CaseParty, standard.case_party_id)
    party.intimidated = True  # later re-assessment
    db.flush()
    assert standard.enhanced is False  # unchanged for the obligation already owed


def test_child_at_the_offence_is_enhanced(db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(
        db, settings, prosecutor=prosecutor, offences=("FA2006-S2",), offence_date=date(2025, 3, 1)
    )
    child, _ = add_person(
        db, settings, case, name="Chloe Child", actor_user=prosecutor, born=date(2008, 6, 1)
    )  # 16 at the offence, 18 by the decision
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    record_event(
        db,
        make_vault(db, settings),
        actor,
        case,
        NewEvent(kind=EventKind.NO_CHARGE_DECISION, event_date=date(2026, 11, 2)),
    )
    owed = obligations_for(db, child.id, "R6-CPS-NO-CHARGE")
    assert [o.enhanced for o in owed] == [True]


def test_not_guilty_plea_owes_the_witness_care_unit_a_needs_assessment(
    db, settings, fraud_case
) -> None:
    from portal.cases.repository import defendants_of

    vault = make_vault(db, settings)
    defendant = defendants_of(db, fraud_case["case"])[0]
    record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(
            kind=EventKind.PLEA,
            event_date=date(2026, 11, 2),
            outcome="not_guilty",
            defendant_id=defendant.id,
        ),
    )
    codes = {o.entitlement for o in db.scalars(select(Obligation))}
    assert "R4-WCU-NEEDS-ASSESSMENT" in codes
    bodies = {o.responsible_body for o in db.scalars(select(Obligation))}
    assert bodies == {"witness_care_unit"}
    # The witness is owed it too (witness_also)
    assert obligations_for(db, fraud_case["witness"].id, "R4-WCU-NEEDS-ASSESSMENT")


def test_guilty_plea_owes_nothing_for_a_trial(db, settings, fraud_case) -> None:
    from portal.cases.repository import defendants_of

    defendant = defendants_of(db, fraud_case["case"])[0]
    record_event(
        db,
        make_vault(db, settings),
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(
            kind=EventKind.PLEA,
            event_date=date(2026, 11, 2),
            outcome="guilty",
            defendant_id=defendant.id,
        ),
    )
    assert db.scalars(select(Obligation)).all() == []


def test_lifecycle_statuses_are_derived(db, settings, fraud_case) -> None:
    vault = make_vault(db, settings)
    record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2)),
    )
    o = obligations_for(db, fraud_case["standard"].id, "R6-CPS-DISCONTINUANCE")[0]
    assert o.due_on == date(2026, 11, 9)
    assert status(o, date(2026, 11, 8)) is Status.DUE
    assert status(o, date(2026, 11, 9)) is Status.DUE_TODAY
    assert status(o, date(2026, 11, 10)) is Status.OVERDUE
    vlu = make_user(db, role=Role.VLU_OFFICER)
    actor = Actor(vlu.id, Role.VLU_OFFICER, "london-north", None)
    lifecycle.met_by_letter(
        db, vault, actor, o, sent_on=date(2026, 11, 10), channel="letter", evidence="Letter ref 7"
    )
    assert status(o, date(2026, 11, 20)) is Status.MET_LATE
    assert vault.open_text(o, "evidence") == "Letter ref 7"


def test_only_the_owing_team_can_change_an_obligation(db, settings, fraud_case) -> None:
    from portal.cases.errors import NotPermitted

    vault = make_vault(db, settings)
    record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2)),
    )
    o = obligations_for(db, fraud_case["standard"].id, "R6-CPS-DISCONTINUANCE")[0]
    with pytest.raises(NotPermitted):
        lifecycle.mark_met(
            db,
            vault,
            fraud_case["actor"],
            o,
            met_on=date(2026, 11, 3),
            channel="letter",
            evidence="",
            expected_version=o.version,
        )


def test_a_victim_cannot_opt_out_where_the_code_does_not_allow_it(db, settings, fraud_case) -> None:
    from portal.cases.errors import ValidationFailed

    vault = make_vault(db, settings)
    record_event(
        db,
        vault,
        fraud_case["actor"],
        fraud_case["case"],
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2)),
    )
    o = obligations_for(db, fraud_case["standard"].id, "R6-CPS-DISCONTINUANCE")[0]
    vlu = make_user(db, role=Role.VLU_OFFICER)
    actor = Actor(vlu.id, Role.VLU_OFFICER, "london-north", None)
    with pytest.raises(ValidationFailed, match="state"):
        lifecycle.close_without_meeting(
            db, vault, actor, o, state="declined", reason="no", expected_version=o.version
        )
    lifecycle.close_without_meeting(
        db,
        vault,
        actor,
        o,
        state="not_met_good_reason",
        reason="Victim abroad, no safe channel",
        expected_version=o.version,
        reason_code="no_safe_channel",
    )
    assert status(o, date(2026, 12, 1)) is Status.NOT_MET_GOOD_REASON
    lifecycle.reopen(db, actor, o, expected_version=o.version)
    assert o.state == "open"
