"""My work is a work queue (issue 15.7), in a real browser, axe on every page.

The witness care officer looks after a case where a hearing was listed yesterday: the unit owes
two victims its details, and she owes one of them a safeguarding action today. She narrows My
work to her own cases and this case (a GET form: the address carries ids and codes, no names),
reads why each row is due, marks one victim told by phone with the quick action (htmx swaps the
row, then the counters follow), and, in a browser without JavaScript, the other through the
same button (a full page, then My work again with the same filters and the counters moved).
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, banner, canary_name, signed_in, today
from e2e.test_told_safely import _settings, seed
from portal.accounts.models import User
from portal.cases.models import Case, CaseParty
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person, SafeguardingAction
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

ACTION = "Ring about the pre-trial court visit"


def assign_with_an_action(server: PortalServer, urns: tuple[str, str]) -> list[uuid.UUID]:
    """wco.demo looks after both cases, and owes the victim of the first a safeguarding
    action due today. Returns the cases' ids."""
    settings = _settings(server)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            officer = db.scalars(select(User).where(User.username == "wco.demo")).one()
            cases = {c.urn: c for c in db.scalars(select(Case).where(Case.urn.in_(urns)))}
            for case in cases.values():
                case.witness_care_officer_id = officer.id
            party, person = db.execute(
                select(CaseParty, Person)
                .join(Person, Person.id == CaseParty.person_id)
                .where(CaseParty.case_id == cases[urns[0]].id)
            ).one()
            action = SafeguardingAction(
                id=uuid.uuid4(),
                case_party_id=party.id,
                key_id=person.key_id,
                owner_id=officer.id,
                due_on=today(),
                status="open",
            )
            Vault(db, settings.key_provider(), KeyCache()).put(action, "description", ACTION)
            db.add(action)
            return [cases[urn].id for urn in urns]
    finally:
        engine.dispose()


def _narrow_to(page: Page, urn: str) -> str:
    """Filter My work to the user's own cases and one case; returns the address it lands on."""
    page.get_by_label("Only cases I am the prosecutor or witness care officer for").check()
    page.get_by_label("Case", exact=True).select_option(label=urn)
    submit(page, page.get_by_role("button", name="Apply filters"))
    return page.url


def test_my_work_filters_explains_and_counts_after_a_quick_action(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    ash, birch = canary_name("Ash"), canary_name("Birch")
    urns = (seed(portal_server, ash), seed(portal_server, birch))
    first_id, _ = assign_with_an_action(portal_server, urns)

    officer = signed_in(new_context, portal_server, "wco.demo")  # My work is her home page
    filtered = _narrow_to(officer, urns[0])
    assert "mine=yes" in filtered and f"case={first_id}" in filtered
    for word in (*ash.split(), *birch.split()):
        assert word not in filtered

    rows = officer.locator("#work-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ash)
    yesterday = today() - timedelta(days=1)
    expect(rows.first).to_contain_text(
        re.compile(rf"Due because: Hearing listed on\s+{yesterday:%-d %b %Y}")
    )
    counters = officer.locator("#work-counters")
    expect(counters).to_contain_text(re.compile(r"^\s*0\s+Overdue\s+0\s+Due today\s+1\s+Due in"))
    expect(counters).to_contain_text(re.compile(r"[1-9][0-9]*\s+Safeguarding actions? due"))
    expect(officer.locator("#work-actions")).to_contain_text(ACTION)

    # The quick action: the row is swapped, then the counters follow (htmx).
    rows.first.get_by_role("button", name=re.compile("Mark met today")).click()
    expect(officer.locator("#work-list")).to_contain_text("Recorded. View or add evidence")
    expect(counters).to_contain_text(re.compile(r"0\s+Due in the next 5 working days"))
    check_a11y(officer)

    # Without JavaScript: the same filters and button, and full pages.
    plain = signed_in(new_context, portal_server, "wco.demo", java_script_enabled=False)
    filtered = _narrow_to(plain, urns[1])
    other = plain.locator("#work-list tbody tr")
    expect(other).to_have_count(1)
    expect(other).to_contain_text(birch)
    expect(plain.locator("#work-counters")).to_contain_text(
        re.compile(r"1\s+Due in the next 5 working days")
    )
    submit(plain, other.get_by_role("button", name=re.compile("Mark met today")))
    expect(banner(plain)).to_contain_text("Marked as met")
    goto(plain, filtered)
    expect(plain.locator("#work-counters")).to_contain_text(
        re.compile(r"0\s+Due in the next 5 working days")
    )
    expect(plain.locator("#work-list")).to_contain_text("Nothing is owed in the cases and rights")
