"""Case events that make sense (issue 15 point 4): the event form asks each kind only its own
fields, the server keeps the rules (a verdict's outcome and defendant, no sentence without a
conviction or after all proceedings ended, no future dates), a decision ending all proceedings
closes the case, and a hearing records when, where and what, shown on the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import Case, CaseEvent, Defendant
from portal.clock import LONDON, utc_now
from tests.support.factories import make_case, make_session_token, make_user
from tests.support.web import csrf_from, soup, text_of


def london_today() -> date:
    return utc_now().astimezone(LONDON).date()


@pytest.fixture
def prosecutor(db) -> Any:
    return make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")


class Client:
    """A signed-in test client that first ends the test session's transaction (SQLite: a read
    left open would hold off the page's writes)."""

    def __init__(self, client: TestClient, db) -> None:
        self.client = client
        self.db = db

    def get(self, url: str, **kw: Any) -> Any:
        self.db.commit()
        return self.client.get(url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        self.db.commit()
        return self.client.post(url, **kw)


@pytest.fixture
def client(app: Starlette, db, prosecutor) -> Client:
    token = make_session_token(db, prosecutor)
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return Client(client, db)


def a_case(db, settings, prosecutor, *defendants: str, urn: str = "01AB1234526") -> Case:
    case = make_case(
        db, settings, prosecutor=prosecutor, urn=urn, defendants=defendants or ("Dan Defendant",)
    )
    db.commit()
    return case


def dated(name: str, on: date) -> dict[str, str]:
    return {
        f"{name}-day": str(on.day),
        f"{name}-month": str(on.month),
        f"{name}-year": str(on.year),
    }


def record(client: Client, case: Case, kind: str, on: date, **fields: str) -> Any:
    page = client.get(f"/cases/{case.id}/events/new")
    data = {"csrf_token": csrf_from(page.text), "kind": kind, **dated("event_date", on), **fields}
    return client.post(f"/cases/{case.id}/events/new", data=data, follow_redirects=False)


def summary(response: Any) -> dict[str, str]:
    """The error summary's messages by the id each links to."""
    links = soup(response.text).select(".govuk-error-summary a")
    return {a["href"].removeprefix("#"): a.get_text(strip=True) for a in links}


def defendant_ids(db, case: Case) -> list[str]:
    found = db.scalars(
        select(Defendant).where(Defendant.case_id == case.id).order_by(Defendant.label)
    )
    return [str(d.id) for d in found]


def events(db, case: Case) -> list[CaseEvent]:
    db.expire_all()
    return list(db.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))


# --- the form -------------------------------------------------------------------------------


def test_the_kind_comes_first_as_radios_each_revealing_only_its_fields(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor, "Ann Accused", "Ben Blamed")
    page = soup(client.get(f"/cases/{case.id}/events/new").text)
    form = page.select_one("form[action$='/events/new']")
    first = form.select_one(".govuk-form-group")
    assert first.select_one("legend").get_text(strip=True) == "What happened"
    assert first.select_one("input[name=kind]")["type"] == "radio"
    verdict = form.select_one("#conditional-kind-verdict")
    # Its own fields only, named for the kind (so each kind's inputs are distinct without JS).
    names = {i["name"] for i in verdict.select("input, select")}
    assert names == {"verdict-defendant_id", "verdict-outcome"}
    assert [o.get_text() for o in verdict.select("#verdict-defendant_id option")][1:] == [
        "Defendant 1",
        "Defendant 2",
    ]
    # The reveal is wired the GOV.UK way, hidden until chosen (shown when JavaScript is off).
    radio = form.select_one("input[name=kind][value=verdict]")
    assert radio["aria-controls"] == "conditional-kind-verdict"
    assert "govuk-radios__conditional--hidden" in verdict["class"]
    assert not radio.has_attr("aria-expanded")
    hearing = form.select_one("#conditional-kind-hearing_listed")
    assert {i["name"] for i in hearing.select("input, select")} == {
        "hearing_listed-hearing_date-day",
        "hearing_listed-hearing_date-month",
        "hearing_listed-hearing_date-year",
        "hearing_listed-hearing_time",
        "hearing_listed-hearing_court",
        "hearing_listed-hearing_type",
    }
    assert hearing.select_one("#hearing_listed-hearing_court")["value"] == case.court_name
    trial = form.select_one("#conditional-kind-trial_listing")
    assert trial.select_one("#trial_listing-hearing_type option[selected]")["value"] == "trial"
    assert {i["name"] for i in form.select("#conditional-kind-discontinuance input")} == {
        "discontinuance-ends_all_proceedings"
    }
    # A kind that needs nothing more reveals nothing.
    assert form.select_one("#conditional-kind-appeal") is None


