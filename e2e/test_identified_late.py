"""Victims identified late keep their rights (issue 15.2), in a real browser, axe on every page.

A prosecutor opens a trafficking case with one adult victim and records a discontinuance that
ends all proceedings. Weeks later a child trafficking victim is identified and added. The
Victim Liaison Unit officer's My work lists her VCL letter duty, due 1 working day from the day
she was identified (she is a child: enhanced rights); its page says "Identified late" and shows
the date of the decision that gave her the right; her rights page says the same.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    add_person,
    canary_name,
    h1,
    open_case,
    record_event,
    signed_in,
    summary_value,
    today,
)
from portal.victims_code.calendar import ENGLAND_AND_WALES

pytestmark = pytest.mark.e2e

TRAFFICKING = "with a view to exploitation (human trafficking)"
ENTITLEMENT = "CPS decision to discontinue (decision letter)"


def weekday_before(day: date, days: int) -> date:
    day -= timedelta(days=days)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_a_child_victim_added_after_a_discontinuance_gets_her_vcl_duty(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    decided = weekday_before(today(), 21)
    offence_date = decided - timedelta(days=120)
    adult = canary_name("Ada")
    child = canary_name("Kit")

    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, urn = open_case(prosecutor, offence=TRAFFICKING, offence_date=offence_date)
    add_person(prosecutor, case_path, adult, born=date(1985, 2, 2))
    record_event(prosecutor, case_path, "Discontinuance", decided, ends_all_proceedings=True)
    # Identified weeks later: a 15-year-old.
    added = add_person(
        prosecutor, case_path, child, born=offence_date.replace(year=offence_date.year - 15)
    )

    due = ENGLAND_AND_WALES.add_working_days(today(), 1)
    vlu = signed_in(new_context, portal_server, "vlu.demo")
    goto(vlu, "/home?show=due_soon" if due > today() else "/home?show=due_today")
    row = vlu.locator("#work-list tbody tr").filter(has_text=child)
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(0).locator("time")).to_have_attribute("datetime", due.isoformat())
    expect(cells.nth(0)).to_contain_text("Enhanced rights")
    expect(cells.nth(2)).to_have_text(ENTITLEMENT)
    expect(cells.nth(3)).to_have_text(urn)

    submit(vlu, row.get_by_role("link", name=ENTITLEMENT))
    expect(h1(vlu)).to_have_text(ENTITLEMENT)
    late = summary_value(vlu, "Identified late")
    expect(late).to_contain_text(f"Identified on {today().day} {today():%B %Y}")
    expect(late).to_contain_text(f"after the event of {decided.day} {decided:%B %Y}")
    expect(summary_value(vlu, "Due")).to_contain_text(f"{due:%a} {due.day} {due:%b %Y}")
    expect(summary_value(vlu, "Rights at the time")).to_have_text("Enhanced")

    # Her rights page, as the prosecutor.
    goto(prosecutor, f"{added.path}/rights")
    expect(h1(prosecutor)).to_have_text("Victims' Code rights")
    right6 = prosecutor.locator("li").filter(has_text=ENTITLEMENT)
    expect(right6).to_contain_text("Identified late")
    expect(right6).to_contain_text(re.compile(rf"from an event of {decided.day} "))
