"""Case events in a real browser (issue 15 point 4): the prosecutor, who records events, chooses
what happened and sees only that kind's fields; a verdict without an outcome is refused with an
error summary, and with one the timeline shows the defendant it concerns; without JavaScript
every kind's fields show and a hearing is recorded with its date, time, court and type, which
the timeline shows. Every page is checked with axe (the helpers run it after each navigation)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    Hearing,
    NewContext,
    assert_not_logged,
    canary_name,
    event_details,
    fill_event,
    h1,
    open_case,
    record_event,
    signed_in,
    today,
)

pytestmark = pytest.mark.e2e

OFFENCE = "Fraud by false representation (Fraud)"


def test_a_verdict_needs_its_outcome_and_a_hearing_its_details(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    first, second = canary_name("Ada"), canary_name("Bram")
    case_path, _ = open_case(
        prosecutor,
        offence=OFFENCE,
        offence_date=today() - timedelta(days=200),
        defendant=f"{first}\n{second}",
    )

    # The kind comes first; a verdict's fields appear only once it is chosen.
    goto(prosecutor, f"{case_path}/events/new")
    expect(h1(prosecutor)).to_have_text("Record an event")
    reveal = prosecutor.locator("#conditional-kind-verdict")
    expect(reveal).to_be_hidden()
    details = event_details(prosecutor, "Verdict")
    expect(details).to_be_visible()
    expect(prosecutor.locator("#conditional-kind-plea")).to_be_hidden()
    check_a11y(prosecutor)

    # A verdict without an outcome is refused, with what was typed kept.
    verdict_on = today() - timedelta(days=3)
    fill_event(prosecutor, "Verdict", verdict_on, defendant="Defendant 2")
    submit(prosecutor, prosecutor.get_by_role("button", name="Record event"))
    summary = prosecutor.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Select the verdict")).to_be_visible()
    expect(prosecutor).to_have_title(re.compile(r"^Error: Record an event"))
    expect(prosecutor.locator("#conditional-kind-verdict")).to_be_visible()
    expect(prosecutor.locator("#verdict-defendant_id option:checked")).to_have_text("Defendant 2")
    summary.get_by_role("link", name="Select the verdict").click()
    expect(prosecutor.locator("#verdict-outcome")).to_be_focused()

    # With the outcome it is recorded, and the timeline says whose verdict it is.
    record_event(
        prosecutor, case_path, "Verdict", verdict_on, defendant="Defendant 2", outcome="Guilty"
    )
    prosecutor.get_by_role("tab", name="Timeline").click()
    timeline = prosecutor.locator("#timeline")
    entry = timeline.locator(".moj-timeline__item").first
    expect(entry.locator(".moj-timeline__title")).to_have_text("Verdict: Guilty")
    expect(entry).to_contain_text(f"Defendant 2: {second}")
    expect(entry).not_to_contain_text(first)
    check_a11y(prosecutor)

    # Without JavaScript every kind's fields show; only the chosen kind's are read.
    plain = signed_in(new_context, portal_server, "prosecutor.demo", java_script_enabled=False)
    goto(plain, f"{case_path}/events/new")
    expect(plain.locator("#conditional-kind-verdict")).to_be_visible()
    expect(plain.locator("#conditional-kind-hearing_listed")).to_be_visible()
    hearing_on = today() + timedelta(days=40)
    fill_event(
        plain,
        "Hearing listed",
        today() - timedelta(days=1),
        hearing=Hearing(hearing_on, "14:30", "Southwark Crown Court", "Pre-trial review"),
    )
    plain.locator("#notes").fill("Listed in court 4")
    submit(plain, plain.get_by_role("button", name="Record event"))
    expect(plain.locator(".govuk-notification-banner--success")).to_contain_text(
        "Hearing listed recorded"
    )
    hearing = plain.locator("#timeline .moj-timeline__item").filter(has_text="Hearing listed")
    expect(hearing).to_contain_text(
        f"Pre-trial review on {hearing_on.day} {hearing_on:%B %Y} at 2:30pm "
        "at Southwark Crown Court"
    )
    expect(hearing).to_contain_text("Listed in court 4")
    check_a11y(plain)

    assert_not_logged(portal_server.log_path, [first, second])