def test_only_the_chosen_kinds_fields_are_read(client, db, settings, prosecutor) -> None:
    case = a_case(db, settings, prosecutor)
    response = record(
        client,
        case,
        "plea",
        london_today() - timedelta(days=1),
        **{
            "plea-outcome": "guilty",
            "verdict-outcome": "not_guilty",
            "sentence-custody_months": "eighteen",
            "hearing_listed-hearing_time": "25:99",
            "discontinuance-ends_all_proceedings": "yes",
        },
    )
    assert response.status_code == 303, summary(response)
    (plea,) = events(db, case)
    assert (plea.kind, plea.outcome, plea.custody_months) == ("plea", "guilty", None)
    assert plea.hearing_at is None and not plea.ends_all_proceedings
    assert db.get(Case, case.id).status == "open"


# --- verdicts -------------------------------------------------------------------------------


def test_a_verdict_without_an_outcome_is_refused_with_the_typed_data_kept(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor)
    on = london_today() - timedelta(days=3)
    response = record(client, case, "verdict", on, notes="Jury out for two days")
    assert response.status_code == 400
    assert summary(response) == {"verdict-outcome": "Select the verdict"}
    page = soup(response.text)
    assert page.select_one("#verdict-outcome-error") is not None
    assert page.select_one("input[name=kind][value=verdict]").has_attr("checked")
    # The chosen kind's fields are shown, and what was typed is kept.
    assert (
        "govuk-radios__conditional--hidden"
        not in page.select_one("#conditional-kind-verdict")["class"]
    )
    assert page.select_one("#event_date")["value"] == str(on.day)
    assert page.select_one("#notes").get_text() == "Jury out for two days"
    assert events(db, case) == []


def test_the_forms_problems_and_the_events_are_listed_at_once(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor, "Ann Accused", "Ben Blamed")
    response = record(
        client,
        case,
        "verdict",
        london_today(),
        **{"received_on-day": "31", "received_on-month": "2", "received_on-year": "2026"},
    )
    assert response.status_code == 400
    assert list(summary(response)) == ["verdict-defendant_id", "verdict-outcome", "received_on"]
    assert events(db, case) == []


def test_a_verdict_concerns_one_defendant_when_the_case_has_several(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor, "Ann Accused", "Ben Blamed")
    on = london_today() - timedelta(days=2)
    refused = record(client, case, "verdict", on, **{"verdict-outcome": "guilty"})
    assert refused.status_code == 400
    assert summary(refused) == {"verdict-defendant_id": "Select the defendant"}
    second = defendant_ids(db, case)[1]
    recorded = record(
        client,
        case,
        "verdict",
        on,
        **{"verdict-outcome": "guilty", "verdict-defendant_id": second},
    )
    assert recorded.status_code == 303
    (verdict,) = events(db, case)
    assert str(verdict.defendant_id) == second
    timeline = soup(client.get(f"/cases/{case.id}").text).select_one("#timeline")
    assert "Verdict: Guilty" in text_of(str(timeline))
    assert "Defendant 2: Ben Blamed" in text_of(str(timeline))


def test_a_verdict_in_a_case_with_one_defendant_is_theirs(client, db, settings, prosecutor) -> None:
    case = a_case(db, settings, prosecutor)
    response = record(client, case, "verdict", london_today(), **{"verdict-outcome": "hung"})
    assert response.status_code == 303
    (verdict,) = events(db, case)
    assert verdict.outcome == "hung"
    assert [str(verdict.defendant_id)] == defendant_ids(db, case)


# --- sentences ------------------------------------------------------------------------------


def test_a_sentence_needs_a_guilty_plea_or_verdict_of_that_defendant(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor, "Ann Accused", "Ben Blamed")
    first, second = defendant_ids(db, case)
    today = london_today()
    plea = {"plea-outcome": "guilty", "plea-defendant_id": first}
    assert record(client, case, "plea", today - timedelta(days=10), **plea).status_code == 303
    not_guilty = {"plea-outcome": "not_guilty", "plea-defendant_id": second}
    assert record(client, case, "plea", today - timedelta(days=10), **not_guilty).status_code == 303

    refused = record(client, case, "sentence", today, **{"sentence-defendant_id": second})
    assert refused.status_code == 400
    assert summary(refused) == {
        "sentence-defendant_id": "Defendant 2 has no guilty plea or verdict on or before this "
        "date: record the plea or verdict before the sentence"
    }
    # Not before the conviction either.
    early = record(
        client, case, "sentence", today - timedelta(days=11), **{"sentence-defendant_id": first}
    )
    assert early.status_code == 400
    assert "sentence-defendant_id" in summary(early)

    sentenced = record(
        client,
        case,
        "sentence",
        today,
        **{"sentence-defendant_id": first, "sentence-custody_months": "18"},
    )
    assert sentenced.status_code == 303
    sentence = next(e for e in events(db, case) if e.kind == "sentence")
    assert (str(sentence.defendant_id), sentence.custody_months) == (first, 18)


