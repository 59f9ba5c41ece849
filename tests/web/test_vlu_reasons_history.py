"""The prosecutor's reasons can be changed until the first letter is sent, and every version is
kept: the decision page shows the history; letters drafted from the old reasons go back for
redrafting; once a letter has gone, the reasons are fixed (issue 16 point 3)."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.clock import utc_now
from portal.vlu.models import VluReasonsRevision, VluRequest, VluTransition
from portal.vlu.service import CHECKLIST
from portal.vlu.service.reasons import LOCKED
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_vlu_pages import REASONS, _draft_text, _post, world  # noqa: F401  (fixture)
from tests.web.test_vlu_reasons import _decide

CHANGED = (
    "We looked at the evidence again. The witness who saw the attack has moved abroad. "
    "Without them we cannot prove who did it."
)


def _give(pros, path: str, text: str, version: int):
    return _post(pros, path, f"{path}/reasons", {"reasons": text, "version": str(version)})


def test_the_reasons_can_be_changed_and_every_version_is_shown(app, db, settings, world) -> None:  # noqa: F811
    pros, case, decision, path = _decide(app, db, world)
    assert _give(pros, path, REASONS, 1).status_code == 303
    page = soup(pros.get(path).text)
    form = page.select_one("#change-reasons")
    assert form is not None and form.get_text(strip=True) == "Change the reasons"
    assert page.select_one("textarea#reasons").get_text() == REASONS  # starts from the saved text
    assert page.select_one("#reasons-history") is None  # one version: no history yet

    changed = _give(pros, path, CHANGED, 2)
    assert changed.status_code == 303
    shown = pros.get(path)
    assert "Reasons changed" in text_of(shown.text)
    page = soup(shown.text)
    history = page.select_one("#reasons-history")
    assert history is not None
    second = page.select_one("#reasons-version-2")
    first = page.select_one("#reasons-version-1")
    assert "Version 2 (in use)" in second.get_text() and CHANGED in second.get_text()
    assert "Version 1" in first.get_text() and REASONS in first.get_text()
    assert "(in use)" not in first.get_text()
    assert "Saved by Priya Prosecutor" in first.get_text()
    assert "portal-wrap" in second["class"]  # long words in old versions wrap too

    db.expire_all()
    versions = db.scalars(
        select(VluReasonsRevision.revision).where(VluReasonsRevision.decision_id == decision.id)
    ).all()
    assert sorted(versions) == [1, 2]
    sealed = db.scalars(select(VluReasonsRevision.reasons)).first()
    assert CHANGED.encode() not in bytes(sealed)  # sealed, as the reasons are
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(decision.id))
    ).all()
    assert "vlu.reasons.edit" in actions


def test_changing_the_reasons_sends_drafted_letters_back(app, db, settings, world) -> None:  # noqa: F811
    pros, case, decision, path = _decide(app, db, world)
    assert _give(pros, path, REASONS, 1).status_code == 303
    request_id = db.scalars(select(VluRequest.id).where(VluRequest.case_id == case.id)).first()
    db.commit()
    drafter = client_as(app, db, world["drafter"])
    checker = client_as(app, db, world["checker"])
    request_path = f"/vlu/cases/{case.id}/requests/{request_id}"
    text = _draft_text(drafter.get(request_path).text)
    assert _post(drafter, request_path, f"{request_path}/draft", {"body": text, "version": "2"})
    approved = _post(
        checker,
        request_path,
        f"{request_path}/check",
        {"decision": "approve", "checklist": list(CHECKLIST)},
    )
    assert approved.status_code == 303

    changed = _give(pros, path, CHANGED, 2)
    assert changed.status_code == 303
    assert "1 drafted letter goes back for redrafting" in text_of(pros.get(path).text)
    db.expire_all()
    request = db.get(VluRequest, request_id)
    assert request.state == "needs_redraft" and request.checked_by_id is None
    last = db.scalars(
        select(VluTransition.action)
        .where(VluTransition.request_id == request_id)
        .order_by(VluTransition.at.desc())
    ).first()
    assert last == "reasons_changed"
    db.commit()
    notice = soup(drafter.get(request_path).text).select_one("#redraft-notice")
    assert "The prosecutor changed the reasons" in notice.get_text()
    # Starting again from the template puts the new reasons in.
    fresh = _post(drafter, request_path, f"{request_path}/draft", {"intent": "template"})
    assert CHANGED in _draft_text(fresh.text)


def test_the_reasons_are_fixed_once_a_letter_is_sent(app, db, settings, world) -> None:  # noqa: F811
    pros, case, decision, path = _decide(app, db, world)
    assert _give(pros, path, REASONS, 1).status_code == 303
    request = db.scalars(select(VluRequest).where(VluRequest.case_id == case.id)).first()
    request.state, request.sent_at = "sent", utc_now()  # a letter has gone
    db.commit()
    page = soup(pros.get(path).text)
    assert page.select_one("#change-reasons") is None
    assert page.select_one("textarea#reasons") is None
    refused = _give(pros, path, CHANGED, 2)
    assert refused.status_code == 400
    assert LOCKED in text_of(refused.text)
    db.expire_all()
    assert len(db.scalars(select(VluReasonsRevision)).all()) == 1


def test_only_the_prosecutor_may_change_the_reasons(app, db, settings, world) -> None:  # noqa: F811
    pros, case, decision, path = _decide(app, db, world)
    assert _give(pros, path, REASONS, 1).status_code == 303
    drafter = client_as(app, db, world["drafter"])
    assert soup(drafter.get(path).text).select_one("#change-reasons") is None
    token_page = drafter.get(path).text
    response = drafter.post(
        f"{path}/reasons",
        data={"csrf_token": csrf_from(token_page), "reasons": CHANGED, "version": "2"},
        follow_redirects=False,
    )
    assert response.status_code == 403
