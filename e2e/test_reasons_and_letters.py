"""The prosecutor's reasons and a letter fit to post, in a real browser (issue 16 points 3 and 5):
the prosecutor writes the reasons in a GOV.UK character count (a 5,000-character unbroken string
wraps: the page is no wider than the window), changes them, and sees every version; a VLU
officer drafts the letter from the changed reasons and sees the printable letter with the
victim's address block, the unit's contact details, the date and a reference, and no protective
marking. axe runs on every page (e2e.support.journeys)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import record_event
from e2e.test_vlu import (
    NewContext,
    banner,
    h1,
    open_from_queue,
    seed_case,
    signed_in,
)
from portal.clock import LONDON, utc_now
from portal.vlu.directory import directory
from portal.vlu.letters import long_date

pytestmark = pytest.mark.e2e

CHANGED = (
    "We looked at all the evidence again. The main witness has moved abroad and cannot come "
    "back to give evidence. Without their evidence we cannot prove the case."
)

ENHANCED = "Erin Reasons-Enhanced"


def no_wider_than_the_window(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] + 2, widths


def test_reasons_with_their_history_and_a_letter_fit_to_post(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    case_id = seed_case(portal_server, enhanced=ENHANCED, standard="Stan Reasons-Standard")
    today = utc_now().astimezone(LONDON).date()
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    record_event(
        prosecutor, f"/cases/{case_id}", "Discontinuance", today, ends_all_proceedings=True
    )
    goto(prosecutor, "/vlu?due=due_soon&state=requested")
    row = prosecutor.get_by_role("row").filter(has_text=ENHANCED)
    submit(prosecutor, row.get_by_role("link", name="Discontinuance"))

    # A 5,000-character unbroken string: the count reaches the limit, and once saved the page
    # still fits the window.
    box = prosecutor.get_by_label("Why did you make this decision?")
    box.fill("x" * 5000)
    expect(prosecutor.locator(".govuk-character-count__status")).to_contain_text(
        "You have 0 characters remaining"
    )
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the reasons"))
    expect(banner(prosecutor)).to_contain_text("2 letters can now be drafted")
    no_wider_than_the_window(prosecutor)

    # The reasons can be changed until a letter is sent; both versions are shown.
    expect(prosecutor.locator("#change-reasons")).to_have_text("Change the reasons")
    edit = prosecutor.get_by_label("Why did you make this decision?")
    expect(edit).to_have_value("x" * 5000)
    edit.fill(CHANGED)
    expect(prosecutor.locator(".govuk-character-count__status")).to_contain_text(
        f"You have {5000 - len(CHANGED):,} characters remaining"
    )
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the changed reasons"))
    expect(banner(prosecutor)).to_contain_text("Reasons changed")
    history = prosecutor.locator("#reasons-history")
    expect(history).to_be_visible()
    expect(prosecutor.locator("#reasons-version-2")).to_contain_text("Version 2 (in use)")
    expect(prosecutor.locator("#reasons-version-2")).to_contain_text(CHANGED)
    expect(prosecutor.locator("#reasons-version-1")).to_contain_text("x" * 100)
    no_wider_than_the_window(prosecutor)  # the old 5,000-character version wraps too

    # The VLU officer drafts from the changed reasons and sees the letter as it will be posted.
    drafter = signed_in(new_context, portal_server, "vlu.demo")
    path = open_from_queue(drafter, ENHANCED)
    letter = drafter.get_by_label("Draft the letter")
    expect(letter).to_have_value(re.compile(re.escape(CHANGED)))
    submit(drafter, drafter.get_by_role("button", name="Save the letter"))
    expect(banner(drafter)).to_contain_text("Letter saved")
    expect(drafter.locator("#file-marking-top")).to_contain_text("OFFICIAL-SENSITIVE")

    goto(drafter, f"{path}/letter")
    unit = directory().unit_for("london-north")
    recipient = drafter.locator("#letter-recipient")
    expect(recipient).to_contain_text(ENHANCED)
    expect(recipient).to_contain_text("1 Example Road")
    expect(recipient).to_contain_text("Exampleton")
    contact = drafter.locator("#letter-contact")
    for detail in (*unit.address, unit.phone, unit.email):
        expect(contact).to_contain_text(detail)
    expect(drafter.locator("#letterhead")).to_contain_text(directory().letterhead)
    expect(drafter.locator("#letter-date")).to_have_text(long_date(today))
    expect(drafter.locator("#letter-reference")).to_contain_text("Our reference: ")
    main = drafter.locator("main")
    expect(main).to_contain_text(CHANGED)
    expect(main).to_contain_text("Victims' Right to Review")
    expect(main).not_to_contain_text("OFFICIAL")
    expect(h1(drafter)).to_have_text("Decision letter")
    no_wider_than_the_window(drafter)
