"""A needs assessment meets the Witness Care Unit's needs-assessment duty (issue 15 point 3),
as the witness care officer who records it, in a real browser with axe on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    add_person,
    banner,
    canary_name,
    fill_date,
    h1,
    open_case,
    record_event,
    signed_in,
    today,
)

pytestmark = pytest.mark.e2e
DUTY = "Witness Care Unit needs assessment"
COERCIVE = (
    "Controlling or coercive behaviour in an intimate or family relationship (Domestic abuse)"
)


def duty_row(page: Page, person_path: str) -> Locator:
    goto(page, f"{person_path}/rights")
    expect(h1(page)).to_have_text("Victims' Code rights")
    return page.locator("#right-4 li").filter(has=page.get_by_role("link", name=DUTY))


def test_recording_a_needs_assessment_meets_its_duty(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, _ = open_case(prosecutor, offence=COERCIVE, offence_date=today() - timedelta(40))
    person = add_person(prosecutor, case_path, canary_name("Marisol"))
    record_event(
        prosecutor,
        case_path,
        "Plea",
        today() - timedelta(days=1),
        defendant="Defendant 1",
        outcome="Not guilty",
    )

    officer = signed_in(new_context, portal_server, "wco.demo")
    row = duty_row(officer, person.path)
    expect(row).to_have_count(1)
    expect(row.locator(".govuk-tag")).not_to_have_text(re.compile("^(Met|Done)"))

    goto(officer, person.path)
    submit(officer, officer.get_by_role("link", name=re.compile(r"^Record a new assessment")))
    fill_date(officer, "assessed_on", today())
    for kind in ("childcare", "transport", "language", "medical", "intimidation"):
        officer.locator(f"#{kind}-no").check()
    officer.get_by_label("Low", exact=True).check()
    submit(officer, officer.get_by_role("button", name="Save needs assessment"))
    expect(banner(officer)).to_contain_text("Needs assessment recorded")

    row = duty_row(officer, person.path)
    expect(row.locator(".govuk-tag")).to_have_text(re.compile("^(Met|Done)"))
