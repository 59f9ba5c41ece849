"""Steps the journeys share. Every step that loads a page checks it with axe before returning."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, Response, expect

from e2e.support import authenticator
from e2e.support.a11y import check_a11y


def goto(page: Page, path: str) -> Response | None:
    """Open ``path`` (relative to the portal's URL) and check the page it lands on."""
    response = page.goto(path)
    check_a11y(page)
    return response


def submit(page: Page, control: Locator) -> None:
    """Click a control that loads a new page (a submit button or a link), then check that page."""
    with page.expect_navigation(wait_until="load"):
        control.click()
    check_a11y(page)


def go_back(page: Page) -> None:
    page.go_back(wait_until="load")
    check_a11y(page)


def fill_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the form on the current page (the sign-in page), then pass the second
    factor if the password was right: a code, or setting up the app at a first sign-in."""
    sign_in_password_only(page, username, password)
    if urlsplit(page.url).path == "/second-factor":
        pass_second_factor(page, username)


def sign_in_password_only(page: Page, username: str, password: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the safeguarding portal")
    fill_sign_in(page, username, password)
    submit(page, page.get_by_role("button", name="Sign in", exact=True))


def pass_second_factor(page: Page, username: str) -> None:
    """On the factor step: set up the app (first sign-in), else type the code it shows."""
    if page.get_by_role("heading", name="Set up your authenticator app").count():
        enrol(page, username)
        return
    code = authenticator.next_code(username)
    if code is None:  # this step's code is used: a recovery code, as a person would
        submit(page, page.get_by_role("link", name="Use a recovery code instead"))
        page.get_by_label("Recovery code").fill(authenticator.recovery_code(username))
    else:
        page.get_by_label("Enter the code from your authenticator app").fill(code)
    submit(page, page.get_by_role("button", name="Continue", exact=True))


def enrol(page: Page, username: str) -> list[str]:
    """Set up the authenticator app through the pages; returns the recovery codes shown."""
    submit(page, page.get_by_role("button", name="Continue", exact=True))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    authenticator.remember(username, page.locator("#factor-secret").inner_text())
    page.get_by_label("Enter the 6-digit code your app now shows").fill(
        authenticator.unused_code(username)
    )
    submit(page, page.get_by_role("button", name="Continue", exact=True))
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    submit(page, page.get_by_role("link", name=re.compile("continue")))
    return codes


def sign_out(page: Page) -> None:
    submit(page, page.get_by_role("button", name="Sign out", exact=True))
