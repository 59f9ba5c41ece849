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


def test_the_auditor_sees_each_step_with_names(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = new_context().new_page()
    goto(prosecutor, "/login")
    sign_in(prosecutor, PROSECUTOR.username, "not the right password at all")
    expect(prosecutor.locator(".govuk-error-summary")).to_be_visible()
    sign_in(prosecutor, PROSECUTOR.username, portal_server.password)
    expect(prosecutor).to_have_url(re.compile(r"/home$"))
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
