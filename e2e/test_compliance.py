"""The auditor's pages in a real browser (issue 9): the Victims' Code compliance dashboard (a
server-rendered SVG chart with its data table, checked with axe like every page), its breakdowns
by crime type and by Area, a drill-down from a number to the obligations behind it (people shown
by reference), and the access log filtered by person reference and by user, with paging. No
victim's or witness's name appears on any auditor page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.support.journeys import submit
from e2e.support.server import PortalServer
from e2e.support.steps import CANARIES, NewContext, h1, signed_in, summary_value

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"^P-[0-9A-Z]+$")


def expect_no_names(page: Page, names: list[str]) -> None:
    text = page.locator("body").inner_text()
    shown = [name for name in names if name in text]
    assert not shown, f"personal names on the auditor's page {page.url}: {shown}"


def table_row(page: Page, header: str) -> Locator:
    return page.locator("table tbody tr").filter(
        has=page.get_by_role("rowheader", name=header, exact=True)
    )


def show_breakdown(page: Page, label: str) -> None:
    page.get_by_label("Break down by").select_option(label=label)
    submit(page, page.get_by_role("button", name="Show", exact=True))
    expect(page.get_by_label("Break down by")).to_have_value(re.compile(".+"))
    expect(page.locator("#chart-title")).to_have_text(f"By {label.lower()}")


def test_auditor_dashboard_drill_down_and_access_log(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    # Names an auditor must never see: people owed something by the witness care officer's
    # team (so they are behind the dashboard's numbers), and everything typed this session.
    officer = signed_in(new_context, portal_server, "wco.demo")
    people = officer.locator("#work-list tbody tr td:nth-child(2) a")
    expect(people.first).to_be_visible()
    shown = [n for n in people.all_inner_texts() if not n.startswith("Witness P-")]
    names = [*dict.fromkeys(shown), *CANARIES]
    assert len(names) >= 5
    submit(officer, people.first)
    caption = officer.locator(".govuk-caption-l").inner_text()
    reference = caption.rsplit("·", 1)[-1].strip()
    assert REFERENCE.match(reference), caption

    auditor = signed_in(new_context, portal_server, "auditor.demo")
    expect(h1(auditor)).to_have_text("Overview")
    menu = auditor.get_by_role("navigation", name="Menu")
    submit(auditor, menu.get_by_role("link", name="Compliance"))
    expect(h1(auditor)).to_have_text("Victims' Code compliance")
    chart = auditor.get_by_role("img", name=re.compile(r"^By entitlement"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect").first).to_be_attached()
    numbers = auditor.get_by_role("table", name="The numbers behind the chart")
    expect(numbers.get_by_role("columnheader", name="On time", exact=True)).to_be_visible()
    expect(
        numbers.get_by_role("rowheader", name=re.compile(r"^CPS decision to discontinue"))
    ).to_be_visible()
    expect_no_names(auditor, names)

    show_breakdown(auditor, "Crime type")
    expect(table_row(auditor, "Fraud")).to_have_count(1)
    expect(table_row(auditor, "Modern slavery and human trafficking")).to_have_count(1)
    expect_no_names(auditor, names)

    show_breakdown(auditor, "CPS Area")
    london_north = table_row(auditor, "London North")
    expect(london_north).to_have_count(1)
    overdue = london_north.get_by_role("link", name=re.compile(r"overdue, London North$"))
    count = int(overdue.inner_text().split()[0])
    assert count > 0
    expect_no_names(auditor, names)

    # From the number to the obligations behind it, people by reference only.
    submit(auditor, overdue)
    expect(h1(auditor)).to_have_text(f"Overdue ({count})")
    expect(auditor.locator(".govuk-caption-l")).to_have_text("London North")
    rows = auditor.locator("table tbody tr")
    expect(rows).to_have_count(min(count, 50))
    for reference_shown in rows.locator("td:first-child").all_inner_texts():
        assert REFERENCE.match(reference_shown), reference_shown
    expect_no_names(auditor, names)
    if count > 50:
        submit(auditor, auditor.get_by_role("link", name="Next page"))
        expect(rows).to_have_count(min(count - 50, 50))
        expect_no_names(auditor, names)
    submit(auditor, rows.first.get_by_role("link"))  # one obligation, pseudonymised
    expect(summary_value(auditor, "Victim")).to_have_text(REFERENCE)
    expect_no_names(auditor, names)

    # The access log, by person reference: the officer's view of that person just now.
    submit(auditor, menu.get_by_role("link", name="Access log"))
    expect(h1(auditor)).to_have_text("Access log")
    auditor.get_by_label("Person reference").fill(reference)
    submit(auditor, auditor.get_by_role("button", name="Filter"))
    entries = auditor.locator("#audit-results tbody tr")
    expect(entries.first).to_be_visible()
    for person_cell in entries.locator("td:nth-child(6)").all_inner_texts():
        assert person_cell == reference
    expect(
        entries.filter(has_text="wco.demo").filter(has_text="Viewed a person's page")
    ).not_to_have_count(0)
    expect_no_names(auditor, names)

    # By user, then the next page of the same filter.
    auditor.get_by_label("Person reference").fill("")
    auditor.get_by_label("Staff username").fill("wco.demo")
    submit(auditor, auditor.get_by_role("button", name="Filter"))
    expect(auditor.get_by_label("Staff username")).to_have_value("wco.demo")
    first_page = [int(n) for n in entries.locator("td:first-child").all_inner_texts()]
    assert first_page and first_page == sorted(first_page, reverse=True)
    for who in entries.locator("td:nth-child(3)").all_inner_texts():
        assert who.endswith("wco.demo"), who
    expect_no_names(auditor, names)
    submit(auditor, auditor.get_by_role("link", name="Older entries"))
    expect(auditor.get_by_label("Staff username")).to_have_value("wco.demo")
    second_page = [int(n) for n in entries.locator("td:first-child").all_inner_texts()]
    assert second_page and max(second_page) < min(first_page)
    for who in entries.locator("td:nth-child(3)").all_inner_texts():
        assert who.endswith("wco.demo"), who
    expect_no_names(auditor, names)
    submit(auditor, auditor.get_by_role("link", name="Newest entries"))
    assert [int(n) for n in entries.locator("td:first-child").all_inner_texts()] == first_page
