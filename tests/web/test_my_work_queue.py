"""My work as a work queue: filters (my cases, case, right, due window) in a bookmarkable GET
form, sorting, why each row is due, safeguarding actions due, what waits for the user, and the
counters after a quick action."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.home import work as home_work
from portal.victims_code.models import Obligation
from portal.vlu.models import VluRequest
from tests.support.factories import make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_my_work import listed_case, mark_met_today, recent_weekday
from tests.web.test_vlu_pages import world  # noqa: F401  (fixture)
from tests.web.test_vlu_reasons import _decide


def _listed(app, db, settings, prosecutor, *, name: str, urn: str, officer=None):
    """Right 8 owed by the WCU to one victim, whose safe channel is the phone."""
    phone = {"safe_channels": ("phone",), "phone": "07700 900123"}
    return listed_case(app, db, settings, prosecutor, officer=officer, urn=urn, name=name, **phone)


@pytest.fixture
def queue(app, db, settings):
    """A witness care officer's team owes two victims: Alice in the officer's own case (Right 8,
    due soon) and Bob in a colleague's case of the unit (made Right 9 and overdue)."""
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    mine, alice, alice_due = _listed(
        app, db, settings, prosecutor, name="Alice Able", urn="01AA0000001", officer=officer
    )
    other, bob, bob_due = _listed(
        app, db, settings, prosecutor, name="Bob Baker", urn="01ZZ0000002"
    )
    row = db.get(Obligation, bob_due.id)
    row.entitlement, row.right = "R9-WCU-VERDICT", 9
    row.due_on = recent_weekday(7)
    db.commit()
    return {
        "client": client_as(app, db, officer),
        "officer": officer,
        "prosecutor": prosecutor,
        "mine": mine,
        "other": other,
        "alice": (alice, alice_due),
        "bob": (bob, bob_due),
    }


def _rows(client, query: str = "") -> list[str]:
    page = soup(client.get(f"/work{query}").text)
    return [" ".join(r.get_text(" ").split()) for r in page.select("#work-list tbody tr")]


def _names(rows: list[str]) -> list[str]:
    return [n for row in rows for n in ("Alice Able", "Bob Baker") if n in row]


def test_each_filter_narrows_the_list(queue) -> None:
    client = queue["client"]
    assert _names(_rows(client)) == ["Bob Baker", "Alice Able"]  # overdue first
    assert _names(_rows(client, "?mine=yes")) == ["Alice Able"]
    assert _names(_rows(client, f"?case={queue['other'].id}")) == ["Bob Baker"]
    assert _names(_rows(client, "?right=8")) == ["Alice Able"]
    assert _names(_rows(client, "?right=9")) == ["Bob Baker"]
    assert _names(_rows(client, "?show=overdue")) == ["Bob Baker"]
    assert _names(_rows(client, "?show=due_soon")) == ["Alice Able"]
    assert _names(_rows(client, "?mine=yes&show=overdue")) == []
    assert "Nothing overdue in the cases and rights chosen" in text_of(
        client.get("/work?mine=yes&show=overdue").text
    )


def test_unknown_filter_values_show_everything(queue) -> None:
    client = queue["client"]
    response = client.get("/work?right=13&case=not-an-id&show=someday&sort=evil&mine=maybe")
    assert response.status_code == 200
    assert _names(_rows(client, "?right=13&case=not-an-id&show=x&sort=evil")) == [
        "Bob Baker",
        "Alice Able",
    ]


def test_the_counters_follow_the_filters_but_not_the_due_window(queue) -> None:
    client = queue["client"]

    def counters(query: str) -> str:
        return text_of(soup(client.get(f"/work{query}").text).select_one("#work-counters").decode())

    assert counters("").startswith("1 Overdue 0 Due today 1 Due in the next 5 working days")
    assert counters("?mine=yes").startswith("0 Overdue 0 Due today 1 Due in the next 5")
    # The due window is what the counters choose: choosing one keeps them all.
    assert counters("?show=overdue").startswith("1 Overdue 0 Due today 1 Due in the next 5")


