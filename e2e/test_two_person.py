"""Two-person controls in a real browser (issue 16 points 1 and 2): a witness care officer who
must contact a sealed witness asks to see the identity; the request waits on the prosecutor's My
work, who opens it, sees who asked, when and the reason given, and approves it; the officer sees
the outcome and how long the identity stays visible, then the true details. The officer cannot
decide their own request, and until the approval the witness's details read "Sealed" with no
change link. Every page is checked with axe."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

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
    h1,
    open_case,
    signed_in,
    today,
)

pytestmark = pytest.mark.e2e

FIREARMS = "Possessing a prohibited weapon (Firearms trafficking)"


def test_an_unmask_request_by_a_wco_approved_by_a_second_person_who_saw_the_reason(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, urn = open_case(
        prosecutor, offence=FIREARMS, offence_date=today() - timedelta(days=60)
    )
    true_name = canary_name("Perpetua")
    address = canary_address()
    born = canary_dob(date(1988, 3, 9))
    witness = add_person(
        prosecutor, case_path, true_name, role="Victim and witness", born=born, address=address
    )
    draft_anonymity_application(prosecutor, witness.path)
    pseudonym = f"Witness {witness.reference}"

    # The witness care officer sees "Sealed", and no way to change the sealed details.
    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, witness.path)
    expect(h1(officer)).to_have_text(pseudonym)
    details = officer.locator("#person-details")
    expect(details).to_contain_text("Sealed")
    expect(details).not_to_contain_text("Not given")
    # Their part in the case is no sealed detail: that alone may still be changed.
    changes = details.get_by_role("link", name=re.compile("Change"))
    expect(changes).to_have_count(1)
    expect(changes).to_have_accessible_name("Change part in the case")

    # They ask, with a reason and their password.
    reason = "I must telephone the witness about the trial date and special measures"
    goto(officer, f"{witness.path}/anonymity")
    officer.get_by_label("Why do you need to see this person's identity?").fill(reason)
    officer.get_by_label("Your password").fill(portal_server.password)
    submit_with_passkey(officer, officer.get_by_role("button", name="Ask for approval"))
    expect(banner(officer)).to_contain_text("A second authorised person must approve it")

    # Their own request waits for a second person on their My work; they may not decide it.
    goto(officer, "/work")
    mine = officer.locator("#work-waiting")
    expect(mine).to_contain_text("Waiting for a second person")
    submit(officer, mine.get_by_role("link", name=re.compile(f"witness {witness.reference}")))
    expect(officer.locator("#unmask-outcome")).to_contain_text("Waiting for a second person")
    expect(officer.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(officer.locator("main")).to_contain_text("You cannot decide your own request")

    # The prosecutor finds it on My work, and sees who asked, when, why and what.
    goto(prosecutor, "/work")
    waiting = prosecutor.locator("#work-waiting")
    expect(waiting).to_contain_text("waiting for you as a second person")
    link = waiting.get_by_role(
        "link", name=re.compile(f"sealed identity for witness {witness.reference}")
    )
    submit(prosecutor, link)
    expect(h1(prosecutor)).to_have_text("Decide a request to see a sealed identity")
    shown = prosecutor.locator(".govuk-summary-list").first
    expect(shown).to_contain_text("Wendy Carter")
    expect(shown).to_contain_text(reason)
    expect(shown).to_contain_text(f"witness {witness.reference}")
    expect(shown).to_contain_text("minutes after the approval")
    for choice in ("Approve", "Refuse", "Return to the requester with a comment"):
        expect(prosecutor.get_by_label(choice, exact=True)).not_to_be_checked()
    # Choosing nothing is an error, not an approval.
    prosecutor.get_by_label("Your password").fill(portal_server.password)
    submit_with_passkey(prosecutor, prosecutor.get_by_role("button", name="Record decision"))
    expect(prosecutor.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you approve, refuse or return this request"
    )
    prosecutor.get_by_label("Approve", exact=True).check()
    prosecutor.get_by_label("Your password").fill(portal_server.password)
    submit_with_passkey(prosecutor, prosecutor.get_by_role("button", name="Record decision"))
    expect(banner(prosecutor)).to_contain_text("Decision recorded")

    # The officer sees the outcome and until when, then the true details.
    goto(officer, f"{witness.path}/anonymity")
    expect(officer.locator("#unmask-requests")).to_contain_text("Approved (visible until")
    goto(officer, witness.path)
    expect(h1(officer)).to_have_text(true_name)
    expect(officer.locator("#person-details")).to_contain_text(address.split(",")[0])
    goto(prosecutor, witness.path)
    expect(prosecutor.locator("body")).not_to_contain_text(true_name)
    assert urn

    # The demo's sealed witnesses' applications can be approved: the second demo prosecutor,
    # in another unit of the Area, finds them on My work and is offered the decision.
    other = signed_in(new_context, portal_server, "prosecutor2.demo")
    goto(other, "/work")
    pending = other.locator("#work-waiting").get_by_role(
        "link", name=re.compile("anonymity application for witness")
    )
    expect(pending.first).to_be_visible()
    submit(other, pending.first)
    expect(other.get_by_role("heading", name="Approve the application")).to_be_visible()
    expect(other.get_by_label("Approve", exact=True)).not_to_be_checked()
    assert_not_logged(portal_server.log_path, [true_name, address, born.isoformat()])
