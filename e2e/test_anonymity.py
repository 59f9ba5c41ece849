"""A witness anonymity order in a real browser (issue 7): a prosecutor applies for an order for a
witness, a second prosecutor approves the application, it is served and the court grants it. The
witness care officer's pages (case, person, My work) then show only the pseudonym "Witness P-...",
never the true name. Seeing the true identity takes two people: one prosecutor asks (reason and
password), a second approves (password), and only then does the first see the name. Every page is
checked with axe (and by the CSP guard in e2e/conftest.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.support.journeys import goto, submit
from e2e.support.passkeys import submit_with_passkey
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    add_person,
    assert_not_logged,
    banner,
    canary_address,
    canary_dob,
    canary_name,
    draft_anonymity_application,
    fill_date,
    h1,
    open_case,
    record_event,
    signed_in,
    summary_value,
    today,
)

pytestmark = pytest.mark.e2e

FIREARMS = "Possessing a prohibited weapon (Firearms trafficking)"


def status_of(page: Page):
    return summary_value(page, "Status")


def action_form(page: Page, label: str):
    return page.locator("form").filter(has=page.get_by_role("heading", name=label, exact=True))


def test_anonymity_order_seals_the_identity_and_unmasking_needs_two_people(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    # A case in London North's Complex Casework Unit, opened by the second prosecutor, so both
    # prosecutors and the unit's witness care officer can see it.
    second = signed_in(new_context, portal_server, "prosecutor2.demo")
    case_path, urn = open_case(second, offence=FIREARMS, offence_date=today() - timedelta(days=75))
    true_name = canary_name("Ignatius")
    born = canary_dob(date(1990, 8, 14))
    address = canary_address()

    first = signed_in(new_context, portal_server, "prosecutor.demo")
    witness = add_person(
        first, case_path, true_name, role="Victim and witness", born=born, address=address
    )
    pseudonym = f"Witness {witness.reference}"
    # A hearing is listed: the witness care unit now owes the witness its date (My work).
    record_event(first, case_path, "Hearing listed", today())

    application = draft_anonymity_application(first, witness.path)
    expect(status_of(first)).to_have_text("Drafted")
    expect(first.locator("main")).to_contain_text(f"Witness: {pseudonym}.")
    expect(first.locator("main")).not_to_contain_text(true_name)

    # The author is not offered the approval of their own application: a second prosecutor
    # approves it, and sees who drafted it and when. (The server refusal is tested in tests/web.)
    expect(action_form(first, "Approve the application")).to_have_count(0)
    expect(status_of(first)).to_have_text("Drafted")

    goto(second, application)
    expect(second.locator("#drafted-by")).to_contain_text("on ")
    expect(second.locator("main")).not_to_contain_text(true_name)
    approval = action_form(second, "Approve the application")
    approval.get_by_label("Approve", exact=True).check()
    submit_with_passkey(second, approval.get_by_role("button", name="Record decision"))
    expect(banner(second)).to_contain_text("Approve the application: recorded")
    expect(status_of(second)).to_have_text("Approved")

    # Served, then granted by the court.
    goto(first, application)
    served = action_form(first, "Record that it was served")
    fill_date(served, "on", today() - timedelta(days=1))
    submit(first, served.get_by_role("button"))
    expect(banner(first)).to_contain_text("Record that it was served: recorded")
    expect(status_of(first)).to_have_text("Served")
    granted = action_form(first, "The court granted the order")
    fill_date(granted, "on", today())
    granted.get_by_label("Court reference").fill("T20267001")
    submit(first, granted.get_by_role("button"))
    expect(banner(first)).to_contain_text("The court granted the order: recorded")
    expect(status_of(first)).to_have_text("Granted")
    expect(summary_value(first, "Court's decision")).to_contain_text(
        f"Granted on {today().day} {today():%B %Y} (T20267001)"
    )

    # The witness care officer sees only the pseudonym: case, person and My work.
    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, case_path)
    expect(h1(officer)).to_have_text(f"Case {urn}")
    officer.get_by_role("tab", name=re.compile(r"^Victims and witnesses")).click()
    people = officer.locator("#case-people")
    expect(people.get_by_role("link", name=pseudonym)).to_have_attribute("href", witness.path)
    expect(officer.locator(".portal-restrictions")).to_contain_text(witness.reference)
    expect(officer.locator("body")).not_to_contain_text(true_name)

    goto(officer, witness.path)
    expect(h1(officer)).to_have_text(pseudonym)
    expect(officer.locator(".portal-restrictions")).to_contain_text(witness.reference)
    details = officer.locator("#person-details")
    expect(details).not_to_contain_text(address)
    expect(details).not_to_contain_text("14 August 1990")
    expect(officer.locator("body")).not_to_contain_text(true_name)

    goto(officer, "/home?show=due_soon")
    duty = officer.locator("#work-list tbody tr").filter(has_text=urn)
    expect(duty).to_have_count(1)
    expect(duty.get_by_role("link", name=pseudonym)).to_be_visible()
    expect(officer.locator("body")).not_to_contain_text(true_name)

    # Two-person unmasking: the first prosecutor asks, with a reason and their password...
    goto(first, f"{witness.path}/anonymity")
    expect(first.locator("main")).to_contain_text(f"Everyone sees the pseudonym {pseudonym}")
    first.get_by_label("Why do you need to see this person's identity?").fill(
        "To check the witness's identity against the court's list before the hearing."
    )
    first.get_by_label("Your password").fill(portal_server.password)
    submit_with_passkey(first, first.get_by_role("button", name="Ask for approval"))
    expect(banner(first)).to_contain_text("A second authorised person must approve it")
    goto(first, witness.path)
    expect(h1(first)).to_have_text(pseudonym)  # not yet

    # ...the second approves with theirs...
    goto(second, f"{witness.path}/anonymity")
    decide = second.locator("#unmask-requests").get_by_role("link", name=re.compile("Decide"))
    expect(decide).to_have_count(1)
    submit(second, decide)
    second.get_by_label("Approve", exact=True).check()
    second.get_by_label("Your password").fill(portal_server.password)
    submit_with_passkey(second, second.get_by_role("button", name="Record decision"))
    expect(banner(second)).to_contain_text("Decision recorded")

    # ...and now the first sees the true name; the officer still does not.
    goto(first, witness.path)
    expect(h1(first)).to_have_text(true_name)
    goto(officer, witness.path)
    expect(h1(officer)).to_have_text(pseudonym)
    expect(officer.locator("body")).not_to_contain_text(true_name)

    assert_not_logged(portal_server.log_path, [true_name, address, born.isoformat()])
