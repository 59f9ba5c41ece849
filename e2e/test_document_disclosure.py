"""Uploading a statement that gives away a sealed witness's address, in a real browser (issue 17,
point 3). A prosecutor adds a witness whose identity is then sealed (an anonymity order is
sought), and another witness whose statement mentions where the sealed witness lives, split
over two lines and in capitals. The upload is blocked from service: the documents list says so,
and the disclosure check page says where ("line 3") and whose (the pseudonym) without showing the
address, and offers no way to mark it ready. Every page is checked with axe and the CSP guard
(e2e/conftest.py); the address never reaches the server's log. A second statement, uploaded by
the witness care officer, is overridden by the prosecutor, who then sees who, when and why."""

from __future__ import annotations

from datetime import timedelta

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
    canary_name,
    draft_anonymity_application,
    h1,
    open_case,
    signed_in,
    today,
)

pytestmark = pytest.mark.e2e

FIREARMS = "Possessing a prohibited weapon (Firearms trafficking)"


def test_a_statement_with_a_sealed_witness_address_is_blocked(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    sealed_name = canary_name("Philippa")
    address = canary_address()  # "123 Larkxxxxxx Lane, Testbury"
    street, town = address.split(", ")
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, _urn = open_case(
        prosecutor, offence=FIREARMS, offence_date=today() - timedelta(days=40)
    )
    sealed = add_person(prosecutor, case_path, sealed_name, role="Witness", address=address)
    draft_anonymity_application(prosecutor, sealed.path)
    author = add_person(prosecutor, case_path, canary_name("Ottoline"), role="Witness")

    statement = (
        "Witness statement\n"
        "I know the other witness well. They live at\n"
        f"{street.upper()},\n{town.upper()} and I visit often.\n"
    )
    goto(prosecutor, f"{author.path}/documents")
    expect(h1(prosecutor)).to_have_text("Documents")
    prosecutor.get_by_label("What kind of document is it?").select_option(label="Statement")
    prosecutor.get_by_label("File").set_input_files(
        {"name": "statement.txt", "mimeType": "text/plain", "buffer": statement.encode()}
    )
    submit(prosecutor, prosecutor.get_by_role("button", name="Upload"))
    expect(banner(prosecutor)).to_contain_text("Document uploaded")
    row = prosecutor.get_by_role("row").filter(has_text="statement.txt")
    expect(row).to_contain_text("Blocked: 1 match")

    submit(prosecutor, row.get_by_role("link", name="Disclosure check"))
    expect(h1(prosecutor)).to_have_text("Disclosure check: statement.txt")
    matches = prosecutor.locator("#matches")
    expect(matches).to_contain_text(f"line 3: matches the address of Witness {sealed.reference}")
    main = prosecutor.locator("main")
    expect(main).to_contain_text("This document cannot be marked ready to serve")
    expect(main).not_to_contain_text(street.split()[1])
    expect(main).not_to_contain_text(sealed_name)
    expect(prosecutor.get_by_role("button", name="Mark ready to serve")).to_have_count(0)
    # The uploader cannot override their own document: a second prosecutor must.
    expect(main).to_contain_text("a second prosecutor must decide")
    expect(prosecutor.get_by_role("button", name="Record your decision on line 3")).to_have_count(0)
    expect(prosecutor.get_by_label("File")).to_be_visible()  # a redacted version can be uploaded

    # A statement uploaded by the witness care officer: the prosecutor is the second person,
    # overrides the match with a reason and then sees who, when and why (axe on that page too).
    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, f"{author.path}/documents")
    officer.get_by_label("What kind of document is it?").select_option(label="Statement")
    officer.get_by_label("File").set_input_files(
        {"name": "second.txt", "mimeType": "text/plain", "buffer": statement.encode()}
    )
    submit(officer, officer.get_by_role("button", name="Upload"))
    expect(banner(officer)).to_contain_text("Document uploaded")
    goto(prosecutor, f"{author.path}/documents")
    row = prosecutor.get_by_role("row").filter(has_text="second.txt")
    submit(prosecutor, row.get_by_role("link", name="Disclosure check"))
    reason = "The court already holds this address under the order."
    # Nothing is pre-selected: the decision must be chosen (after the passkey it asks for).
    submit_with_passkey(
        prosecutor, prosecutor.get_by_role("button", name="Record your decision on line 3")
    )
    expect(prosecutor.locator(".govuk-error-summary")).to_contain_text("approve, refuse or return")
    prosecutor.get_by_label("Approve the override: it may stay in the served document").check()
    prosecutor.get_by_label("Your reason (or your question for the uploader)").fill(reason)
    submit(prosecutor, prosecutor.get_by_role("button", name="Record your decision on line 3"))
    expect(banner(prosecutor)).to_contain_text("Match overridden")
    decision = prosecutor.locator("#matches .govuk-summary-list")
    expect(decision).to_contain_text("Overridden by")
    expect(decision).to_contain_text(reason)

    assert_not_logged(portal_server.log_path, [address, street, sealed_name])
