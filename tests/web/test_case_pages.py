"""Case pages: scoping, opening a case, the case page and recording events."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import Case, CaseEvent
from portal.cases.routes import routes as case_routes
from portal.cases.service import URN_REFUSED
from tests.support.factories import add_person, make_case, make_session_token, make_user
from tests.support.web import csrf_from, soup, text_of


def client_as(app: Starlette, db, user) -> TestClient:
    token = make_session_token(db, user)
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return client


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    outsider = make_user(db, role=Role.WITNESS_CARE_OFFICER, area="wessex", unit="rasso")
    other_prosecutor = make_user(db, role=Role.PROSECUTOR, area="wessex", unit="ccu")
    vlu = make_user(db, role=Role.VLU_OFFICER)
    far_vlu = make_user(db, role=Role.VLU_OFFICER, area="wessex")
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    case = make_case(db, settings, prosecutor=prosecutor, urn="01AB1234526")
    person, _ = add_person(db, settings, case, name="Vera Canary", actor_user=prosecutor)
    db.commit()
    return {
        "prosecutor": prosecutor,
        "officer": officer,
        "outsider": outsider,
        "other_prosecutor": other_prosecutor,
        "vlu": vlu,
        "far_vlu": far_vlu,
        "auditor": auditor,
        "case": case,
        "person": person,
    }


def test_each_role_sees_only_its_cases(app, db, world) -> None:
    expectations = {
        "prosecutor": True,
        "officer": True,  # same Area and unit
        "outsider": False,
        "other_prosecutor": False,  # not assigned, another Area
        "vlu": True,  # same Area
        "far_vlu": False,
        "auditor": True,
    }
    for who, visible in expectations.items():
        client = client_as(app, db, world[who])
        listing = client.get("/cases")
        assert listing.status_code == 200
        assert ("01AB1234526" in listing.text) is visible, who
        detail = client.get(f"/cases/{world['case'].id}")
        assert detail.status_code == (200 if visible else 404), who


def test_every_case_route_is_404_outside_scope(app, db, world) -> None:
    client = client_as(app, db, world["outsider"])
    token = csrf_from(client.get("/home").text)
    checked = 0
    for route in case_routes:
        if "{case_id}" not in route.path:
            continue
        path = route.path.replace("{case_id}", str(world["case"].id))
        for method in route.methods - {"HEAD"}:
            response = client.request(method, path, data={"csrf_token": token})
            assert response.status_code == 404, (method, path)
            checked += 1
    assert checked >= 3
    # A case id that does not exist gives the same answer.
    assert client.get(f"/cases/{uuid.uuid4()}").status_code == 404


def test_case_page_shows_names_to_officers_and_references_to_auditors(app, db, world) -> None:
    page = client_as(app, db, world["prosecutor"]).get(f"/cases/{world['case'].id}")
    assert "Vera Canary" in page.text
    assert "Dan Defendant" in page.text
    audited = client_as(app, db, world["auditor"]).get(f"/cases/{world['case'].id}")
    assert "Vera Canary" not in audited.text
    assert "Dan Defendant" not in audited.text
    assert world["person"].reference in audited.text


def test_viewing_the_case_page_logs_each_person_consulted(app, db, world) -> None:
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    db.commit()
    client_as(app, db, world["prosecutor"]).get(f"/cases/{world['case'].id}")
    rows = db.scalars(select(AuditEvent).where(AuditEvent.seq > before)).all()
    db.commit()
    actions = sorted(r.action for r in rows)
    assert actions == ["case.view", "person.list"]
    listed = next(r for r in rows if r.action == "person.list")
    assert listed.subject_id == world["person"].id
    assert listed.category == "consultation"


def test_open_a_case_with_errors_keeps_what_was_typed(app, db, world) -> None:
    client = client_as(app, db, world["prosecutor"])
    token = csrf_from(client.get("/cases/new").text)
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "urn": "not a urn",
            "court_name": "Leeds Crown Court",
            "offence_date-day": "31",
            "offence_date-month": "2",
            "offence_date-year": "2026",
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    summary = [a.get_text() for a in page.select(".govuk-error-summary a")]
    assert "Enter a URN like 01AB1234526: 2 digits, 2 letters, then 7 digits" in summary
    assert "Date of the offence must be a real date" in summary
    assert page.select_one("#court_name")["value"] == "Leeds Crown Court"
    assert page.select_one("#urn")["value"] == "not a urn"
    assert db.scalar(select(func.count()).select_from(Case)) == 1
    db.commit()


def test_a_urn_in_use_gets_the_same_answer_inside_and_outside_scope(app, db, world) -> None:
    """Issue 12 (point 9): refusing a duplicate URN must not tell anyone that a case they cannot
    see exists. Both users are refused, in the same words; neither is told the case exists."""

    def attempt(user, urn: str):
        client = client_as(app, db, user)
        token = csrf_from(client.get("/cases/new").text)
        data = {
            "csrf_token": token,
            "urn": urn,
            "area": user.area,
            "unit": user.unit,
            "court_type": "crown",
            "court_name": "Leeds Crown Court",
            "offences": ["FA2006-S2"],
        }
        return client.post("/cases/new", data=data, follow_redirects=False)

    case = world["case"]
    inside = attempt(world["prosecutor"], "01AB1234526")  # their own case
    outside = attempt(world["outsider"], "01ab 12345 26")  # another Area's officer
    answers = []
    for response in (inside, outside):
        assert response.status_code == 400
        page = soup(response.text)
        answers.append(
            (
                [a.get_text(strip=True) for a in page.select(".govuk-error-summary a")],
                page.select_one("#urn-error").get_text(" ", strip=True),  # type: ignore[union-attr]
            )
        )
    assert answers[0] == answers[1]
    shown = text_of(outside.text)
    assert "exist" not in shown.lower() and "already" not in shown.lower()
    assert answers[0][0] == [URN_REFUSED]
    assert str(case.id) not in outside.text
    assert db.scalar(select(func.count()).select_from(Case).where(Case.urn == case.urn)) == 1
    refusals = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.urn_refused").order_by(AuditEvent.seq)
    ).all()
    assert [(r.category, r.actor_id, r.object_id) for r in refusals] == [
        ("security", world["prosecutor"].id, str(case.id)),
        ("security", world["outsider"].id, str(case.id)),
    ]
    db.commit()
    # A URN not in use still opens, for the officer who was refused.
    fresh = attempt(world["outsider"], "45WX7654321")
    assert fresh.status_code == 303


def test_the_database_refuses_a_second_case_with_the_same_urn(db, world) -> None:
    case = world["case"]
    twin = Case(
        id=uuid.uuid4(),
        urn=case.urn,
        area="wessex",
        unit="rasso",
        court_type="crown",
        court_name="Elsewhere",
        status="open",
        key_id=case.key_id,
    )
    db.add(twin)
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_open_a_case(app, db, world) -> None:
    client = client_as(app, db, world["prosecutor"])
    token = csrf_from(client.get("/cases/new").text)
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "urn": "02cd 76543 26",
            "area": "london-north",
            "unit": "ccu",
            "court_type": "crown",
            "court_name": "Snaresbrook Crown Court",
            "offences": ["FA2006-S2", "POCA2002-S327"],
            "defendants": "Alan Accused\nBeth Blamed",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    case = db.scalars(select(Case).where(Case.urn == "02CD7654326")).one()
    db.commit()
    assert response.headers["location"] == f"/cases/{case.id}"
    page = client.get(response.headers["location"])
    assert "Case 02CD7654326 opened" in text_of(page.text)
    assert "Beth Blamed" in page.text
    assert "Fraud by false representation" in page.text


def test_record_a_not_guilty_plea_once(app, db, world) -> None:
    client = client_as(app, db, world["prosecutor"])
    case = world["case"]
    form_page = client.get(f"/cases/{case.id}/events/new")
    # The case's only defendant: the form asks no question, and the plea is theirs.
    assert "This is about Defendant 1, the only defendant in the case." in text_of(form_page.text)
    data = {
        "csrf_token": csrf_from(form_page.text),
        "kind": "plea",
        "plea-outcome": "not_guilty",
        "event_date-day": "2",
        "event_date-month": "11",
        "event_date-year": "2026",
    }
    first = client.post(f"/cases/{case.id}/events/new", data=data)
    assert "Plea recorded" in text_of(first.text)
    again = client.post(f"/cases/{case.id}/events/new", data=data)
    assert "already recorded" in text_of(again.text)
    assert db.scalar(select(func.count()).select_from(CaseEvent)) == 1
    plea = db.scalars(select(CaseEvent)).one()
    assert plea.defendant_id is not None and plea.outcome == "not_guilty"
    db.commit()
    assert "Plea: Not guilty" in text_of(again.text)
    assert "Defendant 1: Dan Defendant" in text_of(again.text)


def test_plea_needs_a_defendant_and_an_outcome(app, db, settings, world) -> None:
    case = make_case(
        db, settings, prosecutor=world["prosecutor"], urn="01AB7777726", defendants=("A", "B")
    )
    client = client_as(app, db, world["prosecutor"])
    token = csrf_from(client.get(f"/cases/{case.id}/events/new").text)
    response = client.post(
        f"/cases/{case.id}/events/new",
        data={
            "csrf_token": token,
            "kind": "plea",
            "event_date-day": "2",
            "event_date-month": "11",
            "event_date-year": "2026",
        },
    )
    assert response.status_code == 400
    messages = [a.get_text() for a in soup(response.text).select(".govuk-error-summary a")]
    assert "Select the defendant" in messages
    assert "Select the plea" in messages


def test_auditors_and_vlu_cannot_record_events(app, db, world) -> None:
    for who in ("auditor", "vlu"):
        client = client_as(app, db, world[who])
        token = csrf_from(client.get("/home").text)
        response = client.post(
            f"/cases/{world['case'].id}/events/new", data={"csrf_token": token, "kind": "plea"}
        )
        assert response.status_code == 403, who


def test_htmx_filter_returns_only_the_results_block(app, db, world) -> None:
    client = client_as(app, db, world["prosecutor"])
    response = client.get("/cases?urn=01AB", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="case-results"' in response.text
    assert "01AB1234526" in response.text
    assert "HX-Request" in response.headers["vary"]


def test_a_swapped_ciphertext_shows_a_safe_page_and_logs_a_security_event(app, db, world) -> None:
    from sqlalchemy import update

    from portal.people.models import Person
    from tests.support.factories import add_person

    other, _ = add_person(
        db,
        db.info.get("settings") or app.state.settings,
        world["case"],
        name="Other Canary",
        actor_user=world["prosecutor"],
    )
    db.commit()
    stolen = db.get(Person, other.id).full_name
    db.execute(update(Person).where(Person.id == world["person"].id).values(full_name=stolen))
    db.commit()
    response = client_as(app, db, world["prosecutor"]).get(f"/cases/{world['case'].id}")
    assert response.status_code == 500
    assert "cannot be shown" in response.text
    assert "Other Canary" not in response.text
    assert "Vera Canary" not in response.text
    events = db.scalars(select(AuditEvent).where(AuditEvent.category == "security")).all()
    db.commit()
    assert [e.action for e in events] == ["integrity_failure"]