def test_sorting(queue) -> None:
    client = queue["client"]
    assert _names(_rows(client, "?sort=case")) == ["Alice Able", "Bob Baker"]  # 01AA before 01ZZ
    assert _names(_rows(client, "?sort=right")) == ["Alice Able", "Bob Baker"]  # 8 before 9
    assert _names(_rows(client, "?sort=due")) == ["Bob Baker", "Alice Able"]
    page = soup(client.get("/work?sort=right").text)
    assert page.select_one("#sort option[selected]")["value"] == "right"
    assert "Right number, then due date" in page.select_one("#work-list caption").get_text()


def test_the_filters_are_a_get_form_and_links_carry_no_personal_data(queue) -> None:
    client = queue["client"]
    case_id = queue["other"].id
    page = soup(client.get(f"/work?mine=yes&right=8&case={case_id}&sort=case").text)
    form = page.select_one("form#work-filters")
    assert form["method"] == "get" and form["action"] == "/work"
    assert page.select_one("#mine").has_attr("checked")
    assert page.select_one("#right option[selected]")["value"] == "8"
    assert page.select_one("#case option[selected]")["value"] == str(case_id)
    overdue = page.select_one("#work-counters a")["href"]
    assert parse_qs(urlsplit(overdue).query) == {
        "mine": ["yes"],
        "case": [str(case_id)],
        "right": ["8"],
        "show": ["overdue"],
        "sort": ["case"],
    }
    for link in page.select("a[href^='/work']"):
        for word in ("Alice", "Bob", "Able", "Baker"):
            assert word not in link["href"]
    # The case filter offers the cases by URN, never by a person's name.
    assert [o.get_text() for o in page.select("#case option")] == [
        "All cases",
        "01AA0000001",
        "01ZZ0000002",
    ]


def test_each_row_says_what_triggered_it_and_when(app, db, queue) -> None:
    client = queue["client"]
    listed = recent_weekday(0)
    rows = _rows(client, "?right=8")
    assert f"Right 8. Due because: Hearing listed on {listed.strftime('%-d %b %Y')}" in rows[0]
    assert "identified late" not in rows[0]
    _, alice_due = queue["alice"]
    row = db.get(Obligation, alice_due.id)
    row.identified_on = listed
    db.commit()
    late = _rows(client, "?right=8")[0]
    assert f"identified late on {listed.strftime('%-d %b %Y')}" in late
    assert "so due from then" in late


def test_pages_keep_the_filters(monkeypatch, queue) -> None:
    monkeypatch.setattr(home_work, "PER_PAGE", 1)
    client = queue["client"]
    first = soup(client.get("/work?sort=case").text)
    assert len(first.select("#work-list tbody tr")) == 1
    next_link = first.select_one(".govuk-pagination__next a")["href"]
    assert parse_qs(urlsplit(next_link).query) == {"sort": ["case"], "page": ["2"]}
    assert _names(_rows(client, "?sort=case&page=2")) == ["Bob Baker"]


def test_safeguarding_actions_due_are_listed(db, queue) -> None:
    client = queue["client"]
    alice, _ = queue["alice"]
    url = f"/cases/{queue['mine'].id}/people/{alice.id}"
    token = csrf_from(client.get(url).text)
    today = date.today()
    for text, due in (
        ("Call about the pre-trial visit", today),
        ("Review in a year", today + timedelta(days=365)),
    ):
        added = client.post(
            f"{url}/actions",
            data={
                "csrf_token": token,
                "action-description": text,
                "action-owner": str(queue["officer"].id),
                "action-due_on-day": str(due.day),
                "action-due_on-month": str(due.month),
                "action-due_on-year": str(due.year),
            },
        )
        assert added.status_code in (200, 303), text_of(added.text)
    page = soup(client.get("/work").text)
    section = text_of(page.select_one("#work-actions").decode())
    assert "Call about the pre-trial visit" in section and "Alice Able" in section
    assert "Review in a year" not in section  # not due in the next 5 working days
    assert "1 Safeguarding action due" in text_of(page.select_one("#work-counters").decode())
    # Someone else's actions are not theirs to do.
    other = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    elsewhere = soup(client_as_app(client, db, other).get("/work").text)
    assert "Call about the pre-trial visit" not in elsewhere.decode()


