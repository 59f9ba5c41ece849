"""A decision letter and a sealed identity in a real browser (issue 12, point 1).

A prosecutor discontinues a case and gives the reasons; a VLU officer drafts the victim's letter
("Dear <full name>") and a second officer checks it. Then the prosecutor seeks a witness
anonymity order for the victim, which seals their identity: the letter comes back needing a
redraft, with their true identity replaced by the pseudonym, and it can be neither printed,
downloaded nor sent. Typing the true name into it again is refused with an error naming the
pseudonym; the redraft with the pseudonym is accepted and goes back to be checked. Every page is
checked with axe (and by the CSP guard in e2e/conftest.py); nothing typed reaches the log."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.support.journeys import goto, submit
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
    path_of,
    record_event,
    signed_in,
    today,
)

pytestmark = pytest.mark.e2e

FIREARMS = "Possessing a prohibited weapon (Firearms trafficking)"
REASONS = (
    "We looked at all the evidence again. The main witness has moved abroad and cannot come "
    "back. Without their evidence there is not enough to prove the case."
)
CHECKS = ("Accurate", "Empathetic", "Explains the reasons", "Explains the victim")


def open_letter(page: Page, name: str) -> str:
    """Open the victim's letter from the queue (only those due soon: the demo's own letters are
    overdue and would come first). Returns the letter page's path."""
    goto(page, "/vlu?due=due_soon")
    submit(page, page.get_by_role("link", name=name))
    expect(h1(page)).to_have_text(f"Decision letter for {name}")
    return path_of(page)


def test_a_letter_drafted_before_sealing_comes_back_masked_and_cannot_be_sent(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    true_name = canary_name("Perpetua")
    address = canary_address()
    born = canary_dob(date(1988, 6, 21))

    # The prosecutor opens the case, adds the victim, discontinues and gives the reasons.
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, urn = open_case(
        prosecutor, offence=FIREARMS, offence_date=today() - timedelta(days=60)
    )
    victim = add_person(
        prosecutor, case_path, true_name, role="Victim and witness", born=born, address=address
    )
    record_event(prosecutor, case_path, "Discontinuance", today(), ends_all_proceedings=True)
    goto(prosecutor, "/vlu?due=due_soon&state=requested")
    row = prosecutor.get_by_role("row").filter(has_text=true_name)
    expect(row).to_contain_text("Waiting for reasons")
    submit(prosecutor, row.get_by_role("link", name="Discontinuance"))
    prosecutor.get_by_label("Why did you make this decision?").fill(REASONS)
    submit(prosecutor, prosecutor.get_by_role("button", name="Save the reasons"))
    expect(banner(prosecutor)).to_contain_text("1 letter can now be drafted")

    # A VLU officer drafts the letter: it greets the victim by their full name.
    drafter = signed_in(new_context, portal_server, "vlu.demo")
    letter_path = open_letter(drafter, true_name)
    expect(drafter.get_by_label("Draft the letter")).to_have_value(re.compile(f"^Dear {true_name}"))
    submit(drafter, drafter.get_by_role("button", name="Save the letter"))
    expect(banner(drafter)).to_contain_text("Letter saved")

    # A second officer checks it; it could now be printed and sent.
    checker = signed_in(new_context, portal_server, "vlu2.demo")
    goto(checker, letter_path)
    for point in CHECKS:
        checker.get_by_label(re.compile(f"^{point}")).check()
    submit(checker, checker.get_by_role("button", name="Approve the letter"))
    expect(banner(checker)).to_contain_text("Letter approved")
    printable = goto(checker, f"{letter_path}/letter")
    assert printable is not None and printable.status == 200
    expect(checker.locator("main")).to_contain_text(f"Dear {true_name}")

    # The prosecutor seeks an anonymity order: the identity is sealed, the letter returned.
    draft_anonymity_application(prosecutor, victim.path)
    expect(banner(prosecutor)).to_contain_text(
        "1 unsent decision letter named them and must be redrafted"
    )
    pseudonym = f"Witness {victim.reference}"

    # The VLU officer finds it masked, needing a redraft, and it cannot be sent or printed.
    goto(drafter, letter_path)
    expect(h1(drafter)).to_have_text(f"Decision letter for {pseudonym}")
    main = drafter.locator("main")
    expect(main).to_contain_text("Needs redrafting")
    expect(drafter.locator("#redraft-notice")).to_contain_text("This letter must be redrafted")
    letter = drafter.get_by_label("Edit the letter")
    expect(letter).to_have_value(re.compile(f"^Dear {re.escape(pseudonym)}\n"))
    expect(letter).not_to_have_value(re.compile(re.escape(true_name.split()[1])))
    expect(main).not_to_contain_text(true_name)
    expect(drafter.get_by_role("button", name="Send the letter")).to_have_count(0)
    expect(drafter.get_by_role("link", name="View the letter to print")).to_have_count(0)
    response = goto(drafter, f"{letter_path}/letter")
    assert response is not None and response.status == 409
    expect(h1(drafter)).to_have_text("This letter must be redrafted")
    expect(drafter.locator("main")).not_to_contain_text(true_name)

    # So does the prosecutor: the notice, and no way to print or download it.
    goto(prosecutor, letter_path)
    expect(prosecutor.locator("#redraft-notice")).to_be_visible()
    expect(prosecutor.get_by_role("link", name="Download as PDF")).to_have_count(0)
    expect(prosecutor.locator("main")).not_to_contain_text(true_name)

    # Typing the true name back is refused, naming the pseudonym; the typed text is kept.
    goto(drafter, letter_path)
    letter = drafter.get_by_label("Edit the letter")
    typed = f"Dear {true_name}\n\n{REASONS}"
    letter.fill(typed)
    submit(drafter, drafter.get_by_role("button", name="Save the letter"))
    summary = drafter.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "The letter includes the true identity of a person whose identity is sealed — use "
        f"their pseudonym {pseudonym}"
    )
    expect(drafter.get_by_label("Edit the letter")).to_have_value(typed)
    summary.get_by_role("link").first.click()
    expect(drafter.get_by_label("Edit the letter")).to_be_focused()

    # The redraft with the pseudonym is saved and must be checked again.
    drafter.get_by_label("Edit the letter").fill(f"Dear {pseudonym}\n\n{REASONS}")
    submit(drafter, drafter.get_by_role("button", name="Save the letter"))
    expect(banner(drafter)).to_contain_text("Letter saved")
    expect(drafter.locator("main")).to_contain_text("Drafted")
    expect(drafter.locator("#redraft-notice")).to_have_count(0)
    goto(checker, letter_path)
    expect(checker.get_by_role("button", name="Approve the letter")).to_be_visible()
    expect(checker.locator("main")).to_contain_text(
        "Returned for redrafting: it named a person whose identity is sealed"
    )

    assert urn
    assert_not_logged(portal_server.log_path, [true_name, address, born.isoformat()])
