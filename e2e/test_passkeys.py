"""Issue 18 point 2 in a real browser: a prosecutor registers a passkey with Chromium's virtual
authenticator (the DevTools protocol's WebAuthn domain) on Your passkeys, and uses it to step up
before asking to unmask a sealed witness; a code from the authenticator app is not enough for
that. Without JavaScript, Your passkeys says passkeys need it (the app keeps working). Every
page is checked with axe."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from e2e.support import passkeys
from e2e.support.journeys import goto, sign_in_password_only, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    add_person,
    assert_not_logged,
    banner,
    canary_name,
    draft_anonymity_application,
    h1,
    open_case,
    signed_in,
    today,
)

pytestmark = pytest.mark.e2e

REASON = "To check the witness's identity against the court's list before the hearing"


def test_a_prosecutor_registers_a_passkey_and_uses_it_to_step_up_before_unmasking(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    passkeys.virtual_authenticator(prosecutor)

    # Your passkeys, from Your sessions: the browser makes one (earlier journeys may have made
    # another for this user, in the passkey prompt).
    goto(prosecutor, "/account/sessions")
    submit(prosecutor, prosecutor.get_by_role("link", name="Your passkeys"))
    expect(h1(prosecutor)).to_have_text("Your passkeys")
    expect(prosecutor.get_by_role("button", name="Register a passkey")).to_be_visible()
    # With JavaScript, the "needs JavaScript" hint is not shown.
    expect(prosecutor.locator("[data-passkey-unsupported]")).to_be_hidden()
    passkeys.register_on_account_page(prosecutor)
    held = passkeys.credentials(prosecutor)
    assert len(held) == 1 and held[0]["rpId"] == "localhost"
    unused = (
        prosecutor.get_by_role("table", name="Your passkeys")
        .get_by_role("row")
        .filter(has_text="Not yet")
    )
    expect(unused).to_have_count(1)
    expect(unused.get_by_role("cell").nth(0)).to_contain_text("Chrome")

    # A sealed witness: the prosecutor asks to see the identity, with a reason.
    case_path, _ = open_case(
        prosecutor,
        offence="Possessing a prohibited weapon (Firearms trafficking)",
        offence_date=today() - timedelta(days=30),
    )
    true_name = canary_name("Hyacinth")
    witness = add_person(
        prosecutor, case_path, true_name, role="Victim and witness", born=date(1990, 5, 4)
    )
    draft_anonymity_application(prosecutor, witness.path)
    goto(prosecutor, f"{witness.path}/anonymity")
    prosecutor.get_by_label("Why do you need to see this person's identity?").fill(REASON)
    prosecutor.get_by_label("Your password").fill(portal_server.password)
    submit(prosecutor, prosecutor.get_by_role("button", name="Ask for approval"))

    # The code from the app was typed at sign-in a moment ago, but this needs the passkey.
    expect(h1(prosecutor)).to_have_text("Confirm it is you with a passkey")
    expect(prosecutor.get_by_role("button", name="Register a passkey")).to_have_count(0)
    expect(prosecutor.locator("input[name=reason]")).to_have_value(REASON)
    submit(prosecutor, prosecutor.get_by_role("button", name="Use your passkey"))
    passkeys.learn(prosecutor)  # later journeys share this passkey, counter and all
    expect(banner(prosecutor)).to_contain_text("A second authorised person must approve it")
    requests = prosecutor.locator("#unmask-requests")
    expect(requests).to_contain_text("Waiting for a second person")
    # What was typed before the prompt is what was sent.
    submit(prosecutor, requests.get_by_role("link", name=re.compile("View this request")))
    expect(prosecutor.locator("main")).to_contain_text(REASON)
    assert passkeys.credentials(prosecutor)[0]["signCount"] >= 1

    # Your passkeys now shows when it was last used.
    goto(prosecutor, "/account/passkeys")
    rows = prosecutor.get_by_role("table", name="Your passkeys").get_by_role("row")
    expect(rows.filter(has_text="Not yet")).to_have_count(0)
    expect(rows.nth(1).get_by_role("cell").nth(2)).to_have_text(re.compile(r"\d{4} at "))

    # The passkey is a second factor at sign-in too: on another device, instead of the code.
    other = new_context().new_page()
    goto(other, "/login")
    sign_in_password_only(other, "prosecutor.demo", portal_server.password)
    expect(h1(other)).to_contain_text("authenticator app")
    submit(other, other.get_by_role("link", name="Sign in with a passkey instead"))
    expect(h1(other)).to_have_text("Sign in with a passkey")
    passkeys.answer_with_passkey(other)
    expect(other).to_have_url(re.compile(r"/home$"))
    assert_not_logged(portal_server.log_path, [true_name])


def test_without_javascript_your_passkeys_says_they_need_it(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    page = signed_in(new_context, portal_server, "vlu.demo", java_script_enabled=False)
    goto(page, "/account/passkeys")
    expect(page.locator("[data-passkey-unsupported]")).to_contain_text("Passkeys need JavaScript")
    submit(page, page.get_by_role("button", name="Register a passkey"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Passkeys need JavaScript")
    expect(h1(page)).to_have_text("Your passkeys")
