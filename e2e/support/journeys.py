"""Steps the journeys share. Every step that loads a page checks it with axe before returning."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, Response, expect

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
    """Sign in through the form on the current page (the sign-in page)."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the safeguarding portal")
    fill_sign_in(page, username, password)
    submit(page, page.get_by_role("button", name="Sign in", exact=True))


def sign_out(page: Page) -> None:
    submit(page, page.get_by_role("button", name="Sign out", exact=True))
