"""Administrators create a working account, and take it away again (issue 16 point 7), in a
real browser with axe on every page.

One administrator asks for a witness care officer's account in a London North unit, with the
permissions to see sealed identities and to approve; a second administrator reviews exactly
that and approves it, and is shown the one-time set-up code (the administrator who asked never
sees it: portal.accounts.onboarding). The new officer chooses her own password with the code,
signs in, sets up her authenticator app, and sees the cases of her unit and not another unit's.
Later she is given a case, and leaves: the deactivation page lists that open case, refuses to
go on without a reason, a colleague to take the work and a confirmation, then hands the case
to the colleague named and ends her session at once. A change of another account's role and
permissions waits, likewise, for a second administrator, and applies when they approve."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.passkeys import submit_with_passkey
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, banner, h1, open_case, signed_in, today
from e2e.test_told_safely import _settings
from portal.accounts.models import NO_PASSWORD, User
from portal.accounts.roles import Role
from portal.cases.models import Case
from portal.db.session import make_engine, unit_of_work
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

FRAUD = "Fraud by false representation (Fraud)"
SEOCID = "Serious Economic, Organised Crime and International Directorate"
UNMASK = "May ask to see sealed identities, and approve colleagues' requests"
APPROVE = "May approve as the second person (anonymity applications)"


def give_case(server: PortalServer, urn: str, username: str) -> None:
    """``username`` becomes the case's witness care officer (the portal has no page for it:
    cases come assigned from the case management system)."""
    engine = make_engine(_settings(server))
    try:
        with unit_of_work(session_factory(engine)) as db:
            officer = db.scalars(select(User).where(User.username == username)).one()
            case = db.scalars(select(Case).where(Case.urn == urn)).one()
            case.witness_care_officer_id = officer.id
    finally:
        engine.dispose()


def officer_of(server: PortalServer, urn: str) -> str:
    engine = make_engine(_settings(server))
    try:
        with unit_of_work(session_factory(engine)) as db:
            case = db.scalars(select(Case).where(Case.urn == urn)).one()
            officer = db.get(User, case.witness_care_officer_id)
            assert officer is not None
            return officer.username
    finally:
        engine.dispose()


def test_an_administrators_new_user_signs_in_sees_her_unit_and_hands_over_when_she_leaves(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    # A case in the Complex Casework Unit, and one in another unit of the Area.
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    ours_path, ours = open_case(prosecutor, offence=FRAUD, offence_date=today() - timedelta(9))
    other = signed_in(new_context, portal_server, "prosecutor2.demo")
    theirs_path, theirs = open_case(
        other, offence=FRAUD, offence_date=today() - timedelta(9), unit=SEOCID
    )

    # The first administrator asks for the account, with both permissions.
    username = f"wren.{secrets.token_hex(3)}"
    asker = signed_in(new_context, portal_server, "admin.demo")
    goto(asker, "/admin/users")
    submit(asker, asker.get_by_role("button", name="Ask for a new account"))
    asker.get_by_label("Full name").fill("Wren Adeyemi")
    asker.get_by_label("Username").fill(username)
    asker.get_by_label("Witness care officer", exact=True).check()
    asker.get_by_label("CPS Area").select_option(label="London North")
    asker.get_by_label("Unit", exact=True).select_option(label="Complex Casework Unit")
    asker.get_by_label(UNMASK).check()
    asker.get_by_label(APPROVE).check()
    submit(asker, asker.get_by_role("button", name="Ask for account", exact=True))
    expect(banner(asker)).to_contain_text("Another administrator must approve it")

    # The second administrator sees what is asked for, permissions included, and approves.
    approver = signed_in(new_context, portal_server, "admin2.demo")
    goto(approver, "/admin/users")
    row = (
        approver.get_by_role("table", name="Accounts waiting for approval")
        .get_by_role("row")
        .filter(has_text=username)
    )
    submit(approver, row.get_by_role("link", name=re.compile("^Review")))
    details = approver.locator(".govuk-summary-list")
    expect(details).to_contain_text("Witness care officer")
    expect(details).to_contain_text("Complex Casework Unit")
    expect(details).to_contain_text(UNMASK)
    expect(details).to_contain_text(APPROVE)
    approver.get_by_label("Approve: create the account").check()
    submit_with_passkey(approver, approver.get_by_role("button", name="Save decision"))
    expect(h1(approver)).to_have_text("Account approved")
    code = approver.locator(".portal-setup-code").inner_text().strip()

    # The new officer chooses her password with the code, signs in and sets up her app.
    wren = new_context().new_page()
    goto(wren, "/login")
    submit(wren, wren.get_by_role("link", name=re.compile("Set up your account")))
    wren.get_by_label("Set-up code").fill(code)
    password = f"harbour-{secrets.token_hex(4)}-lantern-{secrets.token_hex(4)}"
    wren.get_by_label("Choose a password", exact=True).fill(password)
    submit(wren, wren.get_by_role("button", name="Set password"))
    expect(wren).to_have_url(re.compile(r"/login\?ready=1$"))
    sign_in(wren, username, password)  # the password, then setting up the authenticator app
    expect(wren).to_have_url(re.compile(r"/home$"))
    expect(wren.locator("header")).to_contain_text("Wren Adeyemi")

    # She sees her unit's cases, and not the other unit's.
    goto(wren, f"/cases?urn={ours}")
    expect(wren.locator("main")).to_contain_text(ours)
    goto(wren, ours_path)
    expect(h1(wren)).to_have_text(f"Case {ours}")
    response = goto(wren, theirs_path)
    assert response is not None and response.status == 404
    goto(wren, f"/cases?urn={theirs}")
    expect(wren.locator("main")).not_to_contain_text(theirs)

    # She is given the case, then leaves: her work is handed to a named colleague.
    give_case(portal_server, ours, username)
    goto(asker, "/admin/users")
    row = (
        asker.get_by_role("table", name="Staff accounts")
        .get_by_role("row")
        .filter(has_text=username)
    )
    submit(asker, row.get_by_role("link", name=re.compile("^Deactivate")))
    expect(h1(asker)).to_have_text("Wren Adeyemi")
    expect(asker.locator("#open-work")).to_contain_text(ours)
    deactivate = asker.get_by_role("button", name="Deactivate account")
    submit_with_passkey(asker, deactivate)  # a passkey first, as administering accounts asks
    summary = asker.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select why the account is being deactivated")
    expect(summary).to_contain_text("Select the colleague who takes over this work")
    expect(summary).to_contain_text("Confirm that the account is to be deactivated")
    asker.get_by_label("They have left the organisation").check()
    asker.get_by_label("Wendy Carter").check()
    asker.get_by_label(re.compile("^I confirm that this account is to be deactivated")).check()
    submit(asker, deactivate)
    expect(banner(asker)).to_contain_text("deactivated and signed out everywhere")
    row = (
        asker.get_by_role("table", name="Staff accounts")
        .get_by_role("row")
        .filter(has_text=username)
    )
    expect(row).to_contain_text("Deactivated")
    assert officer_of(portal_server, ours) == "wco.demo"

    # Her open session is refused at once.
    goto(wren, "/home")
    expect(wren).to_have_url(re.compile(r"/login"))


def an_account(server: PortalServer, username: str) -> None:
    """An auditor's account, not yet set up (as an approved request leaves it)."""
    engine = make_engine(_settings(server))
    try:
        with unit_of_work(session_factory(engine)) as db:
            db.add(
                User(
                    id=uuid.uuid4(),
                    username=username,
                    display_name="Rowan Moving",
                    role=Role.AUDITOR.value,
                    password_hash=NO_PASSWORD,
                    is_active=True,
                )
            )
    finally:
        engine.dispose()


