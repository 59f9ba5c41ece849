"""The Right to Review on the request page: a late request needs its reason (error summary,
typed data kept), the timeline of stages with who, when and due, the reviewer chosen from the
prosecutors who did not make the decision, the outcome letter drafted from the template and
recorded as sent, the independent review as a stage, and the steps due on My work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.reference import EventKind
from portal.vlu.review.models import VluReview
from tests.integration.test_right_to_review import _sent
from tests.support.factories import make_user
from tests.support.vlu import decision_day
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as


def _date(day) -> dict[str, str]:
    return {"on-day": str(day.day), "on-month": str(day.month), "on-year": str(day.year)}


def _post(client, path: str, data: dict):
    page = client.get(path)
    assert page.status_code == 200
    token = csrf_from(page.text)
    version = soup(page.text).select_one("#review-form input[name=version]")["value"]
    return client.post(
        f"{path}/review",
        data={"csrf_token": token, "version": version, **data},
        follow_redirects=False,
    )


def test_the_review_from_a_late_request_to_the_independent_outcome_letter(
    app, db, settings
) -> None:
    w = _sent(db, settings, EventKind.DISCONTINUANCE, sent_days_ago=30)
    case, request = w["case"], w["request"]
    make_user(db, role=Role.PROSECUTOR, area="wessex", display_name="Far Away")  # cannot see it
    db.commit()
    path = f"/vlu/cases/{case.id}/requests/{request.id}"
    vlu = client_as(app, db, w["drafter"])
    today = decision_day()

    page = text_of(vlu.get(path).text)
    assert "Victims' Right to Review" in page and "The victim should ask by" in page

    # Late, without a reason: the error summary, and what was typed is kept.
    late = _post(vlu, path, {"action": "record_review_request", **_date(today), "notes": "Rang."})
    assert late.status_code == 400
    summary = soup(late.text).select_one(".govuk-error-summary")
    assert "The request is late: enter why it is accepted" in summary.get_text()
    assert summary.select_one("a")["href"] == "#late_reason"
    form = soup(late.text).select_one("#review-form")
    assert form.select_one("#on")["value"] == str(today.day)
    assert form.select_one("#notes").get_text() == "Rang."
    done = _post(
        vlu,
        path,
        {"action": "record_review_request", **_date(today), "late_reason": "In hospital."},
    )
    assert done.status_code == 303

    # Local resolution: only prosecutors who can see the case and did not make the decision.
    page = vlu.get(path)
    choices = [i.find_next("label").get_text() for i in soup(page.text).select("[name=reviewer]")]
    assert choices == ["Arun Appeals", "Rita Reviewer"]
    shown = text_of(page.text)
    assert "Accepted late Yes" in shown and "In hospital." in shown
    refused = _post(vlu, path, {"action": "start_local_resolution", **_date(today)})
    assert refused.status_code == 400
    assert "Select the prosecutor who will review the decision" in text_of(refused.text)
    started = _post(
        vlu,
        path,
        {"action": "start_local_resolution", **_date(today), "reviewer": str(w["reviewer"].id)},
    )
    assert started.status_code == 303
    review = db.scalars(select(VluReview)).one()
    due = review.local_due_on
    db.commit()
    timeline = text_of(vlu.get(path).text)
    assert "Local resolution" in timeline and "Reviewer Rita Reviewer" in timeline
    assert f"Due {due.day} {due:%B %Y}" in timeline

    # The named prosecutor records the outcome; the letter is drafted from the template.
    rita = client_as(app, db, w["reviewer"])
    upheld = _post(rita, path, {"action": "record_outcome", **_date(today), "outcome": "upheld"})
    assert upheld.status_code == 303
    page = vlu.get(path)
    letter = soup(page.text).select_one("#review-form textarea#letter").get_text()
    assert letter.startswith("Dear Vera Victim") and "independent review" in letter
    sent = _post(vlu, path, {"action": "send_local_letter", **_date(today), "letter": letter})
    assert sent.status_code == 303

    # The victim is still dissatisfied: the independent review is a stage with its own steps.
    page = vlu.get(path)
    actions = [i["value"] for i in soup(page.text).select("#review-form [name=action]")]
    assert actions == ["refer_independent", "conclude_review"]
    same = _post(
        vlu,
        path,
        {"action": "refer_independent", **_date(today), "reviewer": str(w["reviewer"].id)},
    )
    assert same.status_code == 400
    assert "did not take part in local resolution" in text_of(same.text)
    referred = _post(
        vlu, path, {"action": "refer_independent", **_date(today), "reviewer": str(w["aru"].id)}
    )
    assert referred.status_code == 303
    shown = text_of(vlu.get(path).text)
    assert "Referred for independent review" in shown
    assert "Independent review (Appeals and Review Unit)" in shown
    assert "Reviewer Arun Appeals" in shown
    queue = soup(vlu.get("/vlu").text).select("#vlu-queue tbody tr")  # still needs action
    assert any("Referred for independent review" in row.get_text() for row in queue)

    # My work: the ARU reviewer sees the review due; Rita no longer does.
    arun = client_as(app, db, w["aru"])
    work = text_of(arun.get("/work").text)
    assert f"Case {case.urn}: independent review outcome due" in work
    assert "independent review outcome due" not in text_of(rita.get("/work").text)

    decided = _post(
        arun,
        path,
        {"action": "record_independent_outcome", **_date(today), "outcome": "overturned"},
    )
    assert decided.status_code == 303
    letter = soup(vlu.get(path).text).select_one("textarea#letter").get_text()
    assert "Appeals and Review Unit" in letter
    final = _post(
        vlu, path, {"action": "send_independent_letter", **_date(today), "letter": letter}
    )
    assert final.status_code == 303
    shown = text_of(vlu.get(path).text)
    assert "Review concluded" in shown and "Concluded" in shown
    assert "Decision overturned: the prosecution restarts" in shown
    assert soup(vlu.get(path).text).select_one("#review-form") is None

    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("vlu.review.%"))
    ).all()
    assert actions == [
        "vlu.review.record_review_request",
        "vlu.review.start_local_resolution",
        "vlu.review.record_outcome",
        "vlu.review.send_local_letter",
        "vlu.review.refer_independent",
        "vlu.review.record_independent_outcome",
        "vlu.review.send_independent_letter",
    ]


def test_a_step_out_of_order_is_refused(app, db, settings) -> None:
    w = _sent(db, settings, sent_days_ago=1)
    db.commit()
    path = f"/vlu/cases/{w['case'].id}/requests/{w['request'].id}"
    vlu = client_as(app, db, w["drafter"])
    token = csrf_from(vlu.get(path).text)
    day = decision_day() - timedelta(days=0)
    response = vlu.post(
        f"{path}/review",
        data={
            "csrf_token": token,
            "version": str(w["request"].version),
            "action": "record_outcome",
            "outcome": "upheld",
            **_date(day),
        },
        follow_redirects=False,
    )
    assert response.status_code == 409