def test_a_sentence_for_the_only_defendant_is_refused_against_the_kind(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor)
    refused = record(client, case, "sentence", london_today())
    assert refused.status_code == 400
    assert summary(refused) == {
        "kind": "Defendant 1 has no guilty plea or verdict on or before this date: record the "
        "plea or verdict before the sentence"
    }


def test_no_sentence_after_all_proceedings_ended(client, db, settings, prosecutor) -> None:
    case = a_case(db, settings, prosecutor)
    today = london_today()
    assert record(client, case, "plea", today - timedelta(days=9), **{"plea-outcome": "guilty"})
    ended = today - timedelta(days=5)
    discontinued = record(
        client, case, "discontinuance", ended, **{"discontinuance-ends_all_proceedings": "yes"}
    )
    assert discontinued.status_code == 303
    refused = record(client, case, "sentence", today)
    assert refused.status_code == 400
    assert summary(refused) == {
        "kind": f"All proceedings in this case ended on {ended.day} {ended:%B %Y}: a sentence "
        "cannot be recorded after that"
    }
    assert [e.kind for e in events(db, case)].count("sentence") == 0


# --- the case's status ----------------------------------------------------------------------


def test_a_decision_ending_all_proceedings_closes_the_case(
    client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor)
    other = a_case(db, settings, prosecutor, urn="01AB7654326")
    on = london_today() - timedelta(days=1)
    unanswered = record(client, case, "discontinuance", on)
    assert summary(unanswered) == {
        "discontinuance-ends_all_proceedings": "Select yes if this decision ends all "
        "proceedings in the case"
    }
    # Discontinued against one charge only: the case stays open.
    kept = record(
        client, other, "discontinuance", on, **{"discontinuance-ends_all_proceedings": "no"}
    )
    assert kept.status_code == 303
    assert db.get(Case, other.id).status == "open"

    closed = record(
        client, case, "offer_no_evidence", on, **{"offer_no_evidence-ends_all_proceedings": "yes"}
    )
    assert closed.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"
    audit = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.close", AuditEvent.case_id == case.id)
    ).one()
    assert audit.category == "alteration"
    overview = soup(client.get(f"/cases/{case.id}").text).select_one("#overview")
    assert "Status Closed" in text_of(str(overview))
    listing = soup(client.get("/cases").text)
    row = next(r for r in listing.select("tr") if case.urn in r.get_text())
    assert "Closed" in row.get_text()
    other_row = next(r for r in listing.select("tr") if other.urn in r.get_text())
    assert "Open" in other_row.get_text()


# --- dates ----------------------------------------------------------------------------------


def test_event_dates_are_not_in_the_future(client, db, settings, prosecutor) -> None:
    case = a_case(db, settings, prosecutor)
    tomorrow = london_today() + timedelta(days=1)
    response = record(client, case, "bail_decision", tomorrow)
    assert summary(response) == {"event_date": "The event date must be today or in the past"}
    received = record(
        client, case, "bail_decision", london_today(), **dated("received_on", tomorrow)
    )
    assert summary(received) == {"received_on": "The date received must be today or in the past"}
    assert events(db, case) == []


def test_an_offence_date_in_the_future_is_refused(client, db, settings, prosecutor) -> None:
    token = csrf_from(client.get("/cases/new").text)
    tomorrow = london_today() + timedelta(days=1)
    data = {
        "csrf_token": token,
        "urn": "02CD7654326",
        "area": "london-north",
        "unit": "ccu",
        "court_type": "crown",
        "court_name": "Snaresbrook Crown Court",
        "offences": ["FA2006-S2"],
        **dated("offence_date", tomorrow),
    }
    response = client.post("/cases/new", data=data, follow_redirects=False)
    assert response.status_code == 400
    assert summary(response) == {
        "offence_date": "The date of the offence must be today or in the past"
    }
    assert soup(response.text).select_one("#offence_date")["value"] == str(tomorrow.day)
    assert db.scalars(select(Case).where(Case.urn == "02CD7654326")).first() is None
    today = {**data, **dated("offence_date", london_today())}
    assert client.post("/cases/new", data=today, follow_redirects=False).status_code == 303


