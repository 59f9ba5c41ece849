"""Signing in and out in a real browser, for every role, with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from e2e.support.journeys import go_back, goto, sign_in, sign_out, submit
from e2e.support.passkeys import submit_with_passkey
from e2e.support.server import PortalServer
from portal.accounts.roles import Role
from portal.cli import DEMO_USERS, DemoUser

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]

SIGN_IN_HEADING = "Sign in to the safeguarding portal"
SIGNED_OUT_HEADING = "You have signed out"
WRONG_DETAILS = "Enter a correct username and password"

# Written out rather than read from the templates, so a changed home page fails here.
HOME_HEADINGS = {
    Role.WITNESS_CARE_OFFICER: "My work",
    Role.PROSECUTOR: "My work",
    Role.VLU_OFFICER: "My work",
    Role.AUDITOR: "Overview",
    Role.ADMIN: "Overview",
}

# One demo account per role for the role journeys. Other tests use the second accounts so that
# failed attempts (which count towards throttling) never clash with these.
FIRST_OF_EACH_ROLE = list({user.role: user for user in reversed(DEMO_USERS)}.values())[::-1]
THROTTLED_USER = "wco2.demo"
ERROR_SUMMARY_USER = "prosecutor2.demo"
NO_JS_USER = next(user for user in DEMO_USERS if user.username == "vlu2.demo")


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def expect_signed_in_home(page: Page, user: DemoUser) -> None:
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(h1(page)).to_have_text(HOME_HEADINGS[user.role])
    header_user = page.locator(".portal-header-user__name")
    expect(header_user).to_contain_text(user.display_name)
    expect(header_user).to_contain_text(user.role.label)


def expect_nothing_personal(page: Page, user: DemoUser) -> None:
    expect(page.locator("body")).not_to_contain_text(user.display_name)
    expect(page.locator(".portal-header-user")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_every_role_has_a_demo_account() -> None:
    assert {user.role for user in FIRST_OF_EACH_ROLE} == set(Role)
    assert set(HOME_HEADINGS) == set(Role)


@pytest.mark.parametrize("user", FIRST_OF_EACH_ROLE, ids=lambda user: user.role.value)
def test_sign_in_and_out(page: Page, portal_server: PortalServer, user: DemoUser) -> None:
    goto(page, "/")
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, user.username, portal_server.password)
    expect_signed_in_home(page, user)

    sign_out(page)
    expect(page).to_have_url(re.compile(r"/signed-out$"))
    expect(h1(page)).to_have_text(SIGNED_OUT_HEADING)
    expect_nothing_personal(page, user)

    # Back to the signed-in page: the browser must not show it again from any cache.
    go_back(page)
    assert path_of(page) in {"/login", "/signed-out"}, page.url
    expect(h1(page)).to_have_text(re.compile(f"^({SIGN_IN_HEADING}|{SIGNED_OUT_HEADING})$"))
    expect_nothing_personal(page, user)

    goto(page, "/home")
    expect(page).to_have_url(re.compile(r"/login\?next=/home$"))
    expect(h1(page)).to_have_text(SIGN_IN_HEADING)
    expect_nothing_personal(page, user)


def test_wrong_password_shows_an_error_summary(page: Page, portal_server: PortalServer) -> None:
    goto(page, "/login")
    sign_in(page, ERROR_SUMMARY_USER, "not-the-right-password")

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_text(WRONG_DETAILS)
    expect(links).to_have_attribute("href", "#username")

    username = page.get_by_label("Username", exact=True)
    expect(username).to_have_value(ERROR_SUMMARY_USER)
    expect(username).to_have_attribute("aria-describedby", re.compile(r"\busername-error\b"))
    expect(page.locator("#username-error")).to_contain_text(WRONG_DETAILS)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")

    links.click()
    expect(username).to_be_focused()
    expect(page.locator(".portal-header-user")).to_have_count(0)


def test_repeated_failures_lock_the_account(page: Page, portal_server: PortalServer) -> None:
    goto(page, "/login")
    for attempt in range(11):
        sign_in(page, THROTTLED_USER, f"wrong-password-{attempt}")
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    sign_in(page, THROTTLED_USER, portal_server.password)
    expect(page).to_have_url(re.compile(r"/login$"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Too many attempts to sign in to this account")
    expect(page.locator(".portal-header-user")).to_have_count(0)

    goto(page, "/home")
    expect(page).to_have_url(re.compile(r"/login\?next=/home$"))


def test_sign_in_and_out_without_javascript(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    # Pages in this context run no script, so check_a11y checks a JavaScript-enabled replay of
    # each one (e2e/support/a11y.py).
    page = new_context(java_script_enabled=False).new_page()
    goto(page, "/login")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.get_by_role("button", name="Show password")).to_be_hidden()

    sign_in(page, NO_JS_USER.username, portal_server.password)
    expect_signed_in_home(page, NO_JS_USER)

    sign_out(page)
    expect(page).to_have_url(re.compile(r"/signed-out$"))
    expect(h1(page)).to_have_text(SIGNED_OUT_HEADING)
    expect_nothing_personal(page, NO_JS_USER)

    goto(page, "/home")
    expect(page).to_have_url(re.compile(r"/login\?next=/home$"))


def test_two_administrators_add_a_user_who_chooses_their_own_password(
    page: Page, new_context: NewContext, portal_server: PortalServer
) -> None:
    asker = next(user for user in DEMO_USERS if user.username == "admin.demo")
    approver = next(user for user in DEMO_USERS if user.username == "admin2.demo")
    goto(page, "/login")
    sign_in(page, asker.username, portal_server.password)
    expect_signed_in_home(page, asker)

    navigation = page.get_by_role("navigation", name="Menu")
    submit(page, navigation.get_by_role("link", name="Users"))
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(h1(page)).to_have_text("Users")
    expect(navigation.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")

    submit(page, page.get_by_role("button", name="Ask for a new account"))
    expect(page).to_have_url(re.compile(r"/admin/users/new$"))
    expect(h1(page)).to_have_text("Ask for a new account")
    expect(page.locator('input[type="password"]')).to_have_count(0)  # nobody chooses it for them
    ask = page.get_by_role("button", name="Ask for account", exact=True)

    # Nothing filled in: every problem is listed, each linking to its field.
    submit(page, ask)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Ask for a new account"))
    expected = {
        "#display_name": "Enter the person's full name",
        "#username": "Enter a username",
        "#role": "Select a role",
    }
    links = summary.get_by_role("link")
    expect(links).to_have_count(len(expected))
    found = {link.get_attribute("href"): link.inner_text() for link in links.all()}
    assert found == expected

    # Some fields filled in, one of them wrongly: what was typed is kept.
    page.get_by_label("Full name").fill("Jordan Example")
    page.get_by_label("Username").fill("not a username!")
    page.get_by_label("Witness care officer").check()
    submit(page, ask)
    expect(page.get_by_label("Full name")).to_have_value("Jordan Example")
    expect(page.get_by_label("Username")).to_have_value("not a username!")
    expect(page.get_by_label("Witness care officer")).to_be_checked()
    expect(summary.get_by_role("link")).to_have_text(
        [
            re.compile(r"letters, numbers, \. - and _ only$"),
            "Select the Area this witness care officer works in",
            "Select the unit this witness care officer works in",
        ]
    )

    page.get_by_label("Username").fill("jordan.example")
    page.get_by_label("Auditor").check()
    submit(page, ask)
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Another administrator must approve it")
    waiting = page.get_by_role("table", name="Accounts waiting for approval")
    row = waiting.get_by_role("row").filter(has_text="jordan.example")
    expect(row.get_by_role("cell")).to_have_text(
        [
            "Jordan Example",
            "jordan.example",
            "Auditor",
            "You",
            re.compile(r"\d{4} at "),
            re.compile("View"),
        ]
    )
    # The administrator who asked cannot approve.
    submit(page, row.get_by_role("link", name=re.compile("^View")))
    expect(page.locator(".govuk-inset-text")).to_contain_text("A different administrator")
    expect(page.get_by_role("radio")).to_have_count(0)
    sign_out(page)

    # A second administrator reviews what was asked for, and by whom.
    goto(page, "/login")
    sign_in(page, approver.username, portal_server.password)
    goto(page, "/admin/users")
    waiting = page.get_by_role("table", name="Accounts waiting for approval")
    row = waiting.get_by_role("row").filter(has_text="jordan.example")
    expect(row.get_by_role("cell").nth(3)).to_have_text(asker.display_name)
    submit(page, row.get_by_role("link", name=re.compile("^Review")))
    expect(h1(page)).to_have_text("Jordan Example")
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("Auditor")
    expect(details).to_contain_text(f"{asker.display_name} ({asker.username})")
    approve = page.get_by_label("Approve: create the account")
    expect(approve).not_to_be_checked()
    expect(page.get_by_label("Refuse: no account")).not_to_be_checked()
    save = page.get_by_role("button", name="Save decision")
    submit_with_passkey(page, save)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether to approve or refuse this request"
    )
    page.get_by_label("Approve: create the account").check()
    submit(page, save)
    expect(h1(page)).to_have_text("Account approved")
    code = page.locator(".portal-setup-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", code), code
    goto(page, "/admin/users")
    row = (
        page.get_by_role("table", name="Staff accounts")
        .get_by_role("row")
        .filter(has_text="jordan.example")
    )
    expect(row.get_by_role("cell").nth(3)).to_have_text("Not set up yet")

    # The new user sets their own password with the code, then signs in with it.
    other = new_context().new_page()
    goto(other, "/login")
    submit(other, other.get_by_role("link", name=re.compile("Set up your account")))
    expect(h1(other)).to_have_text("Set up your account")
    other.get_by_label("Set-up code").fill(code.lower())
    other.get_by_label("Choose a password", exact=True).fill("short-one")
    set_password = other.get_by_role("button", name="Set password")
    submit(other, set_password)
    expect(other.locator(".govuk-error-summary")).to_contain_text(
        "Password must be 15 characters or more"
    )
    expect(other.get_by_label("Set-up code")).to_have_value(code.lower())
    expect(other.get_by_label("Choose a password", exact=True)).to_have_value("")
    new_password = "quartz-harbour-lantern-91"
    other.get_by_label("Choose a password", exact=True).fill(new_password)
    submit(other, set_password)
    expect(other).to_have_url(re.compile(r"/login\?ready=1$"))
    expect(other.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your password is set"
    )
    sign_in(other, "jordan.example", new_password)
    expect_signed_in_home(other, DemoUser("jordan.example", "Jordan Example", Role.AUDITOR))
