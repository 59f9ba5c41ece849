"""Finishing a bulk decision in a real browser (issue 16 point 4): the Victim Liaison Unit drafts
every letter at once; a second officer checks them, reading each letter the check lists before
approving the batch; the bulk send leaves one letter unsent (no safe way to contact the victim
is recorded), which the job's page and the Letters not sent list show, with its deadline; the
list is exported; witness care is asked for the safe-contact details, and the witness care
officer sees the request on My work and records them; "Send the rest" sends that letter and the
list is empty. axe runs on every page (the goto and submit helpers).

A small seeded case is used rather than the demo's 2,000-victim fraud case: the check would have
every enhanced victim's letter read one by one in the browser (hundreds in the demo case) and the
three bulk jobs would take minutes on SQLite; tests/integration/test_vlu_bulk_finish.py and
test_vlu_jobs.py cover the same steps at volume."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import service as cases
from portal.cases.importer import NewPerson, insert_people
from portal.cases.reference import EventKind
from portal.cases.service import NewCase, open_case
from portal.clock import LONDON, utc_now
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.service import SafeContact
from portal.settings import Settings
from portal.vlu import service as vlu
from portal.vlu.models import VluDecision
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]
UNREACHED = "Ulla Unreached-Bulk"
READY = ("Rhea Ready-Bulk", "Rory Ready-Bulk")
REASONS = (
    "We looked at all the evidence again. The company's records that would prove the fraud "
    "were destroyed in a fire. Without them there is not enough evidence to prove the case."
)


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


def seed_decision(server: PortalServer) -> tuple[str, str]:
    """A London North fraud case (wco.demo its witness care officer) with three victims, one
    without safe-contact rules, and a discontinuance whose reasons are given: written through
    the real services. Returns the case and decision ids."""
    settings = Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(server.instance_dir),
            "PORTAL_DATABASE_URL": server.database_url,
        }
    )
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            names = ["prosecutor.demo", "vlu.demo", "vlu2.demo", "wco.demo"]
            users = {
                u.username: u for u in db.scalars(select(User).where(User.username.in_(names)))
            }
            for user in users.values():
                user.area = "london-north"
            prosecutor = users["prosecutor.demo"]
            actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
            vault = Vault(db, settings.key_provider(), KeyCache())
            case = open_case(
                db,
                vault,
                actor,
                NewCase(
                    urn=f"01AB{secrets.randbelow(10**7):07d}",
                    area="london-north",
                    unit="ccu",
                    court_type="crown",
                    court_name="Southwark Crown Court",
                    offence_codes=("FA2006-S2",),
                    prosecutor_id=prosecutor.id,
                    witness_care_officer_id=users["wco.demo"].id,
                    defendant_names=("Drew Defendant",),
                ),
            )
            letter = SafeContact(channels=("letter",))
            insert_people(
                db,
                vault,
                actor,
                case,
                [
                    *(
                        NewPerson(full_name=name, address="1 Example Road", safe_contact=letter)
                        for name in READY
                    ),
                    NewPerson(full_name=UNREACHED, address="3 Example Road", safe_contact=None),
                ],
            )
            today = utc_now().astimezone(LONDON).date()
            event, _ = cases.record_event(
                db,
                vault,
                actor,
                case,
                cases.NewEvent(
                    kind=EventKind.DISCONTINUANCE, event_date=today, ends_all_proceedings=True
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


def wait_for_job(page: Page) -> None:
    """The job's page refreshes itself (htmx) until the work is done."""
    expect(page.locator("#job-progress")).to_contain_text("Finished", timeout=60_000)


