"""Issue 18 point 1 in a real browser: the first sign-in sets up an authenticator app (a QR
code drawn by the portal, the key for typing in) and shows recovery codes; a code works once."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from e2e.support import authenticator
from e2e.support.journeys import enrol, goto, sign_in_password_only, sign_out, submit
from e2e.support.server import PortalServer, portal_command, server_env

pytestmark = pytest.mark.e2e

USERNAME = "riley.example"
PASSWORD = "copper-meadow-lantern-27"


def test_first_sign_in_sets_up_the_app_and_a_replayed_code_is_refused(
    page: Page, portal_server: PortalServer
) -> None:
    subprocess.run(
        [
            str(portal_command()),
            "users",
            "create",
            "--role",
            "auditor",
            "--username",
            USERNAME,
            "--name",
            "Riley Example",
            "--password-stdin",
        ],
        input=f"{PASSWORD}\n".encode(),
        env=server_env(portal_server.instance_dir, portal_server.database_url),
        cwd=portal_server.instance_dir,
        check=True,
        capture_output=True,
        timeout=60,
    )
    goto(page, "/login")
    sign_in_password_only(page, USERNAME, PASSWORD)
    expect(page).to_have_url(re.compile(r"/second-factor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    # Nothing else opens with a password alone.
    goto(page, "/audit")
    expect(page).to_have_url(re.compile(r"/second-factor\?next=/audit$"))
    codes = enrol(page, USERNAME)
    assert len(codes) == 10 and all(
        re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", c) for c in codes
    )
    expect(page).to_have_url(re.compile(r"/audit$"))  # back where the user was going
    sign_out(page)

    # The code used to set the app up cannot be used again.
    goto(page, "/login")
    sign_in_password_only(page, USERNAME, PASSWORD)
    field = page.get_by_label("Enter the code from your authenticator app")
    field.fill(authenticator.last_code(USERNAME))
    submit(page, page.get_by_role("button", name="Continue", exact=True))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("has been used already")
    expect(page).to_have_title(re.compile(r"^Error: "))
    # A fresh code signs in.
    field.fill(authenticator.unused_code(USERNAME))
    submit(page, page.get_by_role("button", name="Continue", exact=True))
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.locator(".portal-header-user__name")).to_contain_text("Riley Example")
