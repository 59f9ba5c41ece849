"""Met late needs a good reason, and "not met" reasons come from the rules data (issue 15.6;
VPA 2024 s5: comply with the Code unless there is a good reason)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.errors import ValidationFailed
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, record_event
from portal.victims_code import lifecycle
from portal.victims_code.lifecycle import Status, status
from portal.victims_code.models import Obligation
from portal.victims_code.rules import rules_in_force
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.support.web import csrf_from, soup
from tests.web.test_case_pages import client_as


@pytest.fixture
def hearing(db, settings):
    """A hearing listed 20 days ago: the WCU's 1-working-day duty is long overdue."""
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(
        db, settings, prosecutor=prosecutor, offences=("FA2006-S2",), offence_date=date(2025, 6, 1)
    )
    add_person(
        db,
        settings,
        case,
        name="Rea Son",
        actor_user=prosecutor,
        phone="07700 900777",
        safe_channels=("phone",),
    )
    vault = make_vault(db, settings)
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    listed = date.today() - timedelta(days=20)
    record_event(db, vault, actor, case, NewEvent(kind=EventKind.HEARING_LISTED, event_date=listed))
    obligation = db.scalars(
        select(Obligation).where(Obligation.entitlement == "R8-WCU-HEARING")
    ).one()
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    wco = Actor(officer.id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    return {"obligation": obligation, "vault": vault, "wco": wco, "officer": officer}


def _met(db, h, **kw):
    o = h["obligation"]
    lifecycle.mark_met(
        db,
        h["vault"],
        h["wco"],
        o,
        met_on=date.today(),
        channel="phone",
        evidence="",
        expected_version=o.version,
        **kw,
    )


def test_the_reasons_are_rules_data() -> None:
    rules = rules_in_force(date.today())
    late = {r.code for r in rules.reasons_for("late")}
    not_met = {r.code for r in rules.reasons_for("not_met")}
    assert "information_late" in late and "information_late" not in not_met
    assert {"no_safe_channel", "other"} <= late & not_met
    assert [r.needs_detail for r in rules.good_reasons if r.code == "other"] == [True]


def test_met_late_needs_a_reason(db, settings, hearing) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _met(db, hearing)
    assert refused.value.errors == {"late_reason": "Select why it was met late"}
    with pytest.raises(ValidationFailed) as refused:
        _met(db, hearing, late_reason="not-a-reason")
    assert "late_reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        _met(db, hearing, late_reason="other")
    assert refused.value.errors == {"late_detail": "Enter the details of the reason"}
    assert hearing["obligation"].state == "open"
    _met(db, hearing, late_reason="information_late", late_detail="Court email came on Friday")
    o = hearing["obligation"]
    assert (o.state, o.reason_code) == ("met", "information_late")
    assert hearing["vault"].open_text(o, "reason") == "Court email came on Friday"
    assert status(o, date.today()) is Status.MET_LATE


def test_met_on_time_needs_no_reason_and_keeps_none(db, settings, hearing) -> None:
    o = hearing["obligation"]
    o.due_on = date.today()  # due today: telling them today is on time
    db.flush()
    _met(db, hearing, late_reason="information_late", late_detail="typed by mistake")
    assert (o.state, o.reason_code) == ("met", None)
    assert hearing["vault"].open_text(o, "reason") is None


def test_not_met_needs_a_good_reason_from_the_rules(db, settings, hearing) -> None:
    o = hearing["obligation"]

    def close(**kw):
        lifecycle.close_without_meeting(
            db,
            hearing["vault"],
            hearing["wco"],
            o,
            state="not_met_good_reason",
            expected_version=o.version,
            **kw,
        )

    with pytest.raises(ValidationFailed) as refused:
        close(reason="No one picked up")
    assert refused.value.errors == {"reason_code": "Select the good reason"}
    with pytest.raises(ValidationFailed):
        close(reason="", reason_code="information_late")  # a reason for late, not for not met
    close(reason="", reason_code="could_not_reach")
    assert (o.state, o.reason_code) == ("not_met_good_reason", "could_not_reach")
    lifecycle.reopen(db, hearing["wco"], o, expected_version=o.version)
    assert o.reason_code is None
    # "Not applicable" still needs the reason written.
    with pytest.raises(ValidationFailed, match="reason"):
        lifecycle.close_without_meeting(
            db,
            hearing["vault"],
            hearing["wco"],
            o,
            state="not_applicable",
            reason=" ",
            expected_version=o.version,
        )


def test_the_obligation_page_asks_why_it_was_late(app, db, settings, hearing) -> None:
    o = hearing["obligation"]
    db.commit()
    client = client_as(app, db, hearing["officer"])
    page = client.get(f"/obligations/{o.id}")
    options = [i["value"] for i in soup(page.text).select("input[name=late_reason]")]
    assert options == [r.code for r in rules_in_force(date.today()).reasons_for("late")]
    today = date.today()
    response = client.post(
        f"/obligations/{o.id}/met",
        data={
            "csrf_token": csrf_from(page.text),
            "version": o.version,
            "met_on-day": str(today.day),
            "met_on-month": str(today.month),
            "met_on-year": str(today.year),
            "channel": "phone",
        },
    )
    assert response.status_code == 400
    summary = [a.get_text() for a in soup(response.text).select(".govuk-error-summary a")]
    assert summary == ["Select why it was met late"]
    # My work sends an overdue item to this page rather than marking it met today.
    work = soup(client.get("/home").text)
    assert not work.select(f"#channel-{o.id}")
    assert "Record it as met late, with the reason" in work.select_one(f"#obligation-{o.id}").text
