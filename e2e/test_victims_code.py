"""Victims' Code deadlines in a real browser (issue 5): a prosecutor opens a fraud case with a
child victim (enhanced rights, from the date of birth) and an adult victim (standard rights) and
records a discontinuance that ends all proceedings. The Victim Liaison Unit officer's My work then
shows both letters owed (R6-CPS-DISCONTINUANCE) with the right due dates: 1 working day after the
decision for the enhanced victim, 5 for the standard one; the obligation page explains its date;
neither can be marked met by hand (only sending the letter meets it). The witness care
officer's My work shows neither.

The expected dates are worked out here, independently of the portal's calendar: a plain walk over
weekdays that skips the England and Wales bank holidays listed in shared/domain-rules.md s8."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    add_person,
    assert_not_logged,
    canary_address,
    canary_dob,
    canary_name,
    h1,
    open_case,
    record_event,
    signed_in,
    summary_value,
    today,
)

pytestmark = pytest.mark.e2e

FRAUD = "Fraud by false representation (Fraud)"
ENTITLEMENT = "CPS decision to discontinue (decision letter)"

# England and Wales bank holidays, 2025-2027 (shared/domain-rules.md section 8).
BANK_HOLIDAYS = frozenset(
    {
        date(2025, 1, 1),
        date(2025, 4, 18),
        date(2025, 4, 21),
        date(2025, 5, 5),
        date(2025, 5, 26),
        date(2025, 8, 25),
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day is a Saturday: substitute Monday
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),  # Christmas Day is a Saturday: substitute Monday
        date(2027, 12, 28),  # Boxing Day is a Sunday: substitute Tuesday
    }
)


def working_day(day: date) -> bool:
    if not date(2025, 1, 1) <= day <= date(2027, 12, 31):
        # Fail loudly rather than skip: a skip here would silently drop this journey from CI.
        pytest.fail(
            f"{day} is outside the bank holidays this test knows (2025-2027): extend "
            "BANK_HOLIDAYS from the gov.uk list"
        )
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def working_days_after(start: date, count: int) -> date:
    """Day 1 is the first working day after ``start``."""
    day = start
    while count:
        day += timedelta(days=1)
        if working_day(day):
            count -= 1
    return day


def last_working_day_before(day: date) -> date:
    day -= timedelta(days=1)
    while not working_day(day):
        day -= timedelta(days=1)
    return day


def shown(day: date) -> str:
    """How My work and the obligation page show a date: 'Mon 23 Nov 2026'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def bucket(due: date) -> str:
    """My work's filter that lists an obligation due on ``due`` (it is not overdue here)."""
    assert due >= today()
    return "due_today" if due == today() else "due_soon"


def work_row(page: Page, name: str) -> Locator:
    return page.locator("#work-list tbody tr").filter(has_text=name)


def test_discontinuance_gives_the_vlu_letters_due_in_working_days(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    decided = last_working_day_before(today())
    offence_date = decided - timedelta(days=200)
    child = canary_name("Kit")
    adult = canary_name("Morwenna")
    child_born = canary_dob(offence_date.replace(year=offence_date.year - 15, day=3))
    adult_born = canary_dob(offence_date.replace(year=offence_date.year - 41, day=5))
    addresses = [canary_address(), canary_address()]

    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, urn = open_case(prosecutor, offence=FRAUD, offence_date=offence_date)
    add_person(prosecutor, case_path, child, born=child_born, address=addresses[0])
    rights = prosecutor.locator("#rights ~ ul").first
    expect(rights).to_contain_text("Under 18 at")
    expect(
        prosecutor.locator("p.govuk-body > .govuk-tag", has_text="Enhanced rights")
    ).to_be_visible()
    add_person(prosecutor, case_path, adult, born=adult_born, address=addresses[1])
    expect(prosecutor.locator("#rights ~ ul").first).to_contain_text("18 or over at")
    expect(
        prosecutor.locator("p.govuk-body > .govuk-tag", has_text="Enhanced rights")
    ).to_have_count(0)
    record_event(prosecutor, case_path, "Discontinuance", decided, ends_all_proceedings=True)

    enhanced_due = working_days_after(decided, 1)
    standard_due = working_days_after(decided, 5)
    expected = {child: (enhanced_due, "Enhanced"), adult: (standard_due, "Standard")}

    # The Victim Liaison Unit officer's My work (their home page).
    vlu = signed_in(new_context, portal_server, "vlu.demo")
    expect(h1(vlu)).to_have_text("My work")
    for name, (due, rights_then) in expected.items():
        goto(vlu, f"/home?show={bucket(due)}")
        row = work_row(vlu, name)
        expect(row).to_have_count(1)
        cells = row.get_by_role("cell")
        expect(cells.nth(0).locator("time")).to_have_text(shown(due))
        expect(cells.nth(0).locator("time")).to_have_attribute("datetime", due.isoformat())
        if rights_then == "Enhanced":
            expect(cells.nth(0)).to_contain_text("Enhanced rights")
        else:
            expect(cells.nth(0)).not_to_contain_text("Enhanced rights")
        expect(cells.nth(2)).to_have_text(ENTITLEMENT)
        expect(cells.nth(3)).to_have_text(urn)

    # The standard victim's obligation explains its due date.
    goto(vlu, f"/home?show={bucket(standard_due)}")
    submit(vlu, work_row(vlu, adult).get_by_role("link", name=ENTITLEMENT))
    expect(h1(vlu)).to_have_text(ENTITLEMENT)
    explanation = summary_value(vlu, "Due")
    expect(explanation).to_contain_text(f"Due {shown(standard_due)}")
    expect(explanation).to_contain_text(f"{decided:%a} {decided.day} {decided:%b}")
    expect(explanation).to_contain_text("standard rights, 5 working days")
    if any(d in BANK_HOLIDAYS for d in _days_between(decided, standard_due)):
        expect(explanation).to_contain_text("bank holiday")
    expect(summary_value(vlu, "Owed by")).to_contain_text(
        re.compile("Victim Liaison Unit", re.IGNORECASE)
    )
    expect(summary_value(vlu, "Rights at the time")).to_have_text("Standard")

    # A VCL letter duty is met only by sending the letter: My work offers no "Mark met today".
    goto(vlu, f"/home?show={bucket(enhanced_due)}")
    row = work_row(vlu, child)
    expect(row.get_by_label("Told by")).to_have_count(0)
    expect(row.get_by_role("button", name=re.compile(r"^Mark met today"))).to_have_count(0)
    expect(row).to_contain_text("Met by sending the letter")
    check_a11y(vlu)

    # The witness care officer's My work does not list the Victim Liaison Unit's letters.
    officer = signed_in(new_context, portal_server, "wco.demo")
    for show in sorted({bucket(enhanced_due), bucket(standard_due)}):
        goto(officer, f"/home?show={show}")
        expect(officer.locator("#work-list tbody tr").filter(has_text=ENTITLEMENT)).to_have_count(0)
        for name in expected:
            expect(work_row(officer, name)).to_have_count(0)

    assert_not_logged(
        portal_server.log_path,
        [child, adult, *addresses, child_born.isoformat(), adult_born.isoformat()],
    )


def _days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
