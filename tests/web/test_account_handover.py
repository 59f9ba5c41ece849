"""Deactivating an account hands its open work to a named colleague in the same step (issue 16
point 7): the page lists the account's open cases and work, asks for a reason and a
confirmation, offers only colleagues of the same role, Area and unit, and moves the cases, the
open safeguarding actions and the letters returned for redrafting in one transaction, audited;
the account's open session is refused at once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Deactivation, User
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import Case
from portal.clock import utc_now
from portal.people.models import SafeguardingAction
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as


@pytest.fixture
def team(app, db, settings):
    admin = make_user(db, role=Role.ADMIN, display_name="Ada Admin", area=None, unit=None)
    leaving = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Lee Leaving")
    colleague = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Cara Colleague")
    elsewhere = make_user(
        db, role=Role.WITNESS_CARE_OFFICER, display_name="Ewan Elsewhere", unit="rasso"
    )
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    case = make_case(db, settings, prosecutor=prosecutor, officer=leaving, urn="01AB7654321")
    closed = make_case(db, settings, prosecutor=prosecutor, officer=leaving, urn="01AB7654322")
    closed.status = "closed"
    person, party = add_person(db, settings, case, actor_user=prosecutor)
    action = SafeguardingAction(
        id=uuid.uuid4(),
        case_party_id=party.id,
        key_id=person.key_id,
        owner_id=leaving.id,
        due_on=(utc_now() + timedelta(days=3)).date(),
        status="open",
    )
    make_vault(db, settings).put(action, "description", "Arrange a pre-trial visit")
    db.add(action)
    db.commit()
    return {
        "admin": admin,
        "http": client_as(app, db, admin),
        "leaving": leaving,
        "colleague": colleague,
        "elsewhere": elsewhere,
        "case": case,
        "closed": closed,
        "action": action,
    }


def page_of(team):
    return team["http"].get(f"/admin/users/{team['leaving'].id}/deactivate")


def post(team, **answers: str):
    token = csrf_from(page_of(team).text)
    return team["http"].post(
        f"/admin/users/{team['leaving'].id}/deactivate",
        data={"csrf_token": token, **answers},
        follow_redirects=False,
    )


def test_the_page_lists_the_open_work_and_only_colleagues_who_can_take_it(team) -> None:
    page = page_of(team)
    assert page.status_code == 200
    work = text_of(str(soup(page.text).select_one("#open-work")))
    assert "01AB7654321" in work and "01AB7654322" not in work  # the closed case stays
    assert "1 open safeguarding action" in work
    offered = [i["value"] for i in soup(page.text).select('input[name="handed_to"]')]
    assert offered == [str(team["colleague"].id)]  # not the other unit's officer
    assert soup(page.text).select(".govuk-back-link")


def test_nothing_happens_without_a_reason_a_colleague_and_a_confirmation(db, team) -> None:
    refused = post(team, detail="typed words")
    assert refused.status_code == 400
    shown = text_of(refused.text)
    for message in (
        "Select why the account is being deactivated",
        "Select the colleague who takes over this work",
        "Confirm that the account is to be deactivated",
    ):
        assert message in shown
    assert soup(refused.text).select_one("#detail").text == "typed words"  # typed text kept
    # Another reason needs its explanation; a colleague of another unit is refused.
    other = post(team, reason="other", confirm="yes", handed_to=str(team["elsewhere"].id))
    assert other.status_code == 400
    assert "Explain why the account is being deactivated" in text_of(other.text)
    assert "Select the colleague who takes over this work" in text_of(other.text)
    user = db.get(User, team["leaving"].id)
    case = db.get(Case, team["case"].id)
    assert user.is_active and case.witness_care_officer_id == team["leaving"].id
    db.commit()


def test_deactivating_hands_the_work_over_in_one_step_audited(app, db, team) -> None:
    own = client_as(app, db, team["leaving"])
    assert own.get("/cases").status_code == 200
    done = post(
        team,
        reason="left",
        detail="Moved to another department",
        confirm="yes",
        handed_to=str(team["colleague"].id),
    )
    assert done.status_code == 303
    # The session is refused at once.
    refused = own.get("/cases", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    db.expire_all()
    case = db.get(Case, team["case"].id)
    closed = db.get(Case, team["closed"].id)
    action = db.get(SafeguardingAction, team["action"].id)
    user = db.get(User, team["leaving"].id)
    assert not user.is_active
    assert case.witness_care_officer_id == team["colleague"].id
    assert closed.witness_care_officer_id == team["leaving"].id
    assert action.owner_id == team["colleague"].id
    record = db.scalars(select(Deactivation)).one()
    assert (record.reason, record.detail, record.handed_to_id) == (
        "left",
        "Moved to another department",
        team["colleague"].id,
    )
    assert (record.cases_moved, record.actions_moved, record.letters_moved) == (1, 1, 0)
    assert record.deactivated_by_id == team["admin"].id
    actions = [
        (e.action, e.actor_id, e.object_id)
        for e in db.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action.in_(
                    ("account.deactivated", "case.reassigned", "account.work_handed_over")
                )
            )
            .order_by(AuditEvent.seq)
        )
    ]
    db.commit()
    admin = team["admin"].id
    assert actions == [
        ("account.deactivated", admin, str(team["leaving"].id)),
        ("case.reassigned", admin, str(team["case"].id)),
        ("account.work_handed_over", admin, str(team["leaving"].id)),
    ]


def test_an_account_without_work_needs_no_colleague(db, team) -> None:
    idle = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    page = team["http"].get(f"/admin/users/{idle.id}/deactivate")
    assert "This account holds no open cases or work" in text_of(page.text)
    assert soup(page.text).select('input[name="handed_to"]') == []
    done = team["http"].post(
        f"/admin/users/{idle.id}/deactivate",
        data={"csrf_token": csrf_from(page.text), "reason": "absence", "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    record = db.scalars(select(Deactivation)).one()
    assert record.handed_to_id is None
    db.commit()


def test_nobody_else_may_deactivate_and_no_administrator_themselves(app, db, team) -> None:
    colleague = client_as(app, db, team["colleague"])
    assert page_of({**team, "http": colleague}).status_code == 403
    own = team["http"].get(f"/admin/users/{team['admin'].id}/deactivate")
    assert own.status_code == 403
