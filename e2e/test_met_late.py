"""Met late needs a reason; "not met" reasons come from the rules data (issue 15 point 6), as
the witness care officer who does it, in a real browser with axe on every page.

A hearing was listed three weeks ago and nobody told the victim: the duty to tell her is overdue.
Recording it as met today without saying why it is late is refused with an error summary (what
was typed kept); with a reason from the rules data it is recorded as met late, reason shown.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    banner,
    canary_name,
    fill_date,
    h1,
    path_of,
    signed_in,
    today,
)
from e2e.test_told_safely import seed

pytestmark = pytest.mark.e2e
DUTY = "Date, time and place of any hearing"
LATE = "We received the information late"


def test_a_late_duty_needs_its_reason_from_the_rules(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    name = canary_name("Linnet")
    urn = seed(portal_server, name, listed_days_ago=21)

    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, f"/cases?urn={urn}")
    submit(officer, officer.get_by_role("link", name=urn))
    case_id = path_of(officer).rsplit("/", 1)[1]
    goto(officer, f"/home?case={case_id}&show=overdue")
    row = officer.locator("#work-list tbody tr").filter(has_text=name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Overdue")
    submit(officer, row.get_by_role("link", name=DUTY))
    expect(h1(officer)).to_have_text(DUTY)

    fill_date(officer, "met_on", today())
    officer.get_by_label("Phone call", exact=True).check()
    officer.get_by_label("Evidence (optional)").fill("Called her; she knows the date now.")
    submit(officer, officer.get_by_role("button", name="Mark as met"))
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select why it was met late")
    expect(officer.get_by_label("Evidence (optional)")).to_have_value(
        "Called her; she knows the date now."
    )
    late = officer.get_by_role("group", name="(late): why?").get_by_role("radio")
    expect(late).not_to_have_count(0)
    for option in late.all():  # nothing pre-selected
        expect(option).not_to_be_checked()

    officer.get_by_label("Phone call", exact=True).check()
    officer.get_by_label(LATE, exact=True).check()
    submit(officer, officer.get_by_role("button", name="Mark as met"))
    expect(banner(officer)).to_contain_text("Marked as met")
    details = officer.locator(".govuk-summary-list")
    expect(details).to_contain_text("Met late")
    expect(details).to_contain_text(LATE)
