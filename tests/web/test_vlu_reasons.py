"""The prosecutor's reasons: a GOV.UK character count with a server-side limit, long unbroken
text that wraps, and a readability check of the reasons alone (apart from the template)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from portal.vlu.models import VluDecision, VluRequest
from portal.vlu.readability import flesch
from portal.vlu.service import MAX_REASONS
from tests.support.vlu import decision_day
from tests.support.web import soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_vlu_pages import REASONS, _post, world  # noqa: F401  (fixture)

CSS = Path(__file__).resolve().parents[2] / "portal" / "static" / "css" / "portal.css"


def _decide(app, db, world):  # noqa: F811
    case = world["case"]
    today = decision_day()
    pros = client_as(app, db, world["prosecutor"])
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
    return pros, case, decision, f"/vlu/cases/{case.id}/decisions/{decision.id}"


def test_the_reasons_box_is_a_govuk_character_count(app, db, settings, world) -> None:  # noqa: F811
    pros, _, _, path = _decide(app, db, world)
    page = soup(pros.get(path).text)
    group = page.select_one('[data-module="govuk-character-count"]')
    assert group is not None and group["data-maxlength"] == str(MAX_REASONS)
    box = group.select_one("textarea#reasons")
    assert "govuk-js-character-count" in box["class"]
    assert "reasons-info" in box["aria-describedby"].split()
    # Without JavaScript the limit is still stated.
    assert group.select_one("#reasons-info").get_text(strip=True) == (
        f"You can enter up to {MAX_REASONS:,} characters"
    )


def test_reasons_over_the_limit_are_refused_with_an_error_summary(
    app,
    db,
    settings,
    world,  # noqa: F811
) -> None:
    pros, case, decision, path = _decide(app, db, world)
    too_long = "word " * (MAX_REASONS // 5) + "over"
    response = _post(pros, path, f"{path}/reasons", {"reasons": too_long, "version": "1"})
    assert response.status_code == 400
    page = soup(response.text)
    assert page.select_one(".govuk-error-summary a")["href"] == "#reasons"
    assert f"The reasons must be {MAX_REASONS:,} characters or fewer" in text_of(response.text)
    assert page.select_one("textarea#reasons").get_text() == too_long  # typed text kept
    db.expire_all()
    assert db.get(VluDecision, decision.id).reasons is None
    states = set(db.scalars(select(VluRequest.state).where(VluRequest.case_id == case.id)))
    assert states == {"requested"}


def test_a_long_unbroken_word_wraps(app, db, settings, world) -> None:  # noqa: F811
    pros, _, _, path = _decide(app, db, world)
    unbroken = "x" * MAX_REASONS
    saved = _post(pros, path, f"{path}/reasons", {"reasons": unbroken, "version": "1"})
    assert saved.status_code == 303
    shown = [p for p in soup(pros.get(path).text).select("p") if unbroken in p.get_text()]
    assert shown and all("portal-wrap" in p["class"] for p in shown)
    css = CSS.read_text()
    assert ".portal-wrap { overflow-wrap: anywhere; }" in css


def test_the_readability_check_scores_the_reasons_alone(app, db, settings, world) -> None:  # noqa: F811
    pros, case, _, path = _decide(app, db, world)
    legal = (
        "Notwithstanding the evidence, the Full Code Test was not met pursuant to the Code for "
        "Crown Prosecutors."
    )
    saved = _post(pros, path, f"{path}/reasons", {"reasons": legal, "version": "1"})
    assert saved.status_code == 303
    page = soup(pros.get(path).text)
    panel = page.select_one("#reasons-readability")
    assert panel is not None
    expected = flesch(legal)
    assert f"Readability: {expected.score:.0f}" in panel.get_text()
    assert f"{expected.words} words in {expected.sentences} sentences" in panel.get_text()
    flagged = panel.get_text()
    for term in ("notwithstanding", "pursuant to", "full code test"):
        assert term in flagged
    assert "Not plain English" in flagged

    # On a letter, the reasons get their own score, apart from the template around them.
    request_id = db.scalars(select(VluRequest.id).where(VluRequest.case_id == case.id)).first()
    drafter = client_as(app, db, world["drafter"])
    letter = soup(drafter.get(f"/vlu/cases/{case.id}/requests/{request_id}").text)
    alone = letter.select_one("#reasons-readability").get_text()
    assert f"{expected.words} words in {expected.sentences} sentences" in alone
    whole = letter.select_one("#readability").get_text()
    assert f"{expected.words} words in" not in whole  # the letter is scored as a whole


def test_my_work_shows_the_letters_waiting_for_the_prosecutors_reasons(
    app,
    db,
    settings,
    world,  # noqa: F811
) -> None:
    pros, case, decision, path = _decide(app, db, world)
    home = soup(pros.get("/home").text)
    section = home.select_one("#work-waiting")  # in the page itself: works without JS
    assert section is not None
    assert "2 letters waiting for your reasons" in text_of(section.decode())
    hrefs = [a["href"] for a in section.select("a")]
    assert f"{path}#give-reasons" in hrefs and "/vlu/waiting-for-reasons" in hrefs

    fragment = pros.get("/vlu/waiting-for-reasons", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "2 letters waiting for your reasons" in text_of(fragment.text)
    link = soup(fragment.text).select_one("li a")
    assert link["href"] == f"{path}#give-reasons" and case.urn in link.get_text()
    full = pros.get("/vlu/waiting-for-reasons")
    assert "<html" in full.text and "2 letters waiting for your reasons" in text_of(full.text)

    # Other roles are not offered it; once the reasons are given the count falls to 0.
    drafter = client_as(app, db, world["drafter"])
    assert "waiting for your reasons" not in text_of(drafter.get("/home").text)
    assert drafter.get("/vlu/waiting-for-reasons").status_code in (403, 404)
    assert (
        _post(pros, path, f"{path}/reasons", {"reasons": REASONS, "version": "1"}).status_code
        == 303
    )
    after = pros.get("/vlu/waiting-for-reasons", headers={"HX-Request": "true"})
    assert "0 letters waiting for your reasons" in text_of(after.text)
    assert not soup(after.text).select("li")
