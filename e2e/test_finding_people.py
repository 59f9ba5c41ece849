"""Finding people (issue 15 point 8) in a real browser, as the witness care officer who looks
them up: a surname alone, a first name with a date of birth, a sound-alike spelling (listed as
"Sounds similar") and a name typed with a straight apostrophe where a curly one was recorded all
find the person just added, and the result opens their page. Every page is checked with axe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.support.journeys import submit
from e2e.support.server import PortalServer
from e2e.support.steps import (
    CANARIES,
    NewContext,
    add_person,
    canary_dob,
    canary_name,
    h1,
    open_case,
    signed_in,
    today,
)
from e2e.test_search_and_logs import COERCIVE, matches, results, search_people

pytestmark = pytest.mark.e2e


def search(page: Page, name: str, born: date | None = None) -> None:
    """The search page's person search (a POST), the words typed kept in the form."""
    search_people(page, name=name, born=born)
    expect(page.get_by_label("Name", exact=True)).to_have_value(" ".join(name.split()))


def rows(page: Page) -> Locator:
    return results(page).locator("tbody tr")


def test_one_name_a_sound_alike_and_any_apostrophe_find_the_person(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    officer = signed_in(new_context, portal_server, "wco.demo")
    case_path, urn = open_case(officer, offence=COERCIVE, offence_date=today() - timedelta(30))
    name = canary_name("Catherine")  # "Catherine Quill…": no demo person is called this
    surname = name.split()[1]
    born = canary_dob(date(1931, 2, 3))
    catherine = add_person(officer, case_path, name, born=born)
    curly = f"Niamh O’{surname}n"
    CANARIES.append(curly)
    niamh = add_person(officer, case_path, curly)

    # The surname alone.
    search(officer, surname)
    assert matches(officer) == 1
    expect(rows(officer).get_by_role("link", name=name)).to_have_attribute("href", catherine.path)
    expect(rows(officer).get_by_role("link", name=urn)).to_be_visible()
    expect(rows(officer)).not_to_contain_text("Sounds similar")

    # The first name alone, narrowed by the date of birth.
    search(officer, "catherine", born=born)
    assert matches(officer) == 1
    expect(rows(officer)).to_contain_text("3 February 1931")

    # Spelled another way that sounds the same: found, and marked so.
    search(officer, f"Kathryn {surname.replace('Quill', 'Quyll')}")
    assert matches(officer) == 1
    expect(rows(officer).get_by_role("link", name=name)).to_be_visible()
    expect(rows(officer)).to_contain_text("Sounds similar")

    # Recorded with a curly apostrophe, typed with a straight one (and the other way round).
    search(officer, f"niamh o'{surname}n")
    assert matches(officer) == 1
    expect(rows(officer)).not_to_contain_text("Sounds similar")
    search(officer, f"O'{surname}n")
    assert matches(officer) == 1
    submit(officer, rows(officer).get_by_role("link", name=curly))
    expect(h1(officer)).to_have_text(curly)
    assert officer.url.endswith(niamh.path)

    # Part of a word is not her name (other people may sound like it; she is not among them).
    search(officer, f"Catherine {surname[:6]}", born=born)
    assert matches(officer) == 0
    expect(rows(officer)).to_have_count(0)