# --- hearings -------------------------------------------------------------------------------


def test_a_hearing_records_its_date_time_court_and_type(client, db, settings, prosecutor) -> None:
    case = a_case(db, settings, prosecutor)
    listed = london_today() - timedelta(days=1)
    summer = date(listed.year + 1, 7, 14)  # British Summer Time: 10:00 in London is 09:00 UTC
    details = {
        **dated("hearing_listed-hearing_date", summer),
        "hearing_listed-hearing_time": "10:00",
        "hearing_listed-hearing_court": "Southwark Crown Court",
        "hearing_listed-hearing_type": "plea_and_trial_preparation",
    }
    response = record(
        client, case, "hearing_listed", listed, notes="Court 3\nWitness warned", **details
    )
    assert response.status_code == 303, summary(response)
    (hearing,) = events(db, case)
    assert hearing.hearing_at == datetime(summer.year, 7, 14, 9, 0, tzinfo=UTC)
    assert hearing.hearing_court == "Southwark Crown Court"
    assert hearing.hearing_type == "plea_and_trial_preparation"
    timeline = text_of(str(soup(client.get(f"/cases/{case.id}").text).select_one("#timeline")))
    assert (
        f"Plea and trial preparation hearing on 14 July {summer.year} at 10:00am "
        "at Southwark Crown Court"
    ) in timeline
    assert "Court 3 Witness warned" in timeline
    # A second hearing listed the same day is a different event, not a duplicate.
    later = {
        **details,
        "hearing_listed-hearing_time": "14:30",
        "hearing_listed-hearing_type": "trial",
    }
    assert record(client, case, "hearing_listed", listed, **later).status_code == 303
    assert len(events(db, case)) == 2


def test_a_hearing_needs_its_details(client, db, settings, prosecutor) -> None:
    case = a_case(db, settings, prosecutor)
    response = record(
        client,
        case,
        "first_hearing",
        london_today(),
        **{"first_hearing-hearing_court": "", "first_hearing-hearing_time": "9am"},
    )
    assert response.status_code == 400
    assert summary(response) == {
        "first_hearing-hearing_date": "Enter the date of the hearing",
        "first_hearing-hearing_time": "Enter the time of the hearing as 24-hour time, like 10:00",
        "first_hearing-hearing_court": "Enter the court's name",
        "first_hearing-hearing_type": "Select the type of hearing",
    }
    assert soup(response.text).select_one("#first_hearing-hearing_time")["value"] == "9am"
    unknown = record(
        client,
        case,
        "first_hearing",
        london_today(),
        **{
            **dated("first_hearing-hearing_date", london_today()),
            "first_hearing-hearing_time": "9:30",
            "first_hearing-hearing_court": "Leeds Magistrates' Court",
            "first_hearing-hearing_type": "duel",
        },
    )
    assert summary(unknown) == {"first_hearing-hearing_type": "Select the type of hearing"}
    assert events(db, case) == []


def test_an_auditor_sees_the_hearing_and_the_defendant_label_but_not_the_notes(
    app, client, db, settings, prosecutor
) -> None:
    case = a_case(db, settings, prosecutor, "Ann Accused", "Ben Blamed")
    listed = london_today() - timedelta(days=1)
    hearing = {
        **dated("trial_listing-hearing_date", date(listed.year + 1, 1, 11)),
        "trial_listing-hearing_time": "10:00",
        "trial_listing-hearing_court": "Leeds Crown Court",
        "trial_listing-hearing_type": "trial",
    }
    response = record(
        client, case, "trial_listing", listed, notes="Ann's sister may attend", **hearing
    )
    assert response.status_code == 303
    first = defendant_ids(db, case)[0]
    plea = {"plea-outcome": "not_guilty", "plea-defendant_id": first}
    assert record(client, case, "plea", listed, **plea).status_code == 303
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    token = make_session_token(db, auditor)
    db.commit()
    viewer = TestClient(app)
    viewer.cookies.set("portal_session", token)
    timeline = text_of(str(soup(viewer.get(f"/cases/{case.id}").text).select_one("#timeline")))
    assert f"Trial on 11 January {listed.year + 1} at 10:00am at Leeds Crown Court" in timeline
    assert "Defendant 1" in timeline
    assert "Ann" not in timeline  # neither the defendant's name nor the notes
    officer_view = text_of(str(soup(client.get(f"/cases/{case.id}").text).select_one("#timeline")))
    assert "Ann's sister may attend" in officer_view and "Defendant 1: Ann Accused" in officer_view