def client_as_app(client, db, user):
    return client_as(client.app, db, user)


def test_a_quick_action_swaps_the_row_and_refreshes_the_counters(db, queue) -> None:
    client = queue["client"]
    _, alice_due = queue["alice"]
    page = client.get("/work?mine=yes")
    token = csrf_from(page.text)
    done = mark_met_today(client, alice_due, "phone", token=token, htmx=True)
    assert done.status_code == 200 and "<html" not in done.text
    row = soup(done.text)
    refresh = row.select_one("[hx-get]")
    assert refresh["hx-get"] == "/work?part=counters"
    assert refresh["hx-include"] == "#work-filters" and refresh["hx-target"] == "#work-counters"
    assert refresh["hx-trigger"] == "load"

    counters = client.get("/work?part=counters&mine=yes", headers={"HX-Request": "true"})
    assert counters.status_code == 200 and "<html" not in counters.text
    fragment = soup(counters.text)
    assert fragment.select_one("#work-counters") is not None
    assert not fragment.select("#work-list")
    assert text_of(counters.text).startswith("0 Overdue 0 Due today 0 Due in the next 5")
    # Without JavaScript the same address is the whole page.
    whole = client.get("/work?part=counters&mine=yes")
    assert "<html" in whole.text and "Nothing is owed in the cases and rights chosen" in text_of(
        whole.text
    )


def test_a_quick_action_without_javascript_returns_to_the_queue(db, queue) -> None:
    client = queue["client"]
    _, alice_due = queue["alice"]
    token = csrf_from(client.get("/work?mine=yes").text)
    done = mark_met_today(client, alice_due, "phone", token=token)  # redirects followed
    assert done.status_code == 200 and done.url.path == "/work"
    assert "Marked as met" in text_of(done.text)


def test_letter_checks_wait_for_another_officer_than_the_drafter(app, db, world) -> None:  # noqa: F811
    _decide(app, db, world)
    drafter, checker = world["drafter"], world["checker"]
    for request in db.scalars(select(VluRequest)):
        request.state, request.drafted_by_id = "drafted", drafter.id
    db.commit()
    theirs = soup(client_as(app, db, checker).get("/work").text)
    section = text_of(theirs.select_one("#work-waiting").decode())
    assert "2 letters drafted by another officer waiting for your check" in section
    assert "2 Waiting for you" in text_of(theirs.select_one("#work-counters").decode())
    links = [a["href"] for a in theirs.select("#work-waiting a")]
    assert all(link.startswith(f"/vlu/cases/{world['case'].id}/requests/") for link in links)
    own = soup(client_as(app, db, drafter).get("/work").text)
    assert "0 letters drafted by another officer" in text_of(
        own.select_one("#work-waiting").decode()
    )
    # Witness care officers do not check letters: no such section.
    wco = soup(client_as(app, db, world["wco"]).get("/work").text)
    assert "Letters to check" not in text_of(wco.decode())
    assert "Nothing is waiting for you" in text_of(wco.select_one("#work-waiting").decode())


def test_reasons_awaited_are_counted_for_the_prosecutor(app, db, world) -> None:  # noqa: F811
    pros, case, _, path = _decide(app, db, world)
    page = soup(pros.get("/work").text)
    assert "2 Waiting for you" in text_of(page.select_one("#work-counters").decode())
    section = page.select_one("#work-waiting")
    assert "2 letters waiting for your reasons" in text_of(section.decode())
    assert f"Case {case.urn}: 2 letters" in text_of(section.decode())
    assert section.select_one(f"a[href='{path}#give-reasons']") is not None