def role_of(server: PortalServer, username: str) -> tuple[str, str | None, bool]:
    engine = make_engine(_settings(server))
    try:
        with unit_of_work(session_factory(engine)) as db:
            user = db.scalars(select(User).where(User.username == username)).one()
            return user.role, user.unit, user.may_unmask
    finally:
        engine.dispose()


def test_a_change_of_role_is_asked_for_by_one_administrator_and_approved_by_another(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    username = f"rowan.{secrets.token_hex(3)}"
    an_account(portal_server, username)
    asker = signed_in(new_context, portal_server, "admin.demo")
    goto(asker, "/admin/users")
    row = (
        asker.get_by_role("table", name="Staff accounts")
        .get_by_role("row")
        .filter(has_text=username)
    )
    submit(asker, row.get_by_role("link", name=re.compile("^Change access")))
    expect(h1(asker)).to_have_text("Rowan Moving")
    expect(asker.get_by_label("Auditor", exact=True)).to_be_checked()
    asker.get_by_label("Witness care officer", exact=True).check()
    ask = asker.get_by_role("button", name="Ask for this change")
    submit(asker, ask)
    summary = asker.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the Area this witness care officer works in")
    expect(asker.get_by_label("Witness care officer", exact=True)).to_be_checked()  # kept
    asker.get_by_label("CPS Area").select_option(label="London North")
    asker.get_by_label("Unit", exact=True).select_option(label="Complex Casework Unit")
    asker.get_by_label(UNMASK).check()
    submit(asker, ask)
    expect(banner(asker)).to_contain_text("Another administrator must approve it")
    assert role_of(portal_server, username) == ("auditor", None, False)  # not yet
    waiting = asker.get_by_role("table", name="Changes of access waiting for approval")
    submit(asker, waiting.get_by_role("link", name=re.compile(f"^View change for {username}")))
    expect(asker.locator(".govuk-inset-text")).to_contain_text("A different administrator")
    expect(asker.get_by_role("radio")).to_have_count(0)

    approver = signed_in(new_context, portal_server, "admin2.demo")
    goto(approver, "/admin/users")
    waiting = approver.get_by_role("table", name="Changes of access waiting for approval")
    submit(approver, waiting.get_by_role("link", name=re.compile(f"^Review change for {username}")))
    change = approver.locator("#access-change")
    expect(change).to_contain_text("Auditor")
    expect(change).to_contain_text("Witness care officer")
    expect(change).to_contain_text(UNMASK)
    approver.get_by_label("Approve: change the account now").check()
    submit_with_passkey(approver, approver.get_by_role("button", name="Save decision"))
    expect(banner(approver)).to_contain_text("Change approved: it applies now")
    assert role_of(portal_server, username) == ("witness_care_officer", "ccu", True)
