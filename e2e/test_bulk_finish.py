"""Finishing a bulk decision in the demo's 2,000-victim fraud case, in a real browser (issue 16
point 4 and its acceptance): the Victim Liaison Unit drafts all 2,000 letters at once; a second
officer checks them, reading one by one every letter the check lists (each that differs from
the template: enhanced victims, alternative formats; and a random sample of the rest) before
approving the batch; the bulk send leaves the letters of victims with no safe way to contact them
recorded, no address, or who allow no letter or email; the job's page says who is left; the
Letters not sent list is filtered and exported; witness care is asked for the safe-contact
details, a witness care officer answers one from My work, and "Send the rest" sends it.

The decision (a discontinuance ending all proceedings) and the prosecutor's reasons are written
through the real services in a test-database session, as e2e/test_vlu.py covers recording them
in the browser. The check lists hundreds of letters (472 in the demo data: 177 enhanced
victims', 275 in an alternative format, and the sample of 20): the first few are read in the
browser, with axe; the rest are read with ``page.request`` in the same signed-in session,
through the same server path as the browser's (the letter's page, then its "I have read this
letter" form, which redirects to the next letter), so each read is opened, recorded and logged
exactly as a click would be. axe runs on every page the browser shows (the goto and submit
helpers)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import service as cases
from portal.cases.models import Case, CaseParty
from portal.cases.reference import EventKind
from portal.clock import LONDON, utc_now
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.settings import Settings
from portal.vlu import service as vlu
from portal.vlu.models import VluDecision, VluNotSent, VluRequest
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]
REASONS = (
    "We looked at all the evidence again. The company's records that would prove the fraud "
    "were destroyed in a fire. Without them there is not enough evidence to prove the case."
)
CHECKS = ("Accurate", "Empathetic", "Explains the reasons", "Explains the victim")
READ_IN_THE_BROWSER = 3
JOB_TIMEOUT_MS = 180_000  # 2,000 letters on SQLite on a busy CI machine


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def banner(page: Page):
    return page.locator(".govuk-notification-banner--success")


def signed_in(new_context: NewContext, server: PortalServer, username: str) -> Page:
    page = new_context(accept_downloads=True).new_page()
    goto(page, "/login")
    sign_in(page, username, server.password)
    expect(page).to_have_url(re.compile(r"/home$"))
    return page


def _settings(server: PortalServer) -> Settings:
    return Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(server.instance_dir),
            "PORTAL_DATABASE_URL": server.database_url,
        }
    )


def big_case_decision(server: PortalServer) -> tuple[str, str]:
    """The demo's mass-victim fraud case (the one with the most people), a discontinuance that
    ends all proceedings, recorded by its prosecutor (prosecutor.demo), and the reasons for it.
    Returns the case and decision ids."""
    settings = _settings(server)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            case_id = db.scalars(
                select(CaseParty.case_id)
                .group_by(CaseParty.case_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            case = db.get_one(Case, case_id)
            prosecutor = db.get_one(User, case.prosecutor_id)
            assert prosecutor.username == "prosecutor.demo"
            actor = Actor(prosecutor.id, Role.PROSECUTOR, prosecutor.area, prosecutor.unit)
            vault = Vault(db, settings.key_provider(), KeyCache())
            event, _ = cases.record_event(
                db,
                vault,
                actor,
                case,
                cases.NewEvent(
                    kind=EventKind.DISCONTINUANCE,
                    event_date=utc_now().astimezone(LONDON).date(),
                    ends_all_proceedings=True,
                ),
            )
            decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one()
            vlu.supply_reasons(
                db,
                vault,
                actor,
                decision,
                reasons=REASONS,
                meeting_offered=None,
                no_meeting_reason="",
                expected_version=decision.version,
            )
            return str(case.id), str(decision.id)
    finally:
        engine.dispose()


def one_to_answer(server: PortalServer, decision_id: str, shown: list[str]) -> str:
    """Of the people ``shown`` (ids), one the send left for want of a safe way to contact them
    who has an address (so recording "Letter" lets the letter go)."""
    settings = _settings(server)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            vault = Vault(db, settings.key_provider(), KeyCache())
            rows = db.execute(
                select(Person)
                .join(CaseParty, CaseParty.person_id == Person.id)
                .join(VluRequest, VluRequest.case_party_id == CaseParty.id)
                .join(VluNotSent, VluNotSent.request_id == VluRequest.id)
                .where(
                    VluNotSent.decision_id == uuid.UUID(decision_id),
                    VluNotSent.reason == "no_safe_channel",
                    VluNotSent.resolved_at.is_(None),
                    Person.id.in_([uuid.UUID(i) for i in shown]),
                )
                .order_by(Person.id)
            ).scalars()
            for person in rows:
                vault.load({person.key_id})
                if vault.open_text(person, "address"):
                    return str(person.id)
    finally:
        engine.dispose()
    raise AssertionError("no unsent victim with an address and no safe channel")


def wait_for_job(page: Page) -> None:
    """The job's page refreshes itself (htmx) until the work is done."""
    expect(page.locator("#job-progress")).to_contain_text("Finished", timeout=JOB_TIMEOUT_MS)


