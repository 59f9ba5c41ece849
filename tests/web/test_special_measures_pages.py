"""Special measures pages: the journey from a flagged witness to the court's direction and the
duty to tell the witness; who may do what; scoping; the application document; late service."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.repository import defendants_of
from portal.cases.service import NewEvent, record_event
from portal.clock import LONDON, utc_now
from portal.special_measures.models import (
    SpecialMeasuresApplication,
    SpecialMeasuresTransition,
)
from portal.special_measures.routes import routes as sm_routes
from portal.victims_code import service as obligations
from portal.victims_code.calendar import CRIMPR_BUSINESS_DAYS, ENGLAND_AND_WALES
from portal.victims_code.models import Obligation
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.support.pdf import assert_accessible, pdf_text
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as

CHILD_NAME = "Casey Canary"


def today() -> date:
    return utc_now().astimezone(LONDON).date()


def years_ago(years: int, extra_days: int = 0) -> date:
    now = today()
    return now.replace(year=now.year - years) - timedelta(days=extra_days)


def business_days_back(n: int) -> date:
    """The day n business days before today (counting as the calendar counts forwards)."""
    day = today()
    while n:
        day -= timedelta(days=1)
        if CRIMPR_BUSINESS_DAYS.is_working_day(day):
            n -= 1
    return day


def date_fields(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def actor_of(user) -> Actor:
    return Actor(user.id, Role(user.role), user.area, user.unit)


def record_plea(db, settings, case, prosecutor, on: date) -> None:
    defendant = defendants_of(db, case)[0]
    record_event(
        db,
        make_vault(db, settings),
        actor_of(prosecutor),
        case,
        NewEvent(
            kind=EventKind.PLEA, event_date=on, defendant_id=defendant.id, outcome="not_guilty"
        ),
    )


@pytest.fixture
def world(db, settings):
    return make_world(db, settings)


def make_world(db, settings, name: str = CHILD_NAME) -> dict:
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wendy Witnesscare")
    outsider = make_user(db, role=Role.WITNESS_CARE_OFFICER, area="wessex", unit="rasso")
    other_prosecutor = make_user(db, role=Role.PROSECUTOR, area="wessex", unit="rasso")
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        offences=("SOA2003-S48",),  # causing or inciting child sexual exploitation
        offence_date=today() - timedelta(days=200),
        urn="01AB7654326",
    )
    person, party = add_person(
        db,
        settings,
        case,
        name=name,
        actor_user=prosecutor,
        born=years_ago(15),
        is_victim=True,
        is_witness=True,
    )
    record_plea(db, settings, case, prosecutor, business_days_back(2))
    db.commit()
    return {
        "prosecutor": prosecutor,
        "officer": officer,
        "outsider": outsider,
        "other_prosecutor": other_prosecutor,
        "auditor": auditor,
        "case": case,
        "person": person,
        "party": party,
    }


def base(world) -> str:
    return f"/cases/{world['case'].id}/special-measures"


def flag(client, world, measures=("s24", "s28"), request_now="yes"):
    url = f"{base(world)}/witnesses/{world['person'].id}/identify"
    token = csrf_from(client.get(url).text)
    return client.post(
        url,
        data={"csrf_token": token, "measures": list(measures), "request_now": request_now},
        follow_redirects=False,
    )


def only_application(db) -> SpecialMeasuresApplication:
    # The pages changed it in their own transactions: reload it.
    query = select(SpecialMeasuresApplication).execution_options(populate_existing=True)
    application = db.scalars(query).one()
    db.commit()
    return application


def draft(client, world, application, **overrides):
    url = f"{base(world)}/applications/{application.id}/draft"
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    data = {
        "csrf_token": csrf_from(page.text),
        "version": soup(page.text).select_one("input[name=version]")["value"],
        "measures": ["s24", "s28"],
        "hearing_wanted": "no",
        "live_link_location": "Remote site at the witness service suite",
        **date_fields("cross_examination_on", today() + timedelta(days=30)),
        "grounds": "Child complainant of a sexual offence.",
        "quality_reasons": "Live link and pre-recorded cross-examination reduce distress.",
        "witness_views": "Wants to give evidence from a separate room.",
        "previous_applications": "",
    }
    data.update(overrides)
    return client.post(url, data=data, follow_redirects=False)


def serve(client, world, application, served_on: date, late_reason: str = ""):
    url = f"{base(world)}/applications/{application.id}/serve"
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "version": soup(page.text).select_one("input[name=version]")["value"],
            "late_reason": late_reason,
            **date_fields("served_on", served_on),
        },
        follow_redirects=False,
    )


def decide(client, world, application, outcome="granted", on: date | None = None, **extra):
    url = f"{base(world)}/applications/{application.id}/decision"
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "version": soup(page.text).select_one("input[name=version]")["value"],
            "outcome": outcome,
            **date_fields("decided_on", on or today()),
            **extra,
        },
        follow_redirects=False,
    )


# --- the journey ------------------------------------------------------------------------------


def test_from_a_flagged_cse_complainant_to_the_duty_to_tell_the_witness(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    prosecutor = client_as(app, db, world["prosecutor"])

    # The witness care officer sees the automatic eligibility and flags the need.
    witness_page = officer.get(f"{base(world)}/witnesses/{world['person'].id}")
    assert witness_page.status_code == 200
    eligibility = text_of(soup(witness_page.text).select_one("#eligibility").decode())
    assert "Complainant of a sexual offence s17(4) Applies automatically" in eligibility
    assert "Under 18 at the time of the hearing s16(1)(a) Applies automatically" in eligibility
    flagged = flag(officer, world)
    assert flagged.status_code == 303
    application = only_application(db)
    assert application.state == "requested"
    assert application.measure_codes == ["s24", "s28"]

    # The prosecutor sees it at the top of the case view, with automatic eligibility.
    overview = prosecutor.get(base(world))
    assert overview.status_code == 200
    row = text_of(soup(overview.text).select_one(f"#witness-{world['person'].id}").decode())
    assert CHILD_NAME in row
    assert "Vulnerable (s16) and intimidated (s17), automatic" in row
    assert "Complainant of a sexual offence (s17(4))" in row
    assert "Requested of the prosecutor" in row
    due = CRIMPR_BUSINESS_DAYS.add_working_days(business_days_back(2), 10)
    assert f"by {due:%a} {due.day} {due:%b %Y}" in row  # Crown Court: 10 business days
    deadline = text_of(soup(overview.text).select_one("#deadline").decode())
    assert "Crown Court, 10 business days" in deadline
    assert "UNCONFIRMED" not in deadline  # a rules-data tag, never shown to officers

    # The prosecutor's My work lists it, and so does the fragment htmx loads into My work.
    work = prosecutor.get("/special-measures", headers={"HX-Request": "true"})
    assert "<html" not in work.text
    assert "Draft the application" in text_of(work.text)
    assert "Special measures applications" in prosecutor.get("/home").text

    # Draft: the grounds start from the eligibility explanations.
    form = prosecutor.get(f"{base(world)}/applications/{application.id}/draft")
    assert "Complainant of a sexual offence (s17(4))" in soup(form.text).select_one("#grounds").text
    assert draft(prosecutor, world, application).status_code == 303
    application = only_application(db)
    assert application.state == "drafted"
    assert application.cross_examination_on == today() + timedelta(days=30)

    assert serve(prosecutor, world, application, today()).status_code == 303
    application = only_application(db)
    assert application.state == "served"
    assert application.due_on == due

    decided = decide(prosecutor, world, application, "granted")
    assert decided.status_code == 303
    shown = prosecutor.get(decided.headers["location"])
    assert "Decision recorded: the witness care unit must tell the witness" in text_of(shown.text)
    application = only_application(db)
    assert application.state == "decided"
    assert application.granted_codes == ["s24", "s28"]

    history = db.scalars(
        select(SpecialMeasuresTransition).order_by(SpecialMeasuresTransition.at)
    ).all()
    assert [(t.action, t.from_state, t.to_state, t.by_role) for t in history] == [
        ("identify", None, "identified", "witness_care_officer"),
        ("request", "identified", "requested", "witness_care_officer"),
        ("draft", "requested", "drafted", "prosecutor"),
        ("serve", "drafted", "served", "prosecutor"),
        ("decide", "served", "decided", "prosecutor"),
    ]

    # The witness care unit owes the witness the outcome: enhanced (a child), 1 working day.
    owed = db.scalars(select(Obligation).where(Obligation.event_id.is_(None))).one()
    db.commit()
    assert owed.entitlement == "R8-WCU-SPECIAL-MEASURES"
    assert owed.responsible_body == "witness_care_unit"
    assert owed.case_party_id == world["party"].id
    assert owed.enhanced
    expected_due = ENGLAND_AND_WALES.add_working_days(today(), 1)
    assert owed.due_on == expected_due
    home = officer.get("/home")
    rows = [text_of(r.decode()) for r in soup(home.text).select("#work-list tbody tr")]
    mine = [r for r in rows if "Outcome of a special measures application" in r]
    assert len(mine) == 1
    assert CHILD_NAME in mine[0]
    assert f"{expected_due:%a} {expected_due.day} {expected_due:%b %Y}" in mine[0]

    # Every change is audited, with ids and field names only.
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("special_measures.%"))
    ).all()
    db.commit()
    actions = {e.action for e in events}
    assert {
        "special_measures.identify",
        "special_measures.request",
        "special_measures.draft",
        "special_measures.serve",
        "special_measures.decide",
        "special_measures.case_view",
    } <= actions
    for event in events:
        assert CHILD_NAME not in (event.fields or "")
        assert "Remote site" not in (event.fields or "")


def test_recording_the_same_decision_twice_creates_one_obligation(app, db, world, settings):
    prosecutor = client_as(app, db, world["prosecutor"])
    flag(client_as(app, db, world["officer"]), world)
    application = only_application(db)
    draft(prosecutor, world, application)
    serve(prosecutor, world, only_application(db), today())
    assert decide(prosecutor, world, only_application(db)).status_code == 303
    # Again through the page: the state machine refuses (409), nothing is created.
    again = prosecutor.post(
        f"{base(world)}/applications/{application.id}/decision",
        data={
            "csrf_token": csrf_from(prosecutor.get("/home").text),
            "outcome": "granted",
            **date_fields("decided_on", today()),
        },
    )
    assert again.status_code == 409
    # Again through the engine: de-duplicated although event_id is NULL.
    party = db.get(CaseParty, world["party"].id)
    created = obligations.create_for_trigger(
        db,
        make_vault(db, settings),
        actor_of(world["prosecutor"]),
        world["case"],
        party,
        trigger="special_measures_decision",
        trigger_on=today(),
    )
    assert created == []
    assert (
        db.scalar(select(func.count()).select_from(Obligation).where(Obligation.event_id.is_(None)))
        == 1
    )
    db.commit()


def test_a_variation_is_told_to_the_witness_and_a_refusal_cannot_be_varied(app, db, world):
    prosecutor = client_as(app, db, world["prosecutor"])
    flag(client_as(app, db, world["officer"]), world)
    draft(prosecutor, world, only_application(db))
    served_on = business_days_back(1)
    serve(prosecutor, world, only_application(db), served_on)
    decide(
        prosecutor, world, only_application(db), "granted_in_part", on=served_on, granted=["s24"]
    )
    application = only_application(db)
    assert application.granted_codes == ["s24"]
    url = f"{base(world)}/applications/{application.id}/variation"
    page = prosecutor.get(url)
    response = prosecutor.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "version": soup(page.text).select_one("input[name=version]")["value"],
            "action": "vary",
            "granted": ["s24", "s28"],
            **date_fields("decided_on", today()),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    application = only_application(db)
    assert application.state == "varied"
    assert application.granted_codes == ["s24", "s28"]
    told = db.scalars(select(Obligation.trigger_on).where(Obligation.event_id.is_(None))).all()
    db.commit()
    assert sorted(told) == [served_on, today()]


def test_a_refusal_cannot_be_varied(app, db, world):
    prosecutor = client_as(app, db, world["prosecutor"])
    flag(client_as(app, db, world["officer"]), world)
    draft(prosecutor, world, only_application(db))
    serve(prosecutor, world, only_application(db), today())
    decide(prosecutor, world, only_application(db), "refused")
    application = only_application(db)
    assert (
        prosecutor.get(f"{base(world)}/applications/{application.id}/variation").status_code == 409
    )


def test_decision_errors_keep_what_was_typed(app, db, world):
    prosecutor = client_as(app, db, world["prosecutor"])
    flag(client_as(app, db, world["officer"]), world)
    draft(prosecutor, world, only_application(db))
    serve(prosecutor, world, only_application(db), today())
    response = decide(
        prosecutor, world, only_application(db), "granted_in_part", court_notes="Noted."
    )
    assert response.status_code == 400
    page = soup(response.text)
    summary = [a.get_text() for a in page.select(".govuk-error-summary a")]
    assert summary == ["Select the measures the court granted"]
    assert page.select_one("#granted").get("checked") is None
    assert page.select_one("#court_notes").text == "Noted."
    assert page.select_one("input[name=outcome][value=granted_in_part]").has_attr("checked")
    assert only_application(db).state == "served"


# --- who may do what -------------------------------------------------------------------------


def _concrete(path: str, world, application_id) -> str:
    return (
        path.replace("{case_id}", str(world["case"].id))
        .replace("{person_id}", str(world["person"].id))
        .replace("{application_id}", str(application_id))
    )


PROSECUTOR_ONLY = {
    "sm_draft",
    "sm_draft_save",
    "sm_serve",
    "sm_serve_save",
    "sm_decision",
    "sm_decision_save",
    "sm_variation",
    "sm_variation_save",
}


def test_a_witness_care_officer_cannot_draft_serve_or_decide(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    flag(officer, world)
    application = only_application(db)
    token = csrf_from(officer.get("/home").text)
    checked = 0
    for route in sm_routes:
        if route.name not in PROSECUTOR_ONLY:
            continue
        path = _concrete(route.path, world, application.id)
        for method in route.methods - {"HEAD"}:
            response = officer.request(
                method,
                path,
                data={
                    "csrf_token": token,
                    "outcome": "granted",
                    **date_fields("decided_on", today()),
                },
            )
            assert response.status_code in (403, 404), (method, path)
            checked += 1
    assert checked == 8
    assert only_application(db).state == "requested"
    # And the prosecutor cannot identify or request: those are the witness care unit's.
    prosecutor = client_as(app, db, world["prosecutor"])
    token = csrf_from(prosecutor.get("/home").text)
    for name in ("sm_identify", "sm_identify_save", "sm_request"):
        route = next(r for r in sm_routes if r.name == name)
        method = "GET" if "GET" in route.methods else "POST"
        path = _concrete(route.path, world, application.id)
        assert prosecutor.request(method, path, data={"csrf_token": token}).status_code == 403


def test_auditors_read_but_change_nothing(app, db, world) -> None:
    flag(client_as(app, db, world["officer"]), world)
    application = only_application(db)
    auditor = client_as(app, db, world["auditor"])
    overview = auditor.get(base(world))
    assert overview.status_code == 200
    assert CHILD_NAME not in overview.text
    assert world["person"].reference in overview.text
    detail = auditor.get(f"{base(world)}/applications/{application.id}")
    assert detail.status_code == 200
    assert CHILD_NAME not in detail.text
    token = csrf_from(auditor.get("/home").text)
    for route in sm_routes:
        if "POST" in route.methods:
            path = _concrete(route.path, world, application.id)
            assert auditor.post(path, data={"csrf_token": token}).status_code == 403, path
    assert auditor.get(f"{base(world)}/applications/{application.id}/document").status_code == 403


def test_every_route_is_404_outside_scope(app, db, world) -> None:
    flag(client_as(app, db, world["officer"]), world)
    application = only_application(db)
    checked = 0
    for who, role in (
        ("outsider", Role.WITNESS_CARE_OFFICER),
        ("other_prosecutor", Role.PROSECUTOR),
    ):
        client = client_as(app, db, world[who])
        token = csrf_from(client.get("/home").text)
        for route in sm_routes:
            if "{case_id}" not in route.path or not route.access.allows(role):
                continue
            path = _concrete(route.path, world, application.id)
            for method in route.methods - {"HEAD"}:
                response = client.request(method, path, data={"csrf_token": token})
                assert response.status_code == 404, (who, method, path)
                checked += 1
        # Their own work list does not show it either.
        assert world["person"].reference not in client.get("/special-measures").text
    assert checked >= 19
    # A witness from another case, in a case in scope, is also 404.
    other_case = make_case(
        db, db.info.get("settings") or app.state.settings, prosecutor=world["prosecutor"]
    )
    db.commit()
    client = client_as(app, db, world["prosecutor"])
    assert (
        client.get(
            f"/cases/{other_case.id}/special-measures/witnesses/{world['person'].id}"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/cases/{other_case.id}/special-measures/applications/{application.id}"
        ).status_code
        == 404
    )
    assert client.get(f"/cases/{uuid.uuid4()}/special-measures").status_code == 404


# --- the application document ----------------------------------------------------------------


def _drafted(app, db, world):
    prosecutor = client_as(app, db, world["prosecutor"])
    flag(client_as(app, db, world["officer"]), world)
    assert draft(prosecutor, world, only_application(db)).status_code == 303
    return prosecutor, only_application(db)


def test_the_application_document_has_what_the_rules_ask_for(app, db, world) -> None:
    prosecutor, application = _drafted(app, db, world)
    page = prosecutor.get(f"{base(world)}/applications/{application.id}/document")
    assert page.status_code == 200
    text = text_of(page.text)
    for expected in (
        "Application for a special measures direction",
        "The court may decide without a hearing.",
        "Previous applications and what has changed None.",
        CHILD_NAME,
        "Complainant of a sexual offence (s17(4))",
        "Child complainant of a sexual offence.",
        "Evidence by live link (s24)",
        "Remote site at the witness service suite",
        "Section 28 recording date",
        "Live link and pre-recorded cross-examination reduce distress.",
        "Wants to give evidence from a separate room.",
    ):
        assert expected in text, expected
    assert "style=" not in page.text
    assert re.search(r'<script[^>]*nonce="[^"]+"', page.text)
    pdf = prosecutor.get(f"{base(world)}/applications/{application.id}/document.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert CHILD_NAME not in pdf.headers["content-disposition"]
    printed = pdf_text(pdf.content)
    for expected in (
        "Application for a special measures direction",
        f"Witness {CHILD_NAME}",
        "Evidence by live link (s24)",
        "Remote site at the witness service suite",
        "Wants to give evidence from a separate room.",
    ):
        assert expected in printed, expected
    assert_accessible(
        pdf.content, f"Application for a special measures direction, case {world['case'].urn}"
    )
    viewed = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "special_measures.document")
    ).all()
    db.commit()
    assert len(viewed) == 2
    assert {e.subject_id for e in viewed} == {world["person"].id}


def test_the_pseudonym_is_used_for_a_protected_identity(app, db, world) -> None:
    prosecutor, application = _drafted(app, db, world)
    person = world["person"]
    db.execute(
        type(person)
        .__table__.update()
        .where(type(person).id == person.id)
        .values(identity_sealed=True)
    )
    db.commit()
    born = years_ago(15)
    page = prosecutor.get(f"{base(world)}/applications/{application.id}/document")
    text = text_of(page.text)
    assert f"Witness {person.reference}" in text
    assert CHILD_NAME not in text
    assert f"{born.day} {born:%B %Y}" not in text
    assert "Withheld: an anonymity restriction applies" in text
    pdf = pdf_text(
        prosecutor.get(f"{base(world)}/applications/{application.id}/document.pdf").content
    )
    assert f"Witness Witness {person.reference}" in pdf
    assert "Withheld: an anonymity restriction applies" in pdf
    assert CHILD_NAME not in pdf and "Casey" not in pdf
    assert f"{born.day} {born:%B %Y}" not in pdf


# --- late applications -----------------------------------------------------------------------


def test_a_late_application_must_say_why(app, db, world, settings) -> None:
    # A magistrates' case whose not-guilty plea was 30 business days ago: 20 allowed.
    prosecutor = world["prosecutor"]
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        offences=("SOA2003-S48",),
        offence_date=today() - timedelta(days=300),
    )
    case.court_type = "youth"
    person, _ = add_person(
        db,
        settings,
        case,
        name="Lee Late",
        actor_user=prosecutor,
        born=years_ago(14),
        is_victim=True,
        is_witness=True,
    )
    plea = business_days_back(30)
    record_plea(db, settings, case, prosecutor, plea)
    db.commit()
    late_world = {**world, "case": case, "person": person}
    flag(client_as(app, db, world["officer"]), late_world)
    client = client_as(app, db, prosecutor)
    application = only_application(db)
    overview = text_of(client.get(base(late_world)).text)
    assert "Overdue" in overview
    assert "magistrates' court, 20 business days" in overview
    draft_page = client.get(f"{base(late_world)}/applications/{application.id}/draft")
    assert "The deadline has passed" in text_of(draft_page.text)
    assert draft(client, late_world, application).status_code == 303
    application = only_application(db)

    refused = serve(client, late_world, application, today())
    assert refused.status_code == 400
    page = soup(refused.text)
    due = CRIMPR_BUSINESS_DAYS.add_working_days(plea, 20)
    assert [a.get_text() for a in page.select(".govuk-error-summary a")] == [
        f"Explain why the application is late: it was due by {due.day} {due:%B %Y}"
    ]
    assert page.select_one(".govuk-error-summary a")["href"] == "#late_reason"
    assert page.select_one("#served_on")["value"] == str(today().day)
    assert only_application(db).state == "drafted"

    served = serve(client, late_world, application, today(), "The witness was identified late.")
    assert served.status_code == 303
    application = only_application(db)
    assert application.state == "served"
    assert application.due_on == due
    detail = text_of(client.get(served.headers["location"]).text)
    assert "Served late" in detail
    assert "The witness was identified late." in detail
    document = text_of(
        client.get(f"{base(late_world)}/applications/{application.id}/document").text
    )
    assert "This application is late. Why: The witness was identified late." in document


def test_serving_on_time_needs_no_reason(app, db, world) -> None:
    prosecutor, application = _drafted(app, db, world)
    assert serve(prosecutor, world, application, today()).status_code == 303
    detail = text_of(prosecutor.get(f"{base(world)}/applications/{application.id}").text)
    assert "Served on time" in detail


# --- eligibility assessment -------------------------------------------------------------------


def test_assessment_errors_keep_what_was_typed_and_age_is_tested_at_the_hearing(app, db, world):
    # A 17-year-old whose hearing will be after their 18th birthday.
    born = years_ago(18, extra_days=-40)  # turns 18 in 40 days
    person = world["person"]
    from portal.people.models import Person

    stored = db.get(Person, person.id)
    make_vault(db, app.state.settings).put(stored, "date_of_birth", born.isoformat())
    db.commit()
    officer = client_as(app, db, world["officer"])
    url = f"{base(world)}/witnesses/{person.id}/assessment"
    before = text_of(officer.get(f"{base(world)}/witnesses/{person.id}").text)
    assert "Under 18 at the time of the hearing s16(1)(a) Applies automatically" in before
    token = csrf_from(officer.get(url).text)
    hearing = today() + timedelta(days=60)
    response = officer.post(
        url,
        data={
            "csrf_token": token,
            "source": "police_mg2",
            "fear_or_distress": "yes",
            "s17_notes": "Frightened of the defendant's associates.",
            "views": "Would like screens.",
            **date_fields("hearing_on", hearing),
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert [a.get_text() for a in page.select(".govuk-error-summary a")] == [
        "Select the factors the court should consider (s17(2))"
    ]
    assert page.select_one("#s17_notes").text == "Frightened of the defendant's associates."
    assert page.select_one("#views").text == "Would like screens."
    assert page.select_one("#hearing_on")["value"] == str(hearing.day)
    assert page.select_one("input[name=source][value=police_mg2]").has_attr("checked")
    saved = officer.post(
        url,
        data={
            "csrf_token": token,
            "source": "police_mg2",
            "fear_or_distress": "yes",
            "factors": ["behaviour", "age"],
            "s17_notes": "Frightened of the defendant's associates.",
            "views": "Would like screens.",
            **date_fields("hearing_on", hearing),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = text_of(
        soup(officer.get(saved.headers["location"]).text).select_one("#eligibility").decode()
    )
    assert "Under 18 at the time of the hearing s16(1)(a) Does not apply" in after
    assert "Under 18 at the offence but turns 18" in after
    assert "Fear or distress about testifying s17(1)-(3) Applies" in after
    assert "Child witness primary rule" not in after


def test_the_witness_list_pages_and_a_page_past_the_end_shows_the_last(
    app, db, settings, world
) -> None:
    """The case's witness list is paged by ``portal.kit.paging`` (25 a page): a page number
    past the end shows the last page rather than an empty one (a change from the hand-written
    paging), and an htmx request for a page gets only the list."""
    for n in range(25):
        add_person(
            db,
            settings,
            world["case"],
            name=f"Walter Witness {n:02d}",
            actor_user=world["prosecutor"],
            is_witness=True,
        )
    db.commit()
    client = client_as(app, db, world["prosecutor"])
    first = client.get(base(world))
    assert first.status_code == 200
    assert "26 witnesses" in text_of(first.text)
    last = client.get(f"{base(world)}?page=2")
    past = client.get(f"{base(world)}?page=9")
    assert past.status_code == 200
    rows = [a.get_text() for a in soup(last.text).select("#sm-witnesses tbody tr")]
    assert len(rows) == 1
    assert [a.get_text() for a in soup(past.text).select("#sm-witnesses tbody tr")] == rows
    fragment = client.get(f"{base(world)}?page=2", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert 'id="sm-witnesses"' in fragment.text
