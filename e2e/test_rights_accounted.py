"""All 12 rights accounted for (issue 15.3), in a real browser, axe on every page.

A prosecutor opens a case with one victim and records the court's bail decision (a case event).
The witness care officer opens the victim's rights page from her person page: the WCU's bail duty
is owed; the police's and the court's duties are shown as theirs, not as "not yet triggered".
The officer records that the CPS said she is required to give evidence (a fact about her, recorded
on her rights page): a form with nothing chosen is refused with an error summary, then the duty
appears, due 1 working day later. The auditor's dashboard lists tracked duties, duties with no
time limit and duties not tracked here apart.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

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
from portal.victims_code.calendar import ENGLAND_AND_WALES

pytestmark = pytest.mark.e2e

FIREARMS = "Possessing a prohibited weapon (Firearms trafficking)"
EVIDENCE = "The CPS told us they are required to give evidence"


def test_every_right_is_owed_here_or_shown_as_another_bodys_duty(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    victim = canary_name("Rita")
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, _ = open_case(
        prosecutor, offence=FIREARMS, offence_date=today() - timedelta(days=60)
    )
    added = add_person(prosecutor, case_path, victim)
    record_event(prosecutor, case_path, "Bail decision by the court", today())

    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, added.path)
    submit(officer, officer.get_by_role("link", name="Victims' Code rights", exact=False))
    expect(h1(officer)).to_have_text("Victims' Code rights")
    right8 = officer.locator("#right-8")
    expect(
        right8.get_by_role("link", name="Outcome of bail hearings and bail conditions")
    ).to_be_visible()
    expect(right8).to_contain_text(
        "Court passes bail outcome to the Witness Care Unit: "
        "Not tracked in this portal the court's duty"
    )
    right2 = officer.locator("#right-2")
    expect(right2).to_contain_text("Not tracked in this portal the police's duty")
    expect(right2).not_to_contain_text("Not yet triggered")
    expect(officer.locator("main")).not_to_contain_text("UNCONFIRMED")

    # Nothing chosen: refused with an error summary.
    submit(officer, officer.get_by_role("button", name="Record it"))
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what happened")
    expect(summary).to_contain_text("Enter the date it happened or reached you")

    officer.get_by_label(EVIDENCE).check()
    fill_date(officer, "happened_on", today())
    submit(officer, officer.get_by_role("button", name="Record it"))
    expect(banner(officer)).to_contain_text("Recorded: 1 duty now owed")
    due = ENGLAND_AND_WALES.add_working_days(today(), 1)
    owed = officer.locator("#right-8 li").filter(has_text="Told whether required to give evidence")
    expect(owed).to_contain_text(f"(due {due.day} {due:%B %Y})")

    auditor = signed_in(new_context, portal_server, "auditor.demo")
    goto(auditor, "/compliance")
    expect(auditor.locator("#duties-timed")).to_contain_text("whose outcomes make the rate above")
    expect(auditor.locator("#duties-no-limit")).to_contain_text("not counted in the rate")
    untracked = auditor.locator("#duties-untracked")
    expect(untracked).to_contain_text("The police's duty:")
    expect(untracked).to_contain_text("The court's duty:")
