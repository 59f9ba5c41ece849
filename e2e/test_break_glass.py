"""Break-glass in a real browser (issue 18 point 4): a witness care officer asks for emergency
access to a case of another unit (a reason from the list, their own words), sees the banner on
every page while it lasts and opens the case; an auditor finds the use in the review queue and
records that it was justified. Every page is checked with axe (goto and submit do it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, banner, h1, open_case, signed_in, today

pytestmark = pytest.mark.e2e

COERCIVE = (
    "Controlling or coercive behaviour in an intimate or family relationship (Domestic abuse)"
)
SEOCID = "Serious Economic, Organised Crime and International Directorate"


def test_emergency_access_is_opened_shown_and_reviewed(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor2.demo")
    case_path, urn = open_case(
        prosecutor, offence=COERCIVE, offence_date=today() - timedelta(days=20), unit=SEOCID
    )

    officer = signed_in(new_context, portal_server, "wco.demo")
    response = goto(officer, case_path)
    assert response is not None and response.status == 404  # another unit's case
    goto(officer, "/break-glass")
    expect(h1(officer)).to_have_text("Request emergency access to a case")
    submit(officer, officer.get_by_role("button", name="Open the case"))
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the case's URN")
    expect(summary).to_contain_text("Select why you need emergency access")
    officer.get_by_label("Case unique reference number (URN)").fill(urn)
    officer.get_by_label("Urgent safeguarding concern about a victim or witness").check()
    officer.get_by_label("Explain the emergency").fill("Police report a threat tonight")
    submit(officer, officer.get_by_role("button", name="Open the case"))

    expect(h1(officer)).to_have_text(f"Case {urn}")
    notice = officer.get_by_role("region", name="Emergency access")
    expect(notice).to_contain_text(f"You have emergency access to case {urn}")
    expect(banner(officer)).to_contain_text("Emergency access opened")
    goto(officer, "/home")
    expect(officer.get_by_role("region", name="Emergency access")).to_contain_text(urn)
    submit(officer, officer.get_by_role("region", name="Emergency access").get_by_role("link"))
    expect(h1(officer)).to_have_text(f"Case {urn}")

    auditor = signed_in(new_context, portal_server, "auditor.demo")
    goto(auditor, "/break-glass/reviews")
    expect(h1(auditor)).to_have_text("Emergency access to review")
    row = auditor.locator("tbody tr").filter(has_text=urn)
    expect(row).to_contain_text("Urgent safeguarding concern")
    expect(row.locator(".govuk-table__cell--numeric")).to_have_text("2")
    submit(auditor, row.get_by_role("link", name="Review"))
    expect(h1(auditor)).to_have_text("Review emergency access")
    expect(auditor.locator("main")).to_contain_text("Police report a threat tonight")
    submit(auditor, auditor.get_by_role("button", name="Record the review"))
    expect(auditor.locator(".govuk-error-summary")).to_contain_text("Select whether")
    auditor.get_by_label("Justified", exact=True).check()
    auditor.get_by_label("Note").fill("Threat confirmed with the police")
    submit(auditor, auditor.get_by_role("button", name="Record the review"))
    expect(banner(auditor)).to_contain_text("Review recorded")
    expect(auditor.locator("tbody tr").filter(has_text=urn)).to_have_count(0)
