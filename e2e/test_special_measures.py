"""Special measures in a real browser: a witness care officer flags a child sexual exploitation
complainant; the prosecutor sees the automatic eligibility, drafts and serves an application for
a live link and s28, and records the court's grant; the witness care officer's My work then shows
the duty to tell the witness, with its due date. Every page is checked with axe (and by the CSP
guard in e2e/conftest.py)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import create_engine, text

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from e2e.support.steps import record_event
from portal.clock import LONDON, utc_now
from portal.victims_code.calendar import ENGLAND_AND_WALES

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]
WITNESS = "Robin Example-Witness"
CSE_OFFENCE = "Causing or inciting child sexual exploitation (Child sexual exploitation)"


def today() -> date:
    return utc_now().astimezone(LONDON).date()


def fill_date(page: Page, name: str, day: date) -> None:
    page.locator(f"#{name}").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


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


def open_case_with_a_child_witness(page: Page) -> tuple[str, str]:
    """As the prosecutor: open a CSE case, add the child complainant, record a not-guilty plea.
    Returns the case's path and URN."""
    urn = f"01AB{secrets.randbelow(10**7):07d}"
    goto(page, "/cases/new")
    page.get_by_label("Unique reference number (URN)").fill(urn)
    page.get_by_label("CPS Area").select_option(label="London North")
    page.get_by_label("Unit").select_option(label="Complex Casework Unit")
    page.get_by_label("Court", exact=True).select_option(label="Crown Court")
    page.get_by_label("Court name").fill("Wood Green Crown Court")
    page.get_by_label(CSE_OFFENCE).check()
    fill_date(page, "offence_date", today() - timedelta(days=120))
    page.get_by_label("Defendants").fill("Drew Defendant")
    submit(page, page.get_by_role("button", name="Open case"))
    expect(h1(page)).to_have_text(f"Case {urn}")
    case_path = re.sub(r"^https?://[^/]+", "", page.url)

    goto(page, f"{case_path}/people/new")
    page.get_by_label("Full name").fill(WITNESS)
    born = today().replace(year=today().year - 14)
    fill_date(page, "date_of_birth", born)
    page.get_by_label("Victim and witness").check()
    submit(page, page.get_by_role("button", name="Add person"))
    expect(banner(page)).to_be_visible()

    record_event(
        page,
        case_path,
        "Plea",
        today() - timedelta(days=2),
        defendant="Defendant 1",
        outcome="Not guilty",
    )
    return case_path, urn


def assign_witness_care_officer(server: PortalServer, urn: str, username: str) -> None:
    """No page assigns staff to a case yet, and `portal demo` may not place the demo witness care
    officers in a unit: assign the officer to the case directly (ids only, nothing personal)."""
    engine = create_engine(server.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE case_file SET witness_care_officer_id = "
                    "(SELECT id FROM user_account WHERE username = :username) WHERE urn = :urn"
                ),
                {"username": username, "urn": urn},
            )
    finally:
        engine.dispose()


def test_special_measures_from_flag_to_the_duty_to_tell_the_witness(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, urn = open_case_with_a_child_witness(prosecutor)
    assign_witness_care_officer(portal_server, urn, "wco.demo")

    # The witness care officer (same Area and unit) flags the complainant.
    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, f"{case_path}/special-measures")
    expect(h1(officer)).to_have_text("Special measures")
    submit(officer, officer.get_by_role("link", name=WITNESS))
    eligibility = officer.locator("#eligibility")
    expect(eligibility).to_contain_text("Complainant of a sexual offence")
    expect(eligibility).to_contain_text("Applies automatically")
    submit(officer, officer.get_by_role("button", name="Flag a need for special measures"))
    officer.get_by_label("Evidence by live link (s24)").check()
    officer.get_by_label("Video-recorded cross-examination and re-examination (s28)").check()
    officer.get_by_label("Yes, ask the prosecutor to apply").check()
    submit(officer, officer.get_by_role("button", name="Flag the need"))
    expect(banner(officer)).to_contain_text("Special measures requested of the prosecutor")

    # The prosecutor sees the automatic eligibility on the case's special measures page...
    goto(prosecutor, f"{case_path}/special-measures")
    row = prosecutor.get_by_role("row").filter(has_text=WITNESS)
    expect(row).to_contain_text("Vulnerable (s16) and intimidated (s17), automatic")
    expect(row).to_contain_text("Complainant of a sexual offence (s17(4))")
    expect(row).to_contain_text("Requested of the prosecutor")
    expect(prosecutor.locator("#deadline")).to_contain_text("Crown Court, 10 business days")

    # ...and in My work, where htmx loads the special measures applications waiting.
    goto(prosecutor, "/home")
    waiting = prosecutor.locator("#sm-work-list")
    expect(waiting).to_contain_text(WITNESS)
    check_a11y(prosecutor)  # again, with the loaded section
    submit(prosecutor, waiting.get_by_role("link", name=re.compile(r"^Draft the application")))
    submit(prosecutor, prosecutor.get_by_role("button", name="Draft the application"))
    expect(prosecutor.locator("#grounds")).to_contain_text("Complainant of a sexual offence")
    expect(prosecutor.get_by_label("Evidence by live link (s24)")).to_be_checked()
    prosecutor.get_by_label("No: the court can decide without a hearing").check()
    prosecutor.get_by_label("Live link: where will the witness give evidence from?").fill(
        "Witness Service remote live link site"
    )
    fill_date(prosecutor, "cross_examination_on", today() + timedelta(days=28))
    prosecutor.get_by_label(
        "Why would these measures improve the quality of the witness's evidence?"
    ).fill("Giving evidence away from the courtroom, recorded early, reduces distress.")
    prosecutor.get_by_label("What are the witness's views?").fill(
        "Wants to give evidence without seeing the defendant."
    )
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the draft"))
    expect(banner(prosecutor)).to_contain_text("Application drafted")

    submit(prosecutor, prosecutor.get_by_role("link", name="View the application to print"))
    expect(h1(prosecutor)).to_have_text("Application for a special measures direction")
    expect(prosecutor.locator("body")).to_contain_text("Witness Service remote live link site")
    submit(prosecutor, prosecutor.get_by_role("link", name="Back to the application"))

    submit(prosecutor, prosecutor.get_by_role("button", name="Record that it was served"))
    submit(prosecutor, prosecutor.get_by_role("button", name="Record as served"))
    expect(banner(prosecutor)).to_contain_text("Application served")

    submit(prosecutor, prosecutor.get_by_role("button", name="Record the court's decision"))
    prosecutor.get_by_label("Granted", exact=True).check()
    fill_date(prosecutor, "decided_on", today())
    submit(prosecutor, prosecutor.get_by_role("button", name="Record the decision"))
    expect(banner(prosecutor)).to_contain_text(
        "Decision recorded: the witness care unit must tell the witness"
    )
    expect(prosecutor.locator("#history")).to_contain_text("Decided by the court: Granted")

    # The witness care officer now owes the witness the outcome: enhanced rights, 1 working day.
    due = ENGLAND_AND_WALES.add_working_days(today(), 1)
    goto(officer, "/home?show=due_soon")
    duty = officer.locator("#work-list tbody tr").filter(has_text=WITNESS)
    expect(duty).to_have_count(1)
    expect(duty).to_contain_text("Outcome of a special measures application")
    expect(duty).to_contain_text(f"{due:%a} {due.day} {due:%b %Y}")
