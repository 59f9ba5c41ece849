"""Break-glass (issue 18 point 4): emergency access to a case outside scope, through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.accounts.models import AuthSession
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.breakglass.models import BreakGlassUse
from portal.breakglass.service import NO_CASE
from portal.clock import utc_now
from tests.support.factories import make_case, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_anonymity import CONDITIONS, sealed  # noqa: F401 (a fixture)
from tests.web.test_case_pages import client_as

BANNER = "You have emergency access to case"


@pytest.fixture
def world(db, settings):
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Olive Officer")
    auditor = make_user(db, role=Role.AUDITOR, display_name="Audrey Auditor")
    case = make_case(db, settings, area="wessex", unit="rasso", urn="47WX1234526")
    db.commit()
    return {"officer": officer, "auditor": auditor, "case": case}


def _ask(client, urn="47WX1234526", reason="safeguarding", detail="Victim called, at risk"):
    page = client.get("/break-glass")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.text), "urn": urn, "detail": detail}
    if reason:
        data["reason"] = reason
    return client.post("/break-glass", data=data, follow_redirects=False)


def _actions(db, case_id=None):
    query = select(AuditEvent.action).where(AuditEvent.action.like("breakglass.%"))
    if case_id is not None:
        query = query.where(AuditEvent.case_id == case_id)
    actions = list(db.scalars(query.order_by(AuditEvent.seq)))
    db.commit()
    return actions


def test_a_case_of_another_unit_opens_only_by_breaking_the_glass(app, db, world) -> None:
    case = world["case"]
    officer = client_as(app, db, world["officer"])
    assert officer.get(f"/cases/{case.id}").status_code == 404
    assert BANNER not in officer.get("/home").text

    response = _ask(officer)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case.id}"
    page = officer.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert BANNER in text_of(page.text) and "47WX1234526" in text_of(page.text)
    assert BANNER in text_of(officer.get("/home").text)  # every page while it lasts
    officer.get(f"/cases/{case.id}")
    assert _actions(db, case.id) == ["breakglass.open", "breakglass.view", "breakglass.view"]
    normal = db.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "case.view")
    ).all()
    assert len(normal) == 2  # the page's own rows are still written, besides the break-glass ones
    views = db.scalars(select(AuditEvent).where(AuditEvent.action == "breakglass.view")).all()
    assert {v.purpose for v in views} == {"break_glass"}
    db.commit()


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    response = _ask(officer, urn="47WX", reason="", detail="Typed so far")
    assert response.status_code == 400
    html = soup(response.text)
    summary = [a["href"] for a in html.select(".govuk-error-summary__list a")]
    assert summary == ["#urn", "#reason"]
    assert html.select_one("#urn")["value"] == "47WX"
    assert html.select_one("#detail").get_text() == "Typed so far"
    assert html.select("input[name=reason][type=radio]")  # radios for the reason
    assert html.select_one(".govuk-character-count")  # a character count for the text
    assert response.text.count("Error:") >= 2
    assert db.scalars(select(BreakGlassUse)).all() == []
    db.commit()


def test_no_existence_oracle_before_the_factor_and_reason(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    real = _ask(officer, reason="")
    missing = _ask(officer, urn="47WX9999999", reason="")
    assert real.status_code == missing.status_code == 400
    assert text_of(real.text).replace("47WX1234526", "X") == text_of(missing.text).replace(
        "47WX9999999", "X"
    )
    unknown = _ask(officer, urn="47WX9999999")
    assert unknown.status_code == 400 and NO_CASE in text_of(unknown.text)
    assert _actions(db) == ["breakglass.no_case"]


def test_a_stale_factor_is_asked_for_again_and_opens_nothing(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == world["officer"].id)
        .values(factor_at=utc_now() - timedelta(minutes=6))
    )
    db.commit()
    response = _ask(officer)
    # The step-up prompt (portal.web.stepup), carrying what was typed, posting back here.
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one("h1").get_text(strip=True) == "Confirm it is you"
    form = page.select_one("main form")
    assert form["action"] == "/break-glass"
    kept = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert kept["urn"] == "47WX1234526" and kept["detail"] == "Victim called, at risk"
    assert "no-store" in response.headers["cache-control"]
    assert db.scalars(select(BreakGlassUse)).all() == []
    assert officer.get(f"/cases/{world['case'].id}").status_code == 404
    assert _actions(db) == []


def test_access_ends_when_its_time_is_up(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    assert _ask(officer).status_code == 303
    use = db.scalars(select(BreakGlassUse)).one()
    assert round((use.expires_at - use.started_at).total_seconds()) == 60 * 60
    db.execute(update(BreakGlassUse).values(expires_at=utc_now() - timedelta(seconds=1)))
    db.commit()
    assert officer.get(f"/cases/{world['case'].id}").status_code == 404
    assert BANNER not in officer.get("/home").text


def test_an_auditor_reviews_each_use(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    assert _ask(officer).status_code == 303
    officer.get(f"/cases/{world['case'].id}")
    use = db.scalars(select(BreakGlassUse)).one()
    db.commit()

    auditor = client_as(app, db, world["auditor"])
    queue = auditor.get("/break-glass/reviews")
    assert queue.status_code == 200
    row = text_of(queue.text)
    assert "Olive Officer" in row and "47WX1234526" in row and "Urgent safeguarding" in row
    assert soup(queue.text).select_one(".govuk-table__cell--numeric").get_text() == "1"

    page = auditor.get(f"/break-glass/reviews/{use.id}")
    assert page.status_code == 200 and "Victim called, at risk" in page.text
    token = csrf_from(page.text)
    empty = auditor.post(f"/break-glass/reviews/{use.id}", data={"csrf_token": token, "note": "x"})
    assert empty.status_code == 400
    assert [a["href"] for a in soup(empty.text).select(".govuk-error-summary__list a")] == [
        "#outcome"
    ]
    assert soup(empty.text).select_one("#note").get_text() == "x"
    done = auditor.post(
        f"/break-glass/reviews/{use.id}",
        data={"csrf_token": token, "outcome": "justified", "note": "Risk confirmed by police"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "There is no emergency access to review" in text_of(
        auditor.get(done.headers["location"]).text
    )
    db.expire_all()
    reviewed = db.get(BreakGlassUse, use.id)
    assert reviewed is not None
    assert (reviewed.outcome, reviewed.review_note) == ("justified", "Risk confirmed by police")
    assert reviewed.reviewed_by_id == world["auditor"].id
    db.commit()
    again = auditor.post(
        f"/break-glass/reviews/{use.id}",
        data={"csrf_token": token, "outcome": "not_justified", "note": "Changed my mind"},
    )
    assert again.status_code == 409
    assert "breakglass.review" in _actions(db)


def test_who_may_use_which_page(app, db, world) -> None:
    officer = client_as(app, db, world["officer"])
    auditor = client_as(app, db, world["auditor"])
    admin = client_as(app, db, make_user(db, role=Role.ADMIN))
    assert officer.get("/break-glass/reviews").status_code == 403
    assert auditor.get("/break-glass").status_code == 403
    assert admin.get("/break-glass").status_code == 403
    assert admin.get("/break-glass/reviews").status_code == 403


def test_sealed_identities_stay_sealed_under_break_glass(app, db, sealed) -> None:  # noqa: F811
    case, person = sealed["case"], sealed["person"]
    outsider = make_user(db, role=Role.WITNESS_CARE_OFFICER, area="wessex", unit="other")
    client = client_as(app, db, outsider)
    assert client.get(f"/cases/{case.id}/people/{person.id}").status_code == 404
    named = _ask(client, urn=case.urn, detail="Ozymandias Canarybird is in danger")
    assert named.status_code == 400  # the auditor reads the explanation: no sealed names in it
    assert "Ozymandias" not in soup(named.text).select_one(".govuk-error-summary").get_text()
    assert db.scalars(select(BreakGlassUse)).all() == []
    db.commit()
    assert _ask(client, urn=case.urn).status_code == 303
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/people/{person.id}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Ozymandias" not in page.text and "Canarybird" not in page.text
        assert "Hidden Lane" not in page.text
    assert person.reference in text_of(client.get(f"/cases/{case.id}/people/{person.id}").text)


def test_no_one_reviews_their_own_use(app, db, world, settings) -> None:
    from portal.accounts.actor import Actor
    from portal.accounts.unit import Unit
    from portal.breakglass import service
    from portal.breakglass.models import Outcome
    from portal.kit.errors import NotPermitted

    officer = client_as(app, db, world["officer"])
    assert _ask(officer).status_code == 303
    use = db.scalars(select(BreakGlassUse)).one()
    # Even were its user to hold the reviewing permission, their own use is not theirs to judge.
    themselves = Actor(use.user_id, Role.AUDITOR)
    unit = Unit(db, themselves, lambda: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(NotPermitted):
        service.review(unit, use.id, outcome=Outcome.JUSTIFIED, note="Fine by me")
    assert use.reviewed_at is None
    db.commit()