def read_the_rest(page: Page) -> int:
    """From the letter the browser shows, read each letter still listed as the browser would:
    its "I have read this letter" form (the server redirects to the next unread letter), then
    that letter's page. Returns how many were read."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    path = urlsplit(page.url).path
    read = 0
    while True:
        done = page.request.post(f"{path}/read", form={"csrf_token": token}, max_redirects=0)
        assert done.status == 303, done.status
        read += 1
        following = urlsplit(done.headers["location"]).path
        if "/letters/" not in following:
            return read
        opened = page.request.get(following)
        assert opened.ok and REASONS[:40] in opened.text(), opened.status
        path = following


# 2,000 letters drafted, checked and sent, and hundreds read one by one: minutes, not seconds.
@pytest.mark.timeout(600)
@pytest.mark.leaves_work_behind
def test_a_bulk_decision_in_the_big_case_is_finished_after_witness_care_answers(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    case_id, decision_id = big_case_decision(portal_server)
    decision_path = f"/vlu/cases/{case_id}/decisions/{decision_id}"

    # The drafter drafts every letter at once.
    drafter = signed_in(new_context, portal_server, "vlu.demo")
    goto(drafter, decision_path)
    submit(drafter, drafter.get_by_role("button", name="Draft 2000 letters from the template"))
    wait_for_job(drafter)
    expect(drafter.locator("#job-progress")).to_contain_text("2000 of 2000 done")

    # A second officer checks them: approving before reading is refused; the first letters
    # listed are read in the browser (the button goes on to the next), the rest as described
    # above; then the batch is approved.
    checker = signed_in(new_context, portal_server, "vlu2.demo")
    goto(checker, decision_path)
    submit(checker, checker.get_by_role("link", name="Check and approve 2000 drafted letters"))
    expect(h1(checker)).to_have_text("Check the letters")
    submit(checker, checker.get_by_role("button", name="Start the check"))
    rows = checker.locator("table tbody tr")
    listed = rows.count()
    assert listed > 100, listed  # the letters that differ, and the sample (rules data: 20)
    expect(rows.filter(has_text="Enhanced rights").first).to_be_visible()
    expect(rows.filter(has_text="Alternative format").first).to_be_visible()
    expect(rows.filter(has_text="Random sample")).to_have_count(20)
    for point in CHECKS:
        checker.get_by_label(re.compile(f"^{point}")).check()
    submit(checker, checker.get_by_role("button", name="Approve 2000 letters"))
    expect(checker.locator(".govuk-error-summary")).to_contain_text("Read every letter")
    submit(checker, rows.first.get_by_role("link"))
    for n in range(1, READ_IN_THE_BROWSER + 1):
        expect(checker.locator("#letter-to-read")).to_contain_text(REASONS[:40])
        expect(checker.locator("body")).to_contain_text(f"{n} of {listed}")
        submit(checker, checker.get_by_role("button", name="I have read this letter"))
    assert read_the_rest(checker) == listed - READ_IN_THE_BROWSER
    goto(checker, f"{decision_path}/check")
    expect(banner(checker)).to_contain_text("Every letter in the check has been read")
    expect(checker.locator("#check-progress")).to_contain_text(f"read {listed} of the {listed}")
    for point in CHECKS:
        checker.get_by_label(re.compile(f"^{point}")).check()
    submit(checker, checker.get_by_role("button", name="Approve 2000 letters"))
    wait_for_job(checker)

    # The send leaves the letters it may not send: the job says why and who is left.
    goto(drafter, decision_path)
    submit(drafter, drafter.get_by_role("button", name="Send 2000 checked letters"))
    wait_for_job(drafter)
    outcome = drafter.locator("#job-outcome")
    expect(outcome).to_contain_text("No safe way to contact them is recorded")
    expect(outcome).to_contain_text("Their safe-contact rules allow no letter, email")
    left_text = drafter.locator("#letters-left").inner_text()
    left = int(re.search(r"(\d+) letters left to send", left_text).group(1))  # type: ignore[union-attr]
    assert 0 < left < 400, left_text  # a realistic minority (the demo data: about 12 %)
    submit(drafter, drafter.get_by_role("link", name="See the letters not sent and why"))
    expect(h1(drafter)).to_have_text("Letters not sent")
    table = drafter.locator("#not-sent")
    expect(table.locator("caption")).to_contain_text(f"{left} letters not sent")
    expect(table.locator("tbody tr td").nth(2)).not_to_contain_text("No fixed date")

    # Filtered (no JavaScript needed: a GET form), then exported: every letter, with why.
    drafter.get_by_label("Why not sent").select_option(
        label="Their safe-contact rules allow no letter, email or representative"
    )
    submit(drafter, drafter.get_by_role("button", name="Apply filter"))
    expect(table.locator("tbody tr").first).to_contain_text("allow no letter, email")
    expect(table.locator("caption")).not_to_contain_text(f"{left} letters")
    submit(drafter, drafter.get_by_role("link", name="Clear filter"))
    with drafter.expect_download() as download:
        drafter.get_by_role("link", name=re.compile("Download these letters")).click()
    path = download.value.path()
    exported = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(exported) == left + 1, len(exported)  # a header, then one row a letter
    reasons = {cell for row in exported[1:] for cell in row}
    assert "No safe way to contact them is recorded" in reasons

    # Witness care is asked for the missing details.
    ask = drafter.get_by_role("button", name=re.compile(r"Ask witness care for safe-contact"))
    asked = int(re.search(r"\((\d+)\)", ask.inner_text()).group(1))  # type: ignore[union-attr]
    submit(drafter, ask)
    expect(banner(drafter)).to_contain_text(
        f"Witness care asked for the safe-contact details of {asked} victims"
    )
    expect(table).to_contain_text("Witness care asked on")

    # The case's witness care officer sees the requests on My work and answers one.
    wco = signed_in(new_context, portal_server, "wco.demo")
    goto(wco, "/work")
    actions = wco.locator("#work-actions")
    expect(actions).to_contain_text("Record a safe way to contact this victim")
    links = actions.locator("tr", has_text="Record a safe way").locator("a[href*='/people/']")
    shown = [
        re.sub(r".*/people/([0-9a-f-]+).*", r"\1", h or "")
        for h in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    ]
    person_id = one_to_answer(portal_server, decision_id, shown)
    submit(wco, actions.locator(f"a[href*='/people/{person_id}']").first)
    goto(wco, urlsplit(wco.url).path + "/contact")
    expect(h1(wco)).to_have_text("Communication needs and safe contact")
    wco.get_by_label("Letter", exact=True).check()
    submit(wco, wco.get_by_role("button", name="Save"))

    # "Send the rest" sends that letter; the job's page says who is still left.
    goto(drafter, f"{decision_path}/not-sent")
    # (It offers every checked letter: those still without a safe channel are left again.)
    submit(drafter, drafter.get_by_role("button", name=f"Send the rest ({left})"))
    wait_for_job(drafter)
    expect(drafter.locator("#job-outcome")).to_contain_text("Sent1")
    expect(drafter.locator("#letters-left")).to_contain_text(f"{left - 1} letters left to send")
    goto(drafter, f"{decision_path}/not-sent")
    expect(table.locator("caption")).to_contain_text(f"{left - 1} letters not sent")
