"""The compliance dashboard, drill-down, export and quality sampling pages."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.compliance.models import QualitySample
from tests.support.factories import make_user
from tests.support.obligations import seed_obligations
from tests.support.web import csrf_from, soup
from tests.web.test_case_pages import client_as


def test_dashboard_chart_table_and_drill_down(app, db) -> None:
    seed_obligations(db, cases=10, per_case=10)
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    client = client_as(app, db, auditor)
    page = client.get("/compliance?by=area")
    assert page.status_code == 200
    html = soup(page.text)
    assert html.select_one("svg.portal-chart[role=img]") is not None
    rows = html.select("table tbody tr")
    assert rows
    link = html.select_one("table tbody td a")
    drill = client.get(link["href"])
    assert drill.status_code == 200
    assert "P-" in drill.text
    assert "synthetic" not in drill.text


def test_export_is_logged_as_a_disclosure(app, db) -> None:
    seed_obligations(db, cases=5, per_case=5)
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    client = client_as(app, db, auditor)
    token = csrf_from(client.get("/compliance").text)
    response = client.post("/compliance/export", data={"csrf_token": token, "by": "right"})
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][0] == "Right"
    assert {row[0] for row in table[1:]} <= {"Right 6", "Right 8", "Right 9"}
    logged = db.scalars(select(AuditEvent).where(AuditEvent.action == "compliance.export")).one()
    db.commit()
    assert logged.category == "disclosure"


def test_quality_sampling_draw_and_score(app, db) -> None:
    seed_obligations(db, cases=10, per_case=10)
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    client = client_as(app, db, auditor)
    token = csrf_from(client.get("/compliance/quality").text)
    drawn = client.post("/compliance/quality", data={"csrf_token": token, "size": "5"})
    assert "Sample drawn" in drawn.text
    samples = db.scalars(select(QualitySample)).all()
    db.commit()
    assert len(samples) == 5
    answers = {
        "csrf_token": csrf_from(drawn.text),
        "accurate": "yes",
        "timely": "yes",
        "empathetic": "no",
        "plain_english": "yes",
    }
    missing = client.post(f"/compliance/quality/{samples[0].id}", data=answers)
    assert missing.status_code == 400
    assert "Choose yes or no for rights explained" in missing.text
    answers["rights_explained"] = "yes"
    client.post(f"/compliance/quality/{samples[0].id}", data=answers)
    db.expire_all()
    reviewed = db.get(QualitySample, samples[0].id)
    db.commit()
    assert reviewed.state == "reviewed"
    assert reviewed.score == 4


def test_other_roles_cannot_see_compliance(app, db) -> None:
    officer = make_user(db, role=Role.VLU_OFFICER)
    db.commit()
    assert client_as(app, db, officer).get("/compliance").status_code == 403


def test_the_dashboard_shows_tracked_no_limit_and_untracked_duties_as_counted_apart(
    app, db
) -> None:
    """Issue 15 point 3: an independent count (its own SQL over the rows, and the rules file
    read as plain TOML) equals what the dashboard shows, on whichever database runs the test."""
    import tomllib

    from sqlalchemy import text

    from portal.victims_code.rules import RULES_DIR

    seed_obligations(db, cases=20, per_case=20, seed=3)
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    counts = db.execute(
        text(
            "SELECT"
            " SUM(CASE WHEN due_on IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN due_on IS NULL AND state = 'open' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN due_on IS NULL AND state = 'met' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN due_on IS NULL AND state NOT IN ('open', 'met') THEN 1 ELSE 0 END)"
            " FROM obligation"
        )
    ).one()
    db.commit()
    timed, open_no_limit, done_no_limit, closed_no_limit = (int(n or 0) for n in counts)
    assert open_no_limit and done_no_limit  # the seed has both
    raw = tomllib.loads((RULES_DIR / "2020.toml").read_text(encoding="utf-8"))["entitlement"]
    duties = [e for e in raw if e.get("kind", "duty") == "duty"]
    untracked = [e for e in duties if e.get("tracked") is False]
    assert {e["owner"] for e in untracked} >= {"police", "court"}

    html = soup(client_as(app, db, auditor).get("/compliance").text)
    shown = {span["data-count"]: int(span.text) for span in html.select("[data-count]")}
    # declined, not applicable and not met without a time limit sit with the timed outcomes
    assert shown == {
        "timed": timed + closed_no_limit,
        "no_limit_open": open_no_limit,
        "no_limit_done": done_no_limit,
        "untracked": len(untracked),
    }
    page_text = html.get_text(" ")
    assert "The police's duty:" in page_text and "The court's duty:" in page_text
    assert "UNCONFIRMED" not in page_text
    headers = [th.get_text(" ", strip=True) for th in html.select("table thead th")]
    assert headers == [] or "Open, no time limit" in headers
