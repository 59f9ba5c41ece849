"""Search without decryption in a real browser (issue 3): an exact-name search finds a person
just added; once a witness's identity is sealed by an anonymity application, a search for their
true name finds nothing, for a witness care officer or a prosecutor. Last, the server's log is
scanned for every canary name, address and date of birth typed in this session: none is there.
Every page is checked with axe (and by the CSP guard in e2e/conftest.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    CANARIES,
    NewContext,
    add_person,
    assert_not_logged,
    canary_address,
    canary_dob,
    canary_name,
    draft_anonymity_application,
    fill_date,
    h1,
    open_case,
    signed_in,
    today,
)

# The log check runs last, on the worker that ran this module's journeys (xdist --dist loadgroup).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("search_and_logs")]

COERCIVE = (
    "Controlling or coercive behaviour in an intimate or family relationship (Domestic abuse)"
)
STALKING = (
    "Stalking involving fear of violence or serious alarm or distress (Violence against the person)"
)


def search_people(page: Page, *, name: str = "", born: date | None = None) -> None:
    """Search by name and/or date of birth from the search page (a POST)."""
    navigation = page.get_by_role("navigation", name="Menu")
    submit(page, navigation.get_by_role("link", name="Search"))
    expect(h1(page)).to_have_text("Search")
    page.get_by_label("Name", exact=True).fill(name)
    if born is not None:
        fill_date(page, "date_of_birth", born)
    with page.expect_request(lambda r: r.method == "POST") as sent:
        submit(page, page.get_by_role("button", name="Search people"))
    assert name.strip() == "" or name.split()[-1] not in sent.value.url  # never in the URL


def results(page: Page):
    return page.locator("#search-results")


def matches(page: Page) -> int:
    status = results(page).get_by_role("status")
    expect(status).to_have_text(re.compile(r"^\d+ match(es)? in cases you can see$"))
    return int(status.inner_text().split()[0])


def test_exact_name_search_finds_the_person(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    officer = signed_in(new_context, portal_server, "wco.demo")
    case_path, urn = open_case(officer, offence=COERCIVE, offence_date=today() - timedelta(60))
    name = canary_name("Ottilie")
    born = canary_dob(date(1987, 6, 19))
    person = add_person(officer, case_path, name, born=born, address=canary_address())

    # Exact name, typed with other capitals and spacing: normalised before the blind index.
    first, last = name.split()
    search_people(officer, name=f"  {first.upper()}   {last.lower()} ")
    assert matches(officer) == 1
    row = results(officer).locator("tbody tr")
    expect(row.get_by_role("link", name=name)).to_have_attribute("href", person.path)
    expect(row).to_contain_text(person.reference)
    expect(row).to_contain_text("19 June 1987")
    expect(row.get_by_role("link", name=urn)).to_be_visible()
    # What was searched for is kept in the form.
    expect(officer.get_by_label("Name", exact=True)).to_have_value(
        f"{first.upper()} {last.lower()}"
    )

    # Name and date of birth together narrow to the same person; a different name finds nobody.
    search_people(officer, name=name, born=born)
    assert matches(officer) == 1
    # (Not the same surname with a letter added: that can sound the same, and sound-alike
    # matches are found on purpose.)
    search_people(officer, name=f"{first} Vexborough")
    assert matches(officer) == 0
    expect(results(officer).locator("tbody tr")).to_have_count(0)


def test_sealed_identity_cannot_be_found_by_its_true_name(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    prosecutor = signed_in(new_context, portal_server, "prosecutor.demo")
    case_path, _ = open_case(prosecutor, offence=STALKING, offence_date=today() - timedelta(90))
    true_name = canary_name("Severine")
    born = canary_dob(date(1979, 2, 23))
    witness = add_person(
        prosecutor, case_path, true_name, role="Witness", born=born, address=canary_address()
    )

    # Before the identity is sealed, the officer finds the witness by name.
    officer = signed_in(new_context, portal_server, "wco.demo")
    search_people(officer, name=true_name)
    assert matches(officer) == 1

    draft_anonymity_application(prosecutor, witness.path)

    for page in (officer, prosecutor):
        search_people(page, name=true_name)
        assert matches(page) == 0, "a sealed identity was found by its true name"
        expect(results(page).locator("tbody tr")).to_have_count(0)
        expect(results(page)).not_to_contain_text(witness.reference)
        # Whatever a date-of-birth search returns, it never shows the true name.
        search_people(page, born=born)
        expect(page.locator("main")).not_to_contain_text(true_name)

    # The witness's own pages show only the pseudonym to the officer.
    goto(officer, witness.path)
    expect(h1(officer)).to_have_text(f"Witness {witness.reference}")
    expect(officer.locator("body")).not_to_contain_text(true_name)


def test_the_server_log_holds_no_canary(portal_server: PortalServer) -> None:
    """Last in this module: every name, address and date of birth the journeys of this session
    typed so far (this module's at least) is absent from everything the server has logged."""
    assert len(CANARIES) >= 6, "the journeys above registered their canaries"
    assert portal_server.log_path.stat().st_size > 0
    assert_not_logged(portal_server.log_path, CANARIES)
