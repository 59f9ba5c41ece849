"""Issue 18 point 1 in a real browser: the first sign-in sets up an authenticator app (a QR
code drawn by the portal, the key for typing in) and shows recovery codes; a code works once."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.support import authenticator
from e2e.support.journeys import enrol, goto, sign_in_password_only, sign_out, submit
from e2e.support.server import PortalServer, portal_command, server_env
from e2e.support.steps import NewContext, signed_in

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


def _age_factor_proof(server: PortalServer, username: str) -> None:
    """As if the last code had been typed ten minutes ago (the test cannot wait that long)."""
    from sqlalchemy import create_engine, select, update

    from portal.accounts.models import AuthSession, User

    engine = create_engine(authenticator.psycopg_url(server.database_url))
    try:
        with engine.begin() as conn:
            conn.execute(
                update(AuthSession)
                .where(
                    AuthSession.revoked_at.is_(None),
                    AuthSession.user_id.in_(select(User.id).where(User.username == username)),
                )
                .values(factor_at=datetime.now(UTC) - timedelta(minutes=10))
            )
    finally:
        engine.dispose()


def test_an_export_after_five_minutes_asks_for_a_code_and_then_downloads(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    page = signed_in(new_context, portal_server, "auditor.demo")
    goto(page, "/compliance?by=right")
    _age_factor_proof(portal_server, "auditor.demo")
    submit(page, page.get_by_role("button", name="Download this table as CSV"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Code from your authenticator app").fill("123")
    submit(page, page.get_by_role("button", name="Continue", exact=True))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.get_by_label("Code from your authenticator app").fill(
        authenticator.unused_code("auditor.demo")
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue", exact=True).click()
    assert download.value.suggested_filename == "compliance-by-right.csv"
