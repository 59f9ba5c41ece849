"""The pages that finish a bulk decision: the job's sent / not sent, the Letters not sent list
(filter, deadlines, export with its formula guard and step-up), asking witness care (and the
request on their My work), who may see them."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from portal import jobs
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.reference import EventKind
from portal.db.session import make_session_factory, unit_of_work
from portal.vlu import service as vlu
from portal.vlu.models import Job, VluDecision
from portal.vlu.service.unsent import NOTHING_TO_ASK
from tests.support.factories import make_case, make_user
from tests.support.vlu import (
    PHONE_NO_VOICEMAIL,
    actor_of,
    add_victims,
    decision_of,
    record,
    vault_for,
    victim,
)
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_step_up import enrolled_client

REASONS = "A key witness can no longer give evidence. Without it there is not enough to go on."
FORMULA_NAME = "=HYPERLINK(1) Victim"


@pytest.fixture
def finished(db, engine, settings):
    """A decision whose bulk send has run: 2 sent, 1 without safe-contact rules (named like a
    formula), 1 who may only be phoned."""
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    drafter = make_user(db, role=Role.VLU_OFFICER)
    checker = make_user(db, role=Role.VLU_OFFICER)
    wco = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wren Witnesscare")
    far_vlu = make_user(db, role=Role.VLU_OFFICER, area="wessex")
    case = make_case(db, settings, prosecutor=prosecutor, officer=wco, offences=("FA2006-S2",))
    add_victims(
        db,
        settings,
        case,
        prosecutor,
        [
            victim("Ready One"),
            victim("Ready Two"),
            victim(FORMULA_NAME, safe=None),
            victim("Phone Only", safe=PHONE_NO_VOICEMAIL, phone="07700 900123"),
        ],
    )
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE, ends_all=True)
    decision = decision_of(db, event)
    vlu.supply_reasons(
        db,
        vault_for(db, settings),
        actor_of(prosecutor),
        decision,
        reasons=REASONS,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    db.commit()
    factory = make_session_factory(engine)
    job_id = None
    for user, action in ((drafter, "draft_all"), (checker, "approve_all"), (checker, "send_all")):
        with unit_of_work(factory) as s:
            job_id = vlu.enqueue_bulk(
                s,
                actor_of(user),
                s.get(VluDecision, decision.id),
                action=action,
                checklist=set(vlu.CHECKLIST),
            ).id
        jobs.run_pending(factory, settings.key_provider(), pause=0)
    return {
        "case": case,
        "decision": decision,
        "job_id": job_id,
        "vlu": checker,
        "wco": wco,
        "far_vlu": far_vlu,
        "path": f"/vlu/cases/{case.id}/decisions/{decision.id}/not-sent",
    }


def test_the_job_page_says_what_was_sent_and_who_is_left(app, db, finished) -> None:
    client = client_as(app, db, finished["vlu"])
    page = client.get(f"/vlu/jobs/{finished['job_id']}")
    assert page.status_code == 200
    outcome = text_of(str(soup(page.text).select_one("#job-outcome")))
    assert "Sent 2" in outcome
    assert "Not sent: No safe way to contact them is recorded 1" in outcome
    assert "Not sent: Their safe-contact rules allow no letter, email or representative 1" in (
        outcome
    )
    left = soup(page.text).select_one("#letters-left")
    assert "2 letters left to send" in text_of(str(left))
    assert left.select_one("a")["href"] == finished["path"]
    decision = client.get(f"/vlu/cases/{finished['case'].id}/decisions/{finished['decision'].id}")
    assert "2 letters not sent" in text_of(decision.text)


def test_the_list_filters_by_reason_and_shows_each_deadline(app, db, finished) -> None:
    client = client_as(app, db, finished["vlu"])
    page = client.get(finished["path"])
    assert page.status_code == 200
    html = soup(page.text)
    assert html.select_one(".govuk-back-link")["href"].endswith(str(finished["decision"].id))
    rows = html.select("#not-sent tbody tr")
    assert len(rows) == 2
    assert all("No fixed date" not in text_of(str(row)) for row in rows)
    assert "Ask witness care for safe-contact details (1)" in text_of(page.text)
    filtered = client.get(f"{finished['path']}?reason=opted_out")
    rows = soup(filtered.text).select("#not-sent tbody tr")
    assert [text_of(str(r)).split(" ")[0:2] for r in rows] == [["Phone", "Only"]]
    ignored = client.get(f"{finished['path']}?reason=not_a_reason")
    assert len(soup(ignored.text).select("#not-sent tbody tr")) == 2
    # The page's people are logged as consulted.
    listed = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "person.vlu_not_sent")
    )
    assert listed >= 2


def test_the_export_is_defused_audited_and_asks_for_a_fresh_factor(
    app, db, settings, finished
) -> None:
    client = client_as(app, db, finished["vlu"])
    page = client.get(finished["path"])
    link = soup(page.text).select_one("a[download]")["href"]
    got = client.get(link)
    assert got.headers["content-type"].startswith("text/csv")
    assert "no-store" in got.headers["cache-control"]
    rows = list(csv.reader(io.StringIO(got.text)))
    assert len(rows) == 3
    names = {row[1] for row in rows[1:]}
    assert "'" + FORMULA_NAME in names  # the formula guard
    disclosed = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "vlu.not_sent.export", AuditEvent.category == "disclosure")
    )
    assert disclosed == 3  # each person, and the export itself
    # A stale second factor is asked for again before the file is made.
    stale, _ = enrolled_client(app, db, settings, Role.VLU_OFFICER, minutes_ago=10)
    asked = stale.get(link, follow_redirects=False)
    assert asked.status_code == 303 and "confirm-it-is-you" in asked.headers["location"]


def test_asking_witness_care_puts_the_request_on_their_my_work(app, db, finished) -> None:
    client = client_as(app, db, finished["vlu"])
    path = finished["path"]
    token = csrf_from(client.get(path).text)
    asked = client.post(
        f"{path}/ask", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False
    )
    assert asked.status_code == 303 and asked.headers["location"] == path
    after = client.get(path)
    assert "Witness care asked for the safe-contact details of 1 victim" in text_of(after.text)
    assert "Witness care asked on" in text_of(after.text)
    again = client.post(f"{path}/ask", data={"csrf_token": csrf_from(after.text), "confirm": "yes"})
    assert again.status_code == 400
    assert NOTHING_TO_ASK in text_of(str(soup(again.text).select_one(".govuk-error-summary")))
    work = client_as(app, db, finished["wco"]).get("/work")
    assert "Record a safe way to contact this victim" in text_of(work.text)


def test_only_the_vlu_in_scope_sees_the_list(app, db, finished) -> None:
    assert client_as(app, db, finished["wco"]).get(finished["path"]).status_code == 403
    assert client_as(app, db, finished["far_vlu"]).get(finished["path"]).status_code == 404
    with unit_of_work(make_session_factory(db.get_bind())) as s:
        assert s.get(Job, finished["job_id"]).kind == "vlu.send_all"


def test_the_bulk_check_pages_read_each_letter_then_approve(app, db, settings, engine) -> None:
    """Through the pages: start the check, approval refused while letters are unread, each
    letter opened and marked read (the button leads to the next), then the batch approved."""
    from tests.integration.test_vlu_bulk_finish import _case, _run

    case, decision_id, drafter, checker, _ = _case(db, settings)
    _run(make_session_factory(engine), settings, drafter, decision_id, "draft_all")
    client = client_as(app, db, checker)
    path = f"/vlu/cases/{case.id}/decisions/{decision_id}/check"
    decision_page = client.get(f"/vlu/cases/{case.id}/decisions/{decision_id}")
    assert soup(decision_page.text).select_one("#bulk-check a")["href"] == path
    page = client.get(path)
    assert page.status_code == 200
    started = client.post(path, data={"csrf_token": csrf_from(page.text), "confirm": "yes"})
    assert started.status_code == 200
    links = [a["href"] for a in soup(started.text).select("table a")]
    assert len(links) == min(12, 20)  # no letter differs here: the sample, up to its size
    refused = client.post(
        f"{path}/approve",
        data={"csrf_token": csrf_from(started.text), "checklist": list(vlu.CHECKLIST)},
    )
    assert refused.status_code == 400
    assert "Read every letter" in text_of(refused.text)
    at = client.get(links[0])
    for _ in links:
        assert "Ready Victim" in text_of(at.text) or "Victim" in text_of(at.text)
        form = soup(at.text).select_one("main form")
        at = client.post(form["action"], data={"csrf_token": csrf_from(at.text), "confirm": "yes"})
    assert "Every letter in the check has been read" in text_of(at.text)
    approved = client.post(
        f"{path}/approve",
        data={"csrf_token": csrf_from(at.text), "checklist": list(vlu.CHECKLIST)},
        follow_redirects=False,
    )
    assert approved.status_code == 303 and "/vlu/jobs/" in approved.headers["location"]
