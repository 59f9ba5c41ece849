"""The access log viewer: filters, keyset paging, CSV export logged as a disclosure."""

from __future__ import annotations

import csv
import io
import re
import uuid

from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from tests.support.factories import make_user
from tests.support.web import csrf_from, soup
from tests.web.test_case_pages import client_as


def seed(db, count: int) -> tuple:
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, username="officer.one")
    other = make_user(db, role=Role.PROSECUTOR, username="officer.two")
    for n in range(count):
        who = officer if n % 2 == 0 else other
        audit.record(
            db,
            actor=Actor(who.id, Role(who.role)),
            category="consultation",
            action="person.view",
            object_type="person",
            object_id=uuid.uuid4(),
            subject_ref="P-TARGET" if n % 5 == 0 else f"P-{n:05d}",
        )
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    return officer, other, auditor


def seqs(html: str) -> list[int]:
    return [
        int(td.get_text()) for td in soup(html).select("#audit-results tbody tr td:first-child")
    ]


def test_keyset_paging_under_a_filter_visits_every_matching_entry_once(app, db) -> None:
    _, _, auditor = seed(db, 230)
    client = client_as(app, db, auditor)
    seen: list[int] = []
    url = "/audit?user=officer.one"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += seqs(page.text)
        link = soup(page.text).select_one("a[rel=next]")
        url = link["href"] if link else None
    expected = db.scalars(
        select(AuditEvent.seq)
        .where(AuditEvent.action == "person.view", AuditEvent.actor_role == "witness_care_officer")
        .order_by(AuditEvent.seq.desc())
    ).all()
    db.commit()
    assert seen == list(expected)
    assert len(seen) == 115


def test_filter_by_person_reference(app, db) -> None:
    _, _, auditor = seed(db, 40)
    page = client_as(app, db, auditor).get("/audit?person=p-target")
    rows = soup(page.text).select("#audit-results tbody tr")
    assert len(rows) == 8
    assert all("P-TARGET" in r.get_text() for r in rows)


def test_export_is_a_disclosure_and_defuses_formulas(app, db) -> None:
    officer, _, auditor = seed(db, 6)
    audit.record(
        db,
        actor=Actor(officer.id, Role.WITNESS_CARE_OFFICER),
        category="disclosure",
        action="letter.send",
        object_type="letter",
        recipient='=HYPERLINK("x")',
    )
    audit.record(  # names an account: the export says whose, by name
        db,
        actor=Actor(officer.id, Role.WITNESS_CARE_OFFICER),
        category="alteration",
        action="account.deactivate",
        object_type="user_account",
        object_id=str(auditor.id),
    )
    db.commit()
    client = client_as(app, db, auditor)
    token = csrf_from(client.get("/audit").text)
    response = client.post("/audit/export", data={"csrf_token": token, "user": "officer.one"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5
    assert {r["staff_username"] for r in rows} == {"officer.one"}
    assert {r["staff_name"] for r in rows} == {officer.display_name}
    sent = next(r for r in rows if r["action"] == "letter.send")
    assert sent["recipient"] == '\'=HYPERLINK("x")'
    named = next(r for r in rows if r["action"] == "account.deactivate")
    assert named["details"] == f"Account: {auditor.display_name}"
    assert named["what"] and named["what"] != "account.deactivate"
    logged = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    db.commit()
    assert logged.category == "disclosure"
    assert logged.actor_id == auditor.id


def test_only_auditors_see_the_log(app, db) -> None:
    officer, _, _ = seed(db, 3)
    assert client_as(app, db, officer).get("/audit").status_code == 403


def test_bad_dates_show_an_error_summary(app, db) -> None:
    _, _, auditor = seed(db, 3)
    page = client_as(app, db, auditor).get("/audit?from=yesterday")
    assert "Enter the start date as YYYY-MM-DD" in page.text
    assert re.search(r'id="from"[^>]*value="yesterday"', page.text)
