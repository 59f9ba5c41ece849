"""A letter the checker returns for changes needs redrafting (issue 16): it cannot be approved,
sent or printed as it stands; the drafter sees who returned it, when and what must change, on
the letter's page and on My work; once redrafted it is checked afresh."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.vlu.models import VluRequest
from tests.support.web import soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_vlu_pages import (
    CHECKLIST,
    REASONS,
    _draft_text,
    _post,
    _request_ids,
    _request_path,
    world,
)
from tests.web.test_vlu_reasons import _decide

__all__ = ["world"]  # the fixture, shared with test_vlu_pages

NOTES = "The second paragraph must give the date of the decision"


def _drafted(app, db, world) -> tuple[str, uuid.UUID]:
    """The decision recorded, its reasons given and the standard victim's letter drafted by
    Grace Lewis: its page path and request id."""
    pros, case, _decision, decision_path = _decide(app, db, world)
    saved = _post(
        pros, decision_path, f"{decision_path}/reasons", {"reasons": REASONS, "version": "1"}
    )
    assert saved.status_code == 303
    request_id = _request_ids(db, case)["standard"]
    path = _request_path(case, request_id)
    drafter = client_as(app, db, world["drafter"])
    text = _draft_text(drafter.get(path).text)
    drafted = _post(drafter, path, f"{path}/draft", {"body": text, "version": "2"})
    assert drafted.status_code == 303
    return path, uuid.UUID(request_id)


def _state(db, request_id: uuid.UUID) -> str:
    state = db.get(VluRequest, request_id).state
    db.commit()
    return state


def test_a_returned_letter_must_be_redrafted_before_it_is_checked_or_sent(
    app, db, settings, world
) -> None:
    path, request_id = _drafted(app, db, world)
    drafter = client_as(app, db, world["drafter"])
    checker = client_as(app, db, world["checker"])

    # Returning needs a note of what must change.
    bare = _post(checker, path, f"{path}/check", {"decision": "return"})
    assert bare.status_code == 400 and "Say what needs to change" in text_of(bare.text)
    returned = _post(checker, path, f"{path}/check", {"decision": "return", "notes": NOTES})
    assert returned.status_code == 303
    assert _state(db, request_id) == "needs_redraft"
    entry = db.scalars(select(AuditEvent).where(AuditEvent.action == "vlu.letter.return")).one()
    assert entry.actor_id == world["checker"].id
    db.commit()

    # The drafter sees who returned it, when and what must change.
    page = soup(drafter.get(path).text)
    notice = text_of(page.select_one("#redraft-notice").decode())
    assert "This letter must be redrafted" in notice
    assert "Returned for changes by Tom Hughes on" in notice
    assert NOTES in page.select_one("#returned-notes").get_text()
    assert page.select_one("textarea#body") is not None  # the redraft form is offered
    # ... and on My work, linked to the letter.
    work = soup(drafter.get("/work").text)
    section = work.select_one("#work-waiting")
    assert "Letters returned for changes" in section.get_text()
    links = [a["href"] for a in section.select("a")]
    assert path in links
    assert "letter returned for changes by the officer who checked it" in section.get_text()
    # The checker's My work no longer offers it to check.
    assert path not in [a["href"] for a in soup(checker.get("/work").text).select("a")]

    # Approving it as it stands is refused (the next check cannot let it through) ...
    approve = _post(
        checker, path, f"{path}/check", {"decision": "approve", "checklist": list(CHECKLIST)}
    )
    assert approve.status_code in (400, 409)
    assert _state(db, request_id) == "needs_redraft"
    # ... and so is sending it, even where no check is required ...
    db.get(VluRequest, request_id).check_required = False
    db.commit()
    send = _post(drafter, path, f"{path}/send", {"channel": "email"})
    assert send.status_code in (400, 409)
    assert _state(db, request_id) == "needs_redraft"
    # ... and printing or downloading it.
    withheld = drafter.get(f"{path}/letter")
    assert "This letter must be redrafted" in text_of(withheld.text)
    assert "returned it for changes" in text_of(withheld.text)
    assert "application/pdf" not in drafter.get(f"{path}/letter.pdf").headers["content-type"]
    db.get(VluRequest, request_id).check_required = True
    db.commit()

    # Redrafted, it is checked afresh and can be approved.
    text = _draft_text(drafter.get(path).text)
    version = str(db.get(VluRequest, request_id).version)
    db.commit()
    redrafted = _post(
        drafter,
        path,
        f"{path}/draft",
        {"body": text + "\n\nThe decision was made on the date above.", "version": version},
    )
    assert redrafted.status_code == 303, text_of(redrafted.text)[:300]
    assert _state(db, request_id) == "drafted"
    assert "Letters returned for changes" not in text_of(drafter.get("/work").text)
    approved = _post(
        checker, path, f"{path}/check", {"decision": "approve", "checklist": list(CHECKLIST)}
    )
    assert approved.status_code == 303
    assert _state(db, request_id) == "checked"
