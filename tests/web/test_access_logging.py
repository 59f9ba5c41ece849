"""Issue 9: every route that shows or changes personal data writes the expected log rows in
the same transaction, and if the log cannot be written nothing is shown or changed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.people.models import Person
from portal.web.routing import PortalRoute
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from
from tests.web.test_case_pages import client_as


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, offence_date=date(2025, 3, 1))
    person, _ = add_person(
        db,
        settings,
        case,
        name="Logan Logcanary",
        actor_user=prosecutor,
        address="7 Logging Lane",
        is_witness=True,
    )
    db.commit()
    return {"prosecutor": prosecutor, "case": case, "person": person}


def new_rows(db, before: int) -> list[tuple[str, str]]:
    rows = db.execute(
        select(AuditEvent.category, AuditEvent.action)
        .where(AuditEvent.seq > before)
        .order_by(AuditEvent.seq)
    ).all()
    db.commit()
    return [(r[0], r[1]) for r in rows]


def head(db) -> int:
    value = db.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0)))
    db.commit()
    return int(value or 0)


def test_every_person_page_writes_exactly_one_consultation_of_that_person(app, db, world) -> None:
    client = client_as(app, db, world["prosecutor"])
    case, person = world["case"], world["person"]
    person_routes = [
        r
        for r in app.routes
        if isinstance(r, PortalRoute)
        and "GET" in (r.methods or ())
        and set(r.param_convertors) == {"case_id", "person_id"}
        and r.access.allows(Role.PROSECUTOR)
    ]
    assert len(person_routes) >= 5
    for route in person_routes:
        url = re.sub(r"\{case_id(:uuid)?\}", str(case.id), route.path)
        url = re.sub(r"\{person_id(:uuid)?\}", str(person.id), url)
        before = head(db)
        response = client.get(url)
        assert response.status_code == 200, url
        rows = db.execute(select(AuditEvent).where(AuditEvent.seq > before)).scalars().all()
        db.commit()
        about_person = [r for r in rows if r.subject_id == person.id]
        consultations = [r for r in about_person if r.category == "consultation"]
        assert len(consultations) == 1, (url, [(r.category, r.action) for r in rows])
        assert all("Logcanary" not in (r.fields or "") for r in rows)


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"),
    [
        (
            "GET",
            "/cases/{case}",
            None,
            [("consultation", "person.list"), ("consultation", "case.view")],
        ),
        ("GET", "/cases/{case}/people/{person}/rights", None, [("consultation", "person.rights")]),
        (
            "POST",
            "/cases/{case}/people/{person}/references",
            {"reference-kind": "police_crn", "reference-value": "CRN-12345"},
            [("collection", "person_reference.add")],
        ),
    ],
)
def test_exact_log_rows(app, db, world, method, path, data, expected) -> None:
    client = client_as(app, db, world["prosecutor"])
    url = path.format(case=world["case"].id, person=world["person"].id)
    before = head(db)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_from(client.get(url.rsplit("/", 1)[0]).text)
        response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code < 400, response.text[:300]
    rows = new_rows(db, before)
    for row in expected:
        assert row in rows, (row, rows)


def test_a_failing_log_write_shows_nothing(app, db, world, monkeypatch) -> None:
    from portal.audit import service as audit

    client = client_as(app, db, world["prosecutor"])

    def broken(*args, **kwargs):
        raise RuntimeError("log store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    response = client.get(f"/cases/{world['case'].id}/people/{world['person'].id}")
    assert response.status_code == 500
    assert "Logcanary" not in response.text
    assert "Logging Lane" not in response.text


def test_a_failing_log_write_changes_nothing(app, db, world, monkeypatch) -> None:
    from portal.audit import service as audit

    client = client_as(app, db, world["prosecutor"])
    case, person = world["case"], world["person"]
    edit = f"/cases/{case.id}/people/{person.id}/edit"
    page = client.get(edit)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    token = csrf_from(page.text)
    before_version = db.scalar(select(Person.version).where(Person.id == person.id))
    db.commit()
    monkeypatch.setattr(audit, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    response = client.post(
        edit,
        data={
            "csrf_token": token,
            "version": version,
            "full_name": "Changed Name",
            "address": "Somewhere else",
        },
    )
    assert response.status_code == 500
    after_version = db.scalar(select(Person.version).where(Person.id == person.id))
    db.commit()
    assert after_version == before_version
