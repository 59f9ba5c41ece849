"""Decision letters in a real browser: a prosecutor discontinues a fraud case with an enhanced and
a standard victim and gives reasons; one VLU officer drafts both letters (the readability score
follows the typing), a second officer checks them against the quality checklist, and the letters
are sent, the one by post refused for the victim whose safe-contact rules forbid it. The Victims'
Code obligations then show as met on time. Every page is checked with axe (and by the CSP guard
in e2e/conftest.py)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from e2e.support.steps import record_event
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases.importer import NewPerson, insert_people
from portal.cases.service import NewCase, open_case
from portal.clock import LONDON, utc_now
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.service import SafeContact
from portal.settings import Settings
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]
ENHANCED = "Edna Example-Enhanced"
STANDARD = "Sam Example-Standard"
REASONS = (
    "We looked at all the evidence again. The main witness has moved abroad and cannot come "
    "back to give evidence. Without their evidence there is not enough to prove the case."
)


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def banner(page: Page):
    return page.locator(".govuk-notification-banner--success")


def signed_in(new_context: NewContext, server: PortalServer, username: str) -> Page:
    page = new_context().new_page()
    goto(page, "/login")
    sign_in(page, username, server.password)
    expect(page).to_have_url(re.compile(r"/home$"))
    return page


def seed_case(server: PortalServer, enhanced: str = ENHANCED, standard: str = STANDARD) -> str:
    """A London North fraud case for prosecutor.demo with two victims and their safe-contact
    rules (there is no page for bulk victims yet), written through the real services against the
    server's database and key file. Returns the case id. Another journey on the same server
    names its victims otherwise (the VLU queue finds them by name)."""
    settings = Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(server.instance_dir),
            "PORTAL_DATABASE_URL": server.database_url,
        }
    )
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            users = {
                u.username: u
                for u in db.scalars(
                    select(User).where(
                        User.username.in_(["prosecutor.demo", "vlu.demo", "vlu2.demo"])
                    )
                )
            }
            for user in users.values():
                user.area = "london-north"  # the demo places them there; make sure
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
                    defendant_names=("Drew Defendant",),
                ),
            )
            insert_people(
                db,
                vault,
                actor,
                case,
                [
                    NewPerson(
                        full_name=enhanced,
                        address="1 Example Road, Exampleton",
                        vulnerable=True,
                        safe_contact=SafeContact(channels=("letter",)),
                    ),
                    NewPerson(
                        full_name=standard,
                        address="2 Example Road, Exampleton",
                        email="sam@example.com",
                        phone="07700 900123",
                        safe_contact=SafeContact(channels=("email", "phone"), no_voicemail=True),
                    ),
                ],
            )
            return str(case.id)
    finally:
        engine.dispose()


def open_from_queue(page: Page, name: str) -> str:
    """Open the victim's letter from the queue (the demo's own letters are overdue, so they come
    first: show only those due soon). Returns the letter page's path."""
    goto(page, "/vlu?due=due_soon")
    submit(page, page.get_by_role("link", name=name))
    expect(h1(page)).to_have_text(f"Decision letter for {name}")
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_decision_letters_from_reasons_to_sent_on_time(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    case_id = seed_case(portal_server)
    today = utc_now().astimezone(LONDON).date()

    # The prosecutor records the discontinuance and gives the reasons.
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    record_event(
        prosecutor, f"/cases/{case_id}", "Discontinuance", today, ends_all_proceedings=True
    )

    navigation = prosecutor.get_by_role("navigation", name="Menu")
    submit(prosecutor, navigation.get_by_role("link", name="Decision letters"))
    expect(h1(prosecutor)).to_have_text("Decision letters")
    goto(prosecutor, "/vlu?due=due_soon&state=requested")
    row = prosecutor.get_by_role("row").filter(has_text=ENHANCED)
    expect(row).to_contain_text("Waiting for reasons")
    submit(prosecutor, row.get_by_role("link", name="Discontinuance"))
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the reasons"))
    expect(prosecutor.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reasons for the decision"
    )
    # Over the limit: the character count says so as they type, and the server refuses it
    # (an unbroken 5,001-character string, which must not widen the page either).
    reasons_box = prosecutor.get_by_label("Why did you make this decision?")
    reasons_box.fill("x" * 5001)
    expect(prosecutor.locator(".govuk-character-count__status")).to_contain_text(
        "1 character too many"
    )
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the reasons"))
    expect(prosecutor.locator(".govuk-error-summary")).to_contain_text(
        "The reasons must be 5,000 characters or fewer"
    )
    widths = prosecutor.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    prosecutor.get_by_label("Why did you make this decision?").fill(REASONS)
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the reasons"))
    expect(banner(prosecutor)).to_contain_text("2 letters can now be drafted")

    # The VLU officer drafts both letters; the enhanced victim's is first in the queue.
    drafter = signed_in(new_context, portal_server, "vlu.demo")
    goto(drafter, "/vlu?category=fraud&due=due_soon")
    rows = drafter.locator("#vlu-queue tbody tr")
    expect(rows.filter(has_text=ENHANCED)).to_contain_text("Enhanced rights")
    paths: dict[str, str] = {}
    for name in (ENHANCED, STANDARD):
        paths[name] = open_from_queue(drafter, name)
        letter = drafter.get_by_label("Draft the letter")
        expect(letter).to_have_value(re.compile(f"^Dear {name}"))
        expect(drafter.locator("#readability")).to_contain_text("plain English target")
        # The score follows the typing (htmx, under the portal's CSP).
        letter.focus()
        drafter.keyboard.press("Control+End")
        letter.type(" Notwithstanding the aforementioned evidential considerations.")
        expect(drafter.locator("#readability")).to_contain_text(
            "Not plain English: explain or replace"
        )
        check_a11y(drafter)
        submit(drafter, drafter.get_by_role("button", name="Start again from the template"))
        submit(drafter, drafter.get_by_role("button", name="Save the letter"))
        expect(banner(drafter)).to_contain_text("Letter saved")
        expect(drafter.locator("main")).to_contain_text("a different Victim Liaison Unit officer")

    # A second officer checks both against the quality checklist.
    checker = signed_in(new_context, portal_server, "vlu2.demo")
    for name in (ENHANCED, STANDARD):
        goto(checker, paths[name])
        for point in ("Accurate", "Empathetic", "Explains the reasons", "Explains the victim"):
            checker.get_by_label(re.compile(f"^{point}")).check()
        submit(checker, checker.get_by_role("button", name="Approve the letter"))
        expect(banner(checker)).to_contain_text("Letter approved")

    # Sending: post is refused for the victim whose rules allow only email and phone.
    goto(drafter, paths[STANDARD])
    drafter.get_by_label("Letter by post").check()
    submit(drafter, drafter.get_by_role("button", name="Send the letter"))
    summary = drafter.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Letter by post is not a safe way to contact this victim")
    expect(summary).to_contain_text("email, phone")
    drafter.get_by_label("Email", exact=True).check()
    submit(drafter, drafter.get_by_role("button", name="Send the letter"))
    expect(banner(drafter)).to_contain_text("Letter sent")
    goto(drafter, paths[ENHANCED])
    drafter.get_by_label("Letter by post").check()
    submit(drafter, drafter.get_by_role("button", name="Send the letter"))
    expect(banner(drafter)).to_contain_text("Letter sent")

    # The obligations show as met on time.
    expect(drafter.locator("main")).to_contain_text("Met on time")
    submit(drafter, drafter.get_by_role("link", name="How this date was worked out"))
    expect(drafter.locator("main")).to_contain_text("Met on time")
    goto(drafter, paths[STANDARD])
    expect(drafter.locator("main")).to_contain_text("Met on time")
    submit(drafter, drafter.get_by_role("link", name="View the letter to print"))
    expect(drafter.locator("main")).to_contain_text(f"Dear {STANDARD}")
