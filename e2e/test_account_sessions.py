"""Issue 18 point 6 in a real browser: a user signed in on two devices sees both sessions, signs
the other out (its next request lands on the sign-in page), and is told at the next sign-in
about the failed attempt made meanwhile."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from e2e.support.steps import signed_in

NewContext = Callable[..., BrowserContext]

USER = "auditor.demo"
OTHER_DEVICE = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sessions_table_rows(page: Page):
    return page.locator("table tbody tr")


def test_two_devices_one_signs_the_other_out_then_a_failed_attempt_is_told(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    here = signed_in(new_context, portal_server, USER)
    there = signed_in(new_context, portal_server, USER, user_agent=OTHER_DEVICE)

    submit(here, here.get_by_role("link", name="Your sessions"))
    expect(here.get_by_role("heading", level=1)).to_have_text("Your sessions")
    this_row = sessions_table_rows(here).filter(has_text="This device")
    expect(this_row).to_have_count(1)
    other_row = sessions_table_rows(here).filter(has_text="Firefox on Windows")
    expect(other_row).to_have_count(1)
    submit(here, other_row.get_by_role("button", name=re.compile(r"^Sign out of Firefox")))
    expect(here.get_by_role("alert")).to_contain_text("Signed out of that session")
    expect(sessions_table_rows(here).filter(has_text="Firefox on Windows")).to_have_count(0)

    # The other device's very next request is refused: it lands on the sign-in page.
    goto(there, "/home")
    expect(there).to_have_url(re.compile(r"/login"))
    expect(there.get_by_role("heading", level=1)).to_have_text("Sign in to the safeguarding portal")

    # Someone gets the password wrong once, then the user signs in.
    sign_in(there, USER, "not the password at all, sorry")
    expect(there.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    sign_in(there, USER, portal_server.password)
    expect(there).to_have_url(re.compile(r"/home$"))
    notice = there.get_by_role("region", name="Important")
    expect(notice).to_contain_text("1 failed sign-in attempt since you last signed in")
    expect(notice).to_contain_text("If this was not you, contact your service desk.")

    # Told once: the next page has no notice.
    goto(there, "/home")
    expect(there.get_by_role("region", name="Important")).to_have_count(0)
