"""A second prosecutor's decision on protected information in a document, in a real browser
(issue 16 point 1): the decision is a choice with nothing pre-selected, and a "no" comes with a
reason. A prosecutor uploads a statement that gives away a sealed witness's address; a second
prosecutor finds it on My work, returns it with a question; the uploader finds the question on
their My work and answers; the second prosecutor sees the answer and refuses the override; the
uploader sees who refused it, when and why, and that it must be redacted. axe runs on every page
(e2e/conftest.py)."""

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


def test_a_second_prosecutor_returns_then_refuses_an_override(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    address = canary_address()
    street, town = address.split(", ")
    # A case in the Complex Casework Unit opened by the second prosecutor, so both see it.
    second = signed_in(new_context, portal_server, "prosecutor2.demo")
    case_path, urn = open_case(second, offence=FIREARMS, offence_date=today() - timedelta(days=30))
    uploader = signed_in(new_context, portal_server, "prosecutor.demo")
    sealed = add_person(
        uploader, case_path, canary_name("Perpetua"), role="Witness", address=address
    )
    draft_anonymity_application(uploader, sealed.path)
    author = add_person(uploader, case_path, canary_name("Barnaby"), role="Witness")
    statement = f"Witness statement\nThey live at\n{street},\n{town} with their family.\n"
    goto(uploader, f"{author.path}/documents")
    uploader.get_by_label("What kind of document is it?").select_option(label="Statement")
    uploader.get_by_label("File").set_input_files(
        {"name": "statement.txt", "mimeType": "text/plain", "buffer": statement.encode()}
    )
    submit(uploader, uploader.get_by_role("button", name="Upload"))
    expect(banner(uploader)).to_contain_text("Document uploaded")

    # The second prosecutor's My work: the blocked document, waiting for their decision.
    goto(second, "/work")
    waiting = second.get_by_role("link", name=f"Case {urn}: a document uploaded by Priya Shah")
    submit(second, waiting)
    expect(h1(second)).to_have_text("Disclosure check: statement.txt")
    request = second.locator('[id^="override-request-"]')
    expect(request).to_contain_text("Priya Shah")
    expect(request).to_contain_text(f"Witness {sealed.reference}")
    record = second.get_by_role("button", name="Record your decision on line 3")
    submit_with_passkey(second, record)  # a passkey first; nothing chosen: an error
    expect(second.locator(".govuk-error-summary")).to_contain_text("approve, refuse or return")
    second.get_by_label("Return to the uploader with a question").check()
    question = "Is this the address the court already holds?"
    second.get_by_label("Your reason (or your question for the uploader)").fill(question)
    submit(second, second.get_by_role("button", name="Record your decision on line 3"))
    expect(banner(second)).to_contain_text("Returned to the uploader with your question")

    # The uploader finds the question on My work and answers it.
    goto(uploader, "/work")
    asked = uploader.get_by_role(
        "link", name=f"Case {urn}: a second prosecutor asked about protected information"
    )
    submit(uploader, asked)
    expect(uploader.locator('[id^="declined-"]')).to_contain_text(question)
    expect(uploader.locator('[id^="declined-"]')).to_contain_text("Daniel Okafor")
    answer = "No: it is the witness's home address, which the defence must not have."
    uploader.get_by_label("Your answer for the second prosecutor").fill(answer)
    submit(uploader, uploader.get_by_role("button", name="Send your answer about line 3"))
    expect(banner(uploader)).to_contain_text("Answer sent")

    # Before the second prosecutor again, with the answer: refused, with the reason.
    goto(second, "/work")
    submit(
        second, second.get_by_role("link", name=f"Case {urn}: a document uploaded by Priya Shah")
    )
    expect(second.locator('[id^="override-request-"]')).to_contain_text(answer)
    second.get_by_label("Refuse: it must be redacted before the document is served").check()
    refusal = "The home address must be redacted before service."
    second.get_by_label("Your reason (or your question for the uploader)").fill(refusal)
    submit(second, second.get_by_role("button", name="Record your decision on line 3"))
    expect(banner(second)).to_contain_text("Override refused")

    goto(uploader, uploader.url)
    refused = uploader.locator('[id^="declined-"]')
    expect(refused).to_contain_text("Override refused by")
    expect(refused).to_contain_text("Daniel Okafor")
    expect(refused).to_contain_text(refusal)
    expect(uploader.locator("main")).to_contain_text("It must be redacted")
    expect(uploader.locator("main")).not_to_contain_text(street)
