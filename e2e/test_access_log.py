"""The access log shows each step with names (issue 16 point 8), in a real browser: a
prosecutor fails to sign in, signs in and is refused a page; the auditor's access log shows each
of the three with the prosecutor's name and in words, never a raw id. Every page is checked with
axe (e2e/support/journeys.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, h1, signed_in
from portal.cli import DEMO_USERS

pytestmark = pytest.mark.e2e

PROSECUTOR = next(user for user in DEMO_USERS if user.username == "prosecutor2.demo")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def filter_log(auditor: Page, *, user: str = "", action: str = "") -> None:
    auditor.get_by_label("Staff username").fill(user)
    if action:
        auditor.get_by_label("Action").select_option(label=action)
    else:
        auditor.get_by_label("Action").select_option(value="")
    submit(auditor, auditor.get_by_role("button", name="Filter"))


def open_a_case_with_people(page: Page) -> int:
    """Open a case whose page lists at least two people; how many it lists."""
    goto(page, "/cases")
    links = page.locator("#case-results tbody tr td:first-child a")
    expect(links.first).to_be_visible()
    for path in [link.get_attribute("href") for link in links.all()[:10]]:
        assert path is not None
        goto(page, path)
        tab = page.get_by_role("tab", name=re.compile(r"^Victims and witnesses"))
        if int(re.sub(r"\D", "", tab.inner_text()) or 0) >= 2:
            return min(int(re.sub(r"\D", "", tab.inner_text())), 50)
    raise AssertionError("no case with two people among the first ten")


def test_the_auditor_sees_each_step_with_names(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = new_context().new_page()
    goto(prosecutor, "/login")
    sign_in(prosecutor, PROSECUTOR.username, "not the right password at all")
    expect(prosecutor.locator(".govuk-error-summary")).to_be_visible()
    sign_in(prosecutor, PROSECUTOR.username, portal_server.password)
    expect(prosecutor).to_have_url(re.compile(r"/home$"))
    listed = open_a_case_with_people(prosecutor)
    refused = goto(prosecutor, "/audit")
    assert refused is not None and refused.status == 403
    expect(h1(prosecutor)).to_have_text("You do not have permission to do this")

    auditor = signed_in(new_context, portal_server, "auditor.demo")
    submit(auditor, auditor.get_by_role("link", name="Access log"))
    expect(h1(auditor)).to_have_text("Access log")
    entries = auditor.locator("#audit-results tbody tr")

    # The prosecutor's own steps, newest first: refused the access log, then signed in.
    filter_log(auditor, user=PROSECUTOR.username)
    expect(entries.first).to_contain_text("Was refused a page")
    expect(entries.first).to_contain_text("Page: Audit log")
    expect(entries.first).to_contain_text(PROSECUTOR.display_name)
    signed = entries.filter(has_text="Signed in")
    expect(signed.first).to_contain_text(PROSECUTOR.display_name)
    expect(signed.first).to_contain_text("Prosecutor")

    # The failed attempt had no one signed in; it names the account that was tried.
    filter_log(auditor, action="Failed to sign in")
    tried = entries.filter(has_text=f"Account: {PROSECUTOR.display_name}")
    expect(tried.first).to_contain_text("Not signed in")
    expect(tried.first).to_contain_text("Failed to sign in")

    for text in entries.all_inner_texts():
        assert not UUID.search(text), text

    # The case page's people: one entry, which opens to the references it listed.
    filter_log(auditor, user=PROSECUTOR.username, action="Viewed a person on a list")
    listing = entries.first
    expect(listing).to_contain_text(f"Viewed a list of {listed} people")
    expect(listing).to_contain_text(PROSECUTOR.display_name)
    people = listing.locator("details li")
    expect(people.first).not_to_be_visible()
    listing.locator("summary").click()
    expect(people).to_have_count(listed)
    expect(people.first).to_have_text(re.compile(r"^P-"))