def test_a_bulk_decision_is_finished_after_witness_care_answers(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    case_id, decision_id = seed_decision(portal_server)
    decision_path = f"/vlu/cases/{case_id}/decisions/{decision_id}"

    # The drafter drafts every letter at once.
    drafter = signed_in(new_context, portal_server, "vlu.demo")
    goto(drafter, decision_path)
    submit(drafter, drafter.get_by_role("button", name="Draft 3 letters from the template"))
    wait_for_job(drafter)
    submit(drafter, drafter.get_by_role("link", name="Back to the decision"))

    # A second officer checks them: approving before reading is refused; each letter listed is
    # read (the button goes on to the next), then the batch is approved.
    checker = signed_in(new_context, portal_server, "vlu2.demo")
    goto(checker, decision_path)
    submit(checker, checker.get_by_role("link", name="Check and approve 3 drafted letters"))
    expect(h1(checker)).to_have_text("Check the letters")
    submit(checker, checker.get_by_role("button", name="Start the check"))
    rows = checker.locator("table tbody tr")
    expect(rows).to_have_count(3)  # three template letters: all in the sample (rules data: 20)
    for point in ("Accurate", "Empathetic", "Explains the reasons", "Explains the victim"):
        checker.get_by_label(re.compile(f"^{point}")).check()
    submit(checker, checker.get_by_role("button", name="Approve 3 letters"))
    expect(checker.locator(".govuk-error-summary")).to_contain_text("Read every letter")
    submit(checker, rows.first.get_by_role("link"))
    for _ in range(3):
        expect(checker.locator("#letter-to-read")).to_contain_text(REASONS[:40])
        submit(checker, checker.get_by_role("button", name="I have read this letter"))
    expect(banner(checker)).to_contain_text("Every letter in the check has been read")
    expect(checker.locator("#check-progress")).to_contain_text("read 3 of the 3")
    for point in ("Accurate", "Empathetic", "Explains the reasons", "Explains the victim"):
        checker.get_by_label(re.compile(f"^{point}")).check()
    submit(checker, checker.get_by_role("button", name="Approve 3 letters"))
    wait_for_job(checker)

    # The send leaves one letter: the job says why and who is left.
    goto(drafter, decision_path)
    submit(drafter, drafter.get_by_role("button", name="Send 3 checked letters"))
    wait_for_job(drafter)
    outcome = drafter.locator("#job-outcome")
    expect(outcome).to_contain_text("Sent2")
    expect(outcome).to_contain_text("No safe way to contact them is recorded")
    expect(drafter.locator("#letters-left")).to_contain_text("1 letter left to send")
    submit(drafter, drafter.get_by_role("link", name="See the letters not sent and why"))
    expect(h1(drafter)).to_have_text("Letters not sent")
    table = drafter.locator("#not-sent")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(UNREACHED)
    expect(table.locator("tbody tr td").nth(2)).not_to_contain_text("No fixed date")

    # Filtered (no JavaScript needed: a GET form), then exported.
    drafter.get_by_label("Why not sent").select_option(
        label="Their identity is sealed: an officer sends the letter by hand"
    )
    submit(drafter, drafter.get_by_role("button", name="Apply filter"))
    expect(table).to_contain_text("No letters are waiting for this reason")
    submit(drafter, drafter.get_by_role("link", name="Clear filter"))
    with drafter.expect_download() as download:
        drafter.get_by_role("link", name=re.compile("Download these letters")).click()
    path = download.value.path()
    exported = path.read_text(encoding="utf-8") if path else ""
    assert UNREACHED in exported and "No safe way to contact them is recorded" in exported

    # Witness care is asked for the missing details.
    submit(
        drafter, drafter.get_by_role("button", name="Ask witness care for safe-contact details (1)")
    )
    expect(banner(drafter)).to_contain_text(
        "Witness care asked for the safe-contact details of 1 victim"
    )
    expect(table).to_contain_text("Witness care asked on")

    # The witness care officer sees it on My work and records the safe-contact rules.
    wco = signed_in(new_context, portal_server, "wco.demo")
    goto(wco, "/work")
    actions = wco.locator("#work-actions")
    expect(actions).to_contain_text("Record a safe way to contact this victim")
    submit(wco, actions.get_by_role("link", name=UNREACHED))
    goto(wco, re.sub(r"^https?://[^/]+", "", wco.url).split("#")[0] + "/contact")
    expect(h1(wco)).to_have_text("Communication needs and safe contact")
    wco.get_by_label("Letter", exact=True).check()
    submit(wco, wco.get_by_role("button", name="Save"))

    # The letter is now ready; "Send the rest" sends it, and the list is empty.
    goto(drafter, f"{decision_path}/not-sent")
    expect(table).to_contain_text("Ready to send")
    submit(drafter, drafter.get_by_role("button", name="Send the rest (1)"))
    wait_for_job(drafter)
    expect(drafter.locator("#letters-left")).to_contain_text("No letters are left to send")
    goto(drafter, f"{decision_path}/not-sent")
    expect(table).to_contain_text("No letters are waiting to be sent")
