"""Issue 15 point 9, as a witness care officer: a trafficking case's banner summarises who is
protected and links to the list; each page has a way back; an obligation page carries its
victim's restrictions and no rules-data tags."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, h1, path_of, signed_in

SUMMARY = re.compile(r"(\d+) people in this case have lifelong anonymity")


def test_the_banner_summarises_and_every_page_has_a_way_back(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, "/cases?category=trafficking")
    expect(officer.locator(".govuk-breadcrumbs")).to_contain_text("Home")
    paths = [
        link.get_attribute("href")
        for link in officer.locator("#case-results tbody tr td:first-child a").all()
    ]
    found = None
    for path in paths[:20]:
        assert path is not None
        goto(officer, path)
        banner = officer.locator(".portal-restrictions")
        counted = SUMMARY.search(banner.inner_text()) if banner.count() else None
        if counted and int(counted.group(1)) > 3:  # more than the banner names
            found = path, int(counted.group(1))
            break
    assert found is not None, "no demo trafficking case with several protected victims"
    case_path, protected = found
    assert protected > 3  # too many to name: the banner counts them
    expect(officer.locator(".govuk-breadcrumbs")).to_contain_text("Cases")

    submit(officer, officer.get_by_role("link", name="See who is protected and why"))
    expect(h1(officer)).to_have_text("Who is protected, and why")
    rows = officer.locator("#case-restrictions tbody tr")
    expect(rows.filter(has_text="Lifelong anonymity")).to_have_count(protected)
    first = rows.first.get_by_role("link")
    reference = first.inner_text()
    submit(officer, first)
    expect(officer.locator(".portal-restrictions")).to_contain_text(
        f"{reference}: Lifelong anonymity"
    )
    person_path = path_of(officer)

    goto(officer, person_path + "/rights")
    expect(officer.locator(".govuk-back-link, .govuk-breadcrumbs").first).to_be_visible()
    obligation = officer.locator("main a[href^='/obligations/']").first
    submit(officer, obligation)
    expect(officer.locator(".portal-restrictions")).to_contain_text(reference)
    expect(officer.locator("main")).not_to_contain_text("UNCONFIRMED")
    expect(officer.locator("main")).not_to_contain_text(re.compile(r"\bDR \d"))
    submit(officer, officer.get_by_role("link", name="Back to their rights"))
    expect(officer).to_have_url(re.compile(re.escape(person_path) + "/rights$"))

    goto(officer, case_path)
    submit(officer, officer.locator(".govuk-breadcrumbs").get_by_role("link", name="Cases"))
    expect(h1(officer)).to_contain_text("Cases")
