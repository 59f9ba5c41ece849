"""Officers record what the job needs, in a real browser (issue 15 point 5): a witness care
officer makes a witness a victim and witness, records that they are persistently targeted with
the reason, adds their guardian (the one to contact them through), and the case list shows the
enhanced status the person page computes. Every page is checked with axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    NewContext,
    add_person,
    banner,
    canary_name,
    h1,
    open_case,
    signed_in,
    summary_value,
    today,
)

pytestmark = pytest.mark.e2e

FRAUD = "Fraud by false representation (Fraud)"


def test_officer_changes_a_role_records_enhanced_rights_and_a_guardian(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    officer = signed_in(new_context, portal_server, "wco.demo")
    case_path, urn = open_case(officer, offence=FRAUD, offence_date=today() - timedelta(days=60))
    adult = today().replace(year=today().year - 40, day=9)
    person = add_person(officer, case_path, canary_name("Wilhelmina"), role="Witness", born=adult)

    # 1. Witness only, so no enhanced rights yet; make them a victim and witness.
    expect(summary_value(officer, "Part in the case")).to_have_text("Witness")
    submit(officer, officer.get_by_role("link", name="Change part in the case"))
    expect(h1(officer)).to_have_text("Their part in the case")
    officer.get_by_label("Victim and witness").check()
    submit(officer, officer.get_by_role("button", name="Save"))
    expect(banner(officer)).to_contain_text("Part in the case changed")
    expect(summary_value(officer, "Part in the case")).to_have_text("Victim and witness")
    rights = officer.locator("#rights ~ p").first
    expect(rights).to_contain_text("No enhanced-rights category applies")

    # 2. Persistently targeted, with the ground and the reason; a missing reason is refused first.
    submit(
        officer, officer.get_by_role("link", name="Record enhanced-rights categories and reasons")
    )
    expect(h1(officer)).to_have_text("Enhanced rights under the Victims' Code")
    officer.locator("#applies-persistently_targeted").check()
    officer.get_by_label("Victim of harassment or stalking").check()
    submit(officer, officer.get_by_role("button", name="Save"))
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reason the person is a persistently targeted victim")
    expect(officer.locator("#applies-persistently_targeted")).to_be_checked()
    officer.locator("#persistently_targeted_details").fill("Followed home from work every week")
    submit(officer, officer.get_by_role("button", name="Save"))
    expect(banner(officer)).to_contain_text("Enhanced-rights categories saved")
    expect(summary_value(officer, "Persistently targeted victim")).to_contain_text(
        "Victim of harassment or stalking: Followed home from work every week"
    )

    # 3. Their guardian, through whom they are contacted.
    guardian = canary_name("Gideon")
    officer.get_by_text("Add a parent, guardian or representative").click()
    officer.get_by_label("Relationship to the person").select_option(label="Guardian")
    officer.locator("#linked-full_name").fill(guardian)
    officer.get_by_label("Telephone number (optional)").fill("07700 900456")
    officer.get_by_label("Contact the person through them").check()
    check_a11y(officer)
    submit(officer, officer.get_by_role("button", name="Add contact"))
    expect(banner(officer)).to_contain_text("Parent, guardian or representative added")
    contacts = officer.locator(".govuk-summary-card").filter(has_text=guardian)
    expect(contacts).to_contain_text("Guardian")
    expect(contacts).to_contain_text("Contact the person through them")

    # 4. The case list shows the status the person page computed.
    goto(officer, f"/cases?urn={urn}")
    row = officer.locator("#case-results tbody tr").filter(has_text=urn)
    expect(row).to_contain_text(re.compile(r"1 of 1 victim\s*Persistently targeted victim"))
    assert person.path.startswith(case_path)
