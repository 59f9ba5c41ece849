"""VLU pages: the decision-letter journey, safe-contact refusals, scoping, the queue and bulk
work's progress page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal import jobs
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import CaseEvent
from portal.db.session import make_session_factory
from portal.people.service import SafeContact
from portal.victims_code.models import Obligation
from portal.vlu.models import VluDecision, VluRequest
from portal.vlu.routes import routes as vlu_routes
from tests.support.factories import make_case, make_user
from tests.support.pdf import assert_accessible, pdf_text
from tests.support.vlu import LETTER_ONLY, add_victims, decision_day, record, victim
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as

REASONS = (
    "We looked again at all the evidence. The main witness has moved abroad and will not come "
    "back to give evidence. Without their evidence there is not enough to prove the case."
)
CHECKLIST = ("accurate", "empathetic", "reasons", "rights")


@pytest.fixture
def world(db, settings):
    people = {
        "prosecutor": make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor"),
        "drafter": make_user(db, role=Role.VLU_OFFICER, display_name="Grace Lewis"),
        "checker": make_user(db, role=Role.VLU_OFFICER, display_name="Tom Hughes"),
        "far_vlu": make_user(db, role=Role.VLU_OFFICER, area="wessex"),
        "wco": make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wendy Carter"),
        "auditor": make_user(db, role=Role.AUDITOR, area=None, unit=None),
    }
    case = make_case(db, settings, prosecutor=people["prosecutor"], offences=("FA2006-S2",))
    add_victims(
        db,
        settings,
        case,
        people["prosecutor"],
        [
            victim("Edna Enhanced", vulnerable=True, safe=LETTER_ONLY),
            victim(
                "Sam Standard",
                safe=SafeContact(channels=("email", "phone"), no_voicemail=True),
                address="9 Quiet Lane, Hideaway",
                email="sam@example.com",
                phone="07700 900123",
            ),
        ],
    )
    db.commit()
    return {**people, "case": case}


def _post(client: TestClient, page_path: str, action: str, data: dict, **kw):
    token = csrf_from(client.get(page_path).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False, **kw)


def _request_ids(db, case) -> dict[str, str]:
    rows = db.execute(select(VluRequest).where(VluRequest.case_id == case.id)).scalars().all()
    db.commit()
    result = {}
    for request in rows:
        result["enhanced" if request.enhanced else "standard"] = str(request.id)
    return result


def _request_path(case, request_id: str) -> str:
    return f"/vlu/cases/{case.id}/requests/{request_id}"


def _draft_text(page_html: str) -> str:
    textarea = soup(page_html).select_one("textarea#body")
    assert textarea is not None, "no drafting form"
    return textarea.get_text()


def test_the_decision_letter_journey(app, db, settings, world) -> None:
    case = world["case"]
    today = decision_day()
    pros = client_as(app, db, world["prosecutor"])

    # 1. The prosecutor records the decision to discontinue (ending all proceedings).
    response = _post(
        pros,
        f"/cases/{case.id}/events/new",
        f"/cases/{case.id}/events/new",
        {
            "kind": "discontinuance",
            "discontinuance-ends_all_proceedings": "yes",
            "event_date-day": str(today.day),
            "event_date-month": str(today.month),
            "event_date-year": str(today.year),
        },
    )
    assert response.status_code == 303
    decision = db.scalars(select(VluDecision)).one()
    db.commit()
    decision_path = f"/vlu/cases/{case.id}/decisions/{decision.id}"

    # 2. The prosecutor sees the letters waiting for reasons and gives them.
    queue = pros.get("/vlu")
    assert queue.status_code == 200
    assert "Decision letters" in text_of(queue.text)
    assert len(soup(queue.text).select("#vlu-queue tbody tr")) == 2
    reasons_url = f"{decision_path}/reasons"
    empty = _post(pros, decision_path, reasons_url, {"reasons": "  ", "version": "1"})
    assert empty.status_code == 400
    assert "Enter the reasons for the decision" in text_of(empty.text)
    assert soup(empty.text).select_one(".govuk-error-summary a")["href"] == "#reasons"
    saved = _post(pros, decision_path, reasons_url, {"reasons": REASONS, "version": "1"})
    assert saved.status_code == 303
    assert "2 letters can now be drafted" in text_of(pros.get(decision_path).text)
    again = _post(pros, decision_path, reasons_url, {"reasons": REASONS, "version": "2"})
    assert again.status_code == 400  # editable until a letter is sent, but only to change them
    assert "Change the reasons before you save them" in text_of(again.text)

    ids = _request_ids(db, case)
    drafter = client_as(app, db, world["drafter"])
    checker = client_as(app, db, world["checker"])

    # 3. The VLU queue: the enhanced victim's letter is due first.
    rows = soup(drafter.get("/vlu").text).select("#vlu-queue tbody tr")
    assert [("Edna Enhanced" in r.get_text()) for r in rows] == [True, False]
    assert "Enhanced rights" in rows[0].get_text()

    for key, name in (("enhanced", "Edna Enhanced"), ("standard", "Sam Standard")):
        path = _request_path(case, ids[key])
        page = drafter.get(path)
        assert page.status_code == 200
        text = _draft_text(page.text)
        assert text.startswith(f"Dear {name}")
        assert REASONS in text and "Victims' Right to Review" in text
        assert "Readability:" in text_of(page.text)

        # The readability score follows the typing (htmx fragment; nothing stored).
        score = _post(
            drafter,
            path,
            f"{path}/readability",
            {"body": "Pursuant to the aforementioned evidential considerations."},
            headers={"HX-Request": "true"},
        )
        assert score.status_code == 200 and "<html" not in score.text
        assert "Not plain English: explain or replace" in score.text and "pursuant to" in score.text

        # 4. The VLU officer drafts the letter.
        drafted = _post(drafter, path, f"{path}/draft", {"body": text, "version": "2"})
        assert drafted.status_code == 303, text_of(drafted.text)[:300]

        # The drafter cannot check their own letter.
        own = drafter.get(path)
        assert "a different Victim Liaison Unit officer must check it" in text_of(own.text)
        refused = _post(
            drafter,
            path,
            f"{path}/check",
            {"decision": "approve", "checklist": list(CHECKLIST)},
        )
        assert refused.status_code == 400
        assert "A different Victim Liaison Unit officer must check" in text_of(refused.text)

        # 5. A second officer checks it against the quality checklist.
        partial = _post(
            checker, path, f"{path}/check", {"decision": "approve", "checklist": ["accurate"]}
        )
        assert partial.status_code == 400
        assert "Confirm every check" in text_of(partial.text)
        assert soup(partial.text).select_one("#checklist")["checked"] is not None  # kept
        approved = _post(
            checker, path, f"{path}/check", {"decision": "approve", "checklist": list(CHECKLIST)}
        )
        assert approved.status_code == 303

    # 6. Sending: the channel must be one the victim's safe-contact rules allow.
    standard = _request_path(case, ids["standard"])
    by_post = _post(drafter, standard, f"{standard}/send", {"channel": "letter"})
    assert by_post.status_code == 400
    summary = text_of(soup(by_post.text).select_one(".govuk-error-summary").decode())
    assert "Letter by post is not a safe way to contact this victim" in summary
    assert "email, phone" in summary
    voicemail = _post(drafter, standard, f"{standard}/send", {"channel": "voicemail"})
    assert voicemail.status_code == 400
    assert "A voicemail must not be left for this victim" in text_of(voicemail.text)
    assert db.get(VluRequest, uuid.UUID(ids["standard"])).state == "checked"  # nothing was sent
    db.commit()
    sent = _post(drafter, standard, f"{standard}/send", {"channel": "email"})
    assert sent.status_code == 303
    enhanced = _request_path(case, ids["enhanced"])
    assert _post(drafter, enhanced, f"{enhanced}/send", {"channel": "letter"}).status_code == 303

    # 7. The Victims' Code obligations show as met, on time.
    obligations = db.scalars(select(Obligation).where(Obligation.case_id == case.id)).all()
    assert {(o.state, o.met_on) for o in obligations} == {("met", today)}
    assert {o.channel for o in obligations} == {"email", "letter"}
    for obligation in obligations:
        assert obligation.met_on <= obligation.due_on
    db.commit()
    for obligation in obligations:
        shown = text_of(drafter.get(f"/obligations/{obligation.id}").text)
        assert "Met on time" in shown
    assert "Met on time" in text_of(drafter.get(enhanced).text)
    disclosures = db.scalars(select(AuditEvent).where(AuditEvent.action == "vlu.letter.send")).all()
    assert {(e.category, e.recipient) for e in disclosures} == {("disclosure", "victim")}
    assert {e.actor_id for e in disclosures} == {world["drafter"].id}
    db.commit()

    # The printable letter and its PDF.
    letter = drafter.get(f"{enhanced}/letter")
    assert letter.status_code == 200 and "Dear Edna Enhanced" in letter.text
    pdf = drafter.get(f"{enhanced}/letter.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "Dear Edna Enhanced" in pdf_text(pdf.content)
    assert REASONS in pdf_text(pdf.content)
    assert_accessible(pdf.content, f"Decision letter, case {case.urn}")
    assert "no-store" in pdf.headers["cache-control"]
    assert "Edna" not in pdf.headers["content-disposition"]

    # The history attributes every step.
    history = text_of(drafter.get(enhanced).text)
    for words in (
        "Request created by the decision: Priya Prosecutor",
        "Reasons supplied: Priya Prosecutor",
        "Letter drafted: Grace Lewis",
        "Letter checked and approved: Tom Hughes",
        "Letter sent: Grace Lewis",
    ):
        assert words in history


def test_the_conversation_on_a_request(app, db, settings, world) -> None:
    case = world["case"]
    record(db, settings, world["prosecutor"], case, _kind("discontinuance"))
    db.commit()
    path = _request_path(case, _request_ids(db, case)["enhanced"])
    for who, words in (
        ("prosecutor", "The witness moved abroad last month."),
        ("wco", "She prefers letters in the afternoon post."),
        ("drafter", "Thanks, drafting now."),
    ):
        client = client_as(app, db, world[who])
        posted = _post(
            client, path, f"{path}/messages", {"message": words}, headers={"HX-Request": "true"}
        )
        assert posted.status_code == 200, who
        assert "<html" not in posted.text and words in posted.text
    thread = text_of(client_as(app, db, world["checker"]).get(path).text)
    for name in ("Priya Prosecutor", "Wendy Carter", "Grace Lewis"):
        assert name in thread
    empty = _post(client_as(app, db, world["wco"]), path, f"{path}/messages", {"message": " "})
    assert empty.status_code == 400 and "Enter a message" in text_of(empty.text)
    inline = _post(
        client_as(app, db, world["wco"]),
        path,
        f"{path}/messages",
        {"message": " "},
        headers={"HX-Request": "true"},
    )
    assert inline.status_code == 200  # htmx swaps only 2xx answers: the error is in the fragment
    assert "<html" not in inline.text and "Enter a message" in text_of(inline.text)
    auditor = client_as(app, db, world["auditor"])
    assert auditor.get(path).status_code == 403


def _kind(value: str):
    from portal.cases.reference import EventKind

    return EventKind(value)


def test_every_vlu_route_is_404_outside_scope(app, db, settings, world) -> None:
    case = world["case"]
    record(db, settings, world["prosecutor"], case, _kind("discontinuance"))
    decision = db.scalars(select(VluDecision)).one()
    request_id = _request_ids(db, case)["enhanced"]
    client = client_as(app, db, world["far_vlu"])  # a VLU officer in another Area
    token = csrf_from(client.get("/vlu").text)
    assert "Edna" not in client.get("/vlu").text
    checked = 0
    for route in vlu_routes:
        if "{case_id}" not in route.path or not route.access.allows(Role.VLU_OFFICER):
            continue
        path = (
            route.path.replace("{case_id}", str(case.id))
            .replace("{decision_id}", str(decision.id))
            .replace("{request_id}", request_id)
        )
        for method in route.methods or []:
            if method == "HEAD":
                continue
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={"csrf_token": token, "body": "x"})
            assert response.status_code == 404, f"{method} {route.path}"
            checked += 1
    assert checked >= 11
    # An id from another case in the URL does not reach the request either.
    other = make_case(db, settings, prosecutor=world["prosecutor"])
    db.commit()
    drafter = client_as(app, db, world["drafter"])
    assert drafter.get(_request_path(other, request_id)).status_code == 404
    assert drafter.get(_request_path(case, request_id)).status_code == 200


def test_overdue_letters_escalate_on_the_queue(app, db, settings, world) -> None:
    case = world["case"]
    record(
        db,
        settings,
        world["prosecutor"],
        case,
        _kind("no_charge_decision"),
        on=decision_day() - timedelta(days=21),
    )
    db.commit()
    client = client_as(app, db, world["drafter"])
    page = client.get("/vlu")
    rows = soup(page.text).select("#vlu-queue tbody tr")
    assert len(rows) == 2
    assert all("Escalated: overdue" in r.get_text() for r in rows)
    counts = text_of(soup(page.text).select_one(".portal-counts").decode())
    assert counts.startswith("2 Escalated: overdue")
    only = client.get("/vlu?due=due_today")
    assert "No letters match" in text_of(only.text)
    assert len(soup(client.get("/vlu?due=overdue").text).select("#vlu-queue tbody tr")) == 2
    assert "No letters match" in text_of(client.get("/vlu?category=cse").text)
    assert len(soup(client.get("/vlu?category=fraud").text).select("tbody tr")) == 2
    assert "No letters match" in text_of(client.get("/vlu?state=sent").text)
    assert "No letters match" in text_of(client.get("/vlu?area=wessex").text)
    # Filters are codes: a name in the query string is ignored, never searched.
    assert client.get("/vlu?state=Edna").status_code == 200


def test_bulk_drafting_runs_in_the_background_with_a_progress_page(
    app, db, settings, engine, world
) -> None:
    case = world["case"]
    event, _ = record(db, settings, world["prosecutor"], case, _kind("discontinuance"))
    decision = db.scalars(select(VluDecision)).one()
    db.commit()
    decision_path = f"/vlu/cases/{case.id}/decisions/{decision.id}"
    pros = client_as(app, db, world["prosecutor"])
    _post(pros, decision_path, f"{decision_path}/reasons", {"reasons": REASONS, "version": "1"})
    vlu = client_as(app, db, world["drafter"])
    assert "Draft 2 letters from the template" in text_of(vlu.get(decision_path).text)
    queued = _post(vlu, decision_path, f"{decision_path}/bulk", {"action": "draft_all"})
    assert queued.status_code == 303
    job_path = queued.headers["location"]
    assert re.fullmatch(r"/vlu/jobs/[0-9a-f-]{36}", job_path)
    waiting = vlu.get(job_path)
    assert "Waiting to start" in text_of(waiting.text)
    poller = soup(waiting.text).select_one("#job-progress")
    assert poller["hx-trigger"] == "every 2s"
    assert soup(waiting.text).find("a", string=re.compile("Refresh"))  # works without JavaScript
    fragment = vlu.get(job_path, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="job-progress"' in fragment.text

    jobs.run_pending(make_session_factory(engine), settings.key_provider())
    done = vlu.get(job_path)
    assert "Finished 2 of 2 done" in text_of(done.text)
    assert soup(done.text).select_one("#job-progress").get("hx-trigger") is None
    assert {r.state for r in db.scalars(select(VluRequest)).all()} == {"drafted"}
    db.commit()
    # Other people cannot see the job: the prosecutor by role, another Area by scope.
    assert pros.get(job_path).status_code == 403
    assert client_as(app, db, world["far_vlu"]).get(job_path).status_code == 404
    assert db.get(CaseEvent, event.id) is not None


def _statements(app, client: TestClient, path: str) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_the_queue_reads_a_page_in_a_fixed_number_of_queries(app, db, settings, world) -> None:
    case = world["case"]
    record(db, settings, world["prosecutor"], case, _kind("discontinuance"))
    db.commit()
    client = client_as(app, db, world["drafter"])
    client.get("/vlu")  # warm up: the access log's head, key rows

    def selects(path: str) -> int:
        return sum(
            1
            for s in _statements(app, client, path)
            if s.lstrip().upper().startswith("SELECT") and "vlu_request" in s
        )

    few = selects("/vlu")
    more_case = make_case(db, settings, prosecutor=world["prosecutor"], offences=("FA2006-S2",))
    add_victims(
        db, settings, more_case, world["prosecutor"], [victim(f"Extra {n}") for n in range(20)]
    )
    record(db, settings, world["prosecutor"], more_case, _kind("discontinuance"))
    db.commit()
    rows = soup(client.get("/vlu").text).select("#vlu-queue tbody tr")
    assert len(rows) == 22
    assert selects("/vlu") == few == 3  # the page, its total and the counts: no N+1
