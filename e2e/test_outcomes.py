"""Outcomes for victims in a real browser (issue 20): a prosecutor records a compensation order
in the 2,000-victim fraud case and sees it apportioned to the penny across the victims; an
auditor reads the quarterly performance review, breaks it down, drills down to the cases and
downloads it, and sees no victim's name. Every page is checked with axe."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, fill_date, h1, signed_in, today

pytestmark = pytest.mark.e2e

MONEY = re.compile(r"^£[\d,]+\.\d\d$")


def big_case(page: Page) -> str:
    goto(page, "/cases")
    page.get_by_label("Crime type").select_option(label="Fraud")
    expect(page).to_have_url(re.compile(r"/cases\?.*\bcategory=fraud\b"))
    check_a11y(page)
    links = page.locator("#case-results tbody tr td:first-child a")
    expect(links.first).to_be_visible()
    for path in [link.get_attribute("href") for link in links.all()]:
        assert path is not None
        goto(page, path)
        tab = page.get_by_role("tab", name=re.compile(r"^Victims and witnesses"))
        if int(re.sub(r"\D", "", tab.inner_text())) >= 2000:
            return path
    raise AssertionError("no fraud case with 2,000 victims")


def test_prosecutor_records_a_compensation_order_in_the_big_case(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    big_case(prosecutor)
    submit(prosecutor, prosecutor.get_by_role("link", name=re.compile("^Outcomes")))
    expect(h1(prosecutor)).to_have_text("Outcomes")
    submit(
        prosecutor,
        prosecutor.get_by_role("button", name="Record a compensation order for Defendant 1"),
    )
    expect(h1(prosecutor)).to_have_text("Compensation order")
    # A mistake first: the error summary names it and keeps what was typed.
    prosecutor.get_by_role("radio", name="Made", exact=True).check()
    prosecutor.get_by_label("Amount sought, in pounds").fill("a million")
    submit(prosecutor, prosecutor.get_by_role("button", name="Save"))
    summary = prosecutor.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Amount sought must be an amount in pounds")
    expect(prosecutor.get_by_label("Amount sought, in pounds")).to_have_value("a million")

    prosecutor.get_by_label("Amount sought, in pounds").fill("1,250,000.00")
    prosecutor.get_by_label(re.compile(r"^Amount ordered, in pounds")).fill("1000000.00")
    fill_date(prosecutor, "decided_on", today())
    submit(prosecutor, prosecutor.get_by_role("button", name="Save"))
    expect(prosecutor.locator(".govuk-notification-banner")).to_contain_text(
        "Compensation order recorded"
    )
    expect(prosecutor.locator("body")).to_contain_text(
        "£1,000,000.00 (compensation order) across 2000 victims"
    )
    submit(prosecutor, prosecutor.get_by_role("link", name="Import losses from a spreadsheet"))
    expect(h1(prosecutor)).to_have_text("Import losses")
    prosecutor.get_by_label("CSV").fill("reference,kind,amount,proven\nP-NOSUCH,money,10,yes\n")
    submit(prosecutor, prosecutor.get_by_role("button", name="Import"))
    expect(prosecutor.locator(".govuk-error-summary")).to_contain_text(
        "Row 2, reference: Not the reference of a victim in this case"
    )
    submit(prosecutor, prosecutor.get_by_role("link", name="Back to the outcomes"))
    submit(prosecutor, prosecutor.get_by_role("link", name="Each victim's losses and shares"))
    expect(h1(prosecutor)).to_have_text("Victims' losses and shares")
    header = prosecutor.get_by_role("columnheader", name="Share of £1,000,000.00")
    expect(header).to_have_count(1)
    column = [
        i
        for i, text in enumerate(prosecutor.locator("table thead th").all_inner_texts())
        if text == "Share of £1,000,000.00"
    ][0]
    shares = prosecutor.locator(f"table tbody tr td:nth-child({column + 1})").all_inner_texts()
    assert len(shares) == 50 and all(MONEY.match(s) for s in shares), shares[:3]
    submit(prosecutor, prosecutor.get_by_role("link", name="Next page"))
    expect(prosecutor.locator("body")).to_contain_text("Victims 51 to 100 of 2000")


def test_auditor_reads_the_performance_review(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    big_case(prosecutor)
    submit(prosecutor, prosecutor.get_by_role("link", name=re.compile("^Outcomes")))
    submit(prosecutor, prosecutor.get_by_role("link", name="Each victim's losses and shares"))
    names = [
        n.splitlines()[0]
        for n in prosecutor.locator("table tbody tr td:first-child").all_inner_texts()
    ][:20]
    assert len(names) == 20 and not any(n.startswith("P-") for n in names)

    auditor = signed_in(new_context, portal_server, "auditor.demo")
    menu = auditor.get_by_role("navigation", name="Menu")
    submit(auditor, menu.get_by_role("link", name="Performance"))
    expect(h1(auditor)).to_have_text("Quarterly performance review")
    table = auditor.get_by_role("table", name=re.compile("^By quarter"))
    expect(table.get_by_role("columnheader", name="Conviction rate")).to_be_visible()
    expect(table.get_by_role("rowheader", name="All")).to_be_visible()
    expect(auditor.locator("#measures")).to_have_text("What each measure means")
    expect(auditor.locator("body")).to_contain_text("as a whole percentage rounded half up")

    auditor.get_by_label("Break down by").select_option(label="Organised crime type")
    submit(auditor, auditor.get_by_role("button", name="Show", exact=True))
    fraud = auditor.get_by_role("rowheader", name=re.compile("^Fraud and economic crime"))
    expect(fraud).to_have_count(1)
    text = auditor.locator("body").inner_text()
    assert not [n for n in names if n in text]

    auditor.get_by_label("Break down by").select_option(label="Financial year")
    submit(auditor, auditor.get_by_role("button", name="Show", exact=True))
    years = auditor.get_by_role("table", name=re.compile("^By financial year"))
    expect(years.locator("tbody tr").first).to_be_visible()
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="Download this table (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0][0] == "Line" and rows[-1][0] == "All"
    assert int(rows[-1][1]) > 0

    submit(auditor, years.locator("tbody tr th a").first)
    expect(h1(auditor)).to_have_text("Cases behind this line")
    cases = auditor.locator("table tbody tr")
    expect(cases.first).to_be_visible()
    text = auditor.locator("body").inner_text()
    assert not [n for n in names if n in text]
