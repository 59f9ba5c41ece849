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
import secrets
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from e2e.support.a11y import check_a11y
from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, banner, canary_name, signed_in, today
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases.importer import NewPerson, insert_people
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.service import NewCase, NewEvent, open_case, record_event
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person, SafeguardingAction
from portal.people.service import SafeContact
from portal.settings import Settings
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

ACTION = "Ring about the pre-trial court visit"


def seed(server: PortalServer, names: tuple[str, str]) -> tuple[str, uuid.UUID]:
    """A London North CCU case looked after by wco.demo, two victims (phone only), a hearing
    listed yesterday, and a safeguarding action for wco.demo due today. Returns (URN, id)."""
    settings = Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(server.instance_dir),
            "PORTAL_DATABASE_URL": server.database_url,
        }
    )
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            users = {
                u.username: u
                for u in db.scalars(
                    select(User).where(User.username.in_(("prosecutor.demo", "wco.demo")))
                )
            }
            prosecutor, officer = users["prosecutor.demo"], users["wco.demo"]
            actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
            vault = Vault(db, settings.key_provider(), KeyCache())
            urn = f"01AB{secrets.randbelow(10**7):07d}"
            case = open_case(
                db,
                vault,
                actor,
                NewCase(
                    urn=urn,
                    area="london-north",
                    unit="ccu",
                    court_type="crown",
                    court_name="Southwark Crown Court",
                    offence_codes=("FA2006-S2",),
                    prosecutor_id=prosecutor.id,
                    witness_care_officer_id=officer.id,
                    defendant_names=("Drew Defendant",),
                ),
            )
            person_ids = insert_people(
                db,
                vault,
                actor,
                case,
                [
                    NewPerson(
                        full_name=name,
                        phone="07700 900456",
                        safe_contact=SafeContact(channels=("phone",)),
                    )
                    for name in names
                ],
            )
            record_event(
                db,
                vault,
                actor,
                case,
                NewEvent(
                    kind=EventKind.HEARING_LISTED,
                    event_date=today() - timedelta(days=1),
                    received_on=today(),
                ),
            )
            person = db.get(Person, person_ids[0])
            party = db.scalars(
                select(CaseParty).where(
                    CaseParty.case_id == case.id, CaseParty.person_id == person_ids[0]
                )
            ).one()
            assert person is not None
            action = SafeguardingAction(
                id=uuid.uuid4(),
                case_party_id=party.id,
                key_id=person.key_id,
                owner_id=officer.id,
                due_on=today(),
                status="open",
            )
            vault.put(action, "description", ACTION)
            db.add(action)
            return urn, case.id
    finally:
        engine.dispose()


def test_my_work_filters_explains_and_counts_after_a_quick_action(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    ash, birch = canary_name("Ash"), canary_name("Birch")
    urn, case_id = seed(portal_server, (ash, birch))

    officer = signed_in(new_context, portal_server, "wco.demo")  # My work is her home page
    officer.get_by_label("Only cases I am the prosecutor or witness care officer for").check()
    officer.get_by_label("Case", exact=True).select_option(label=urn)
    submit(officer, officer.get_by_role("button", name="Apply filters"))
    filtered = officer.url
    assert "mine=yes" in filtered and f"case={case_id}" in filtered
    for word in (*ash.split(), *birch.split()):
        assert word not in filtered

    rows = officer.locator("#work-list tbody tr")
    expect(rows).to_have_count(2)
    yesterday = today() - timedelta(days=1)
    expect(rows.first).to_contain_text(
        re.compile(rf"Due because: Hearing listed on\s+{yesterday:%-d %b %Y}")
    )
    counters = officer.locator("#work-counters")
    expect(counters).to_contain_text(re.compile(r"2\s+Due in the next 5 working days"))
    expect(counters).to_contain_text(re.compile(r"1\s+Safeguarding action due"))
    expect(officer.locator("#work-actions")).to_contain_text(ACTION)

    # The quick action: the row is swapped, then the counters follow (htmx).
    row = rows.filter(has_text=ash)
    row.get_by_role("button", name=re.compile("Mark met today")).click()
    expect(officer.locator("#work-list")).to_contain_text("Recorded. View or add evidence")
    expect(counters).to_contain_text(re.compile(r"1\s+Due in the next 5 working days"))
    check_a11y(officer)

    # Without JavaScript: the same button posts the form and a full page answers.
    plain = signed_in(new_context, portal_server, "wco.demo", java_script_enabled=False)
    goto(plain, filtered)  # the bookmarked, filtered list
    other = plain.locator("#work-list tbody tr").filter(has_text=birch)
    expect(other).to_have_count(1)
    submit(plain, other.get_by_role("button", name=re.compile("Mark met today")))
    expect(banner(plain)).to_contain_text("Marked as met")
    goto(plain, filtered)
    expect(plain.locator("#work-counters")).to_contain_text(
        re.compile(r"0\s+Due in the next 5 working days")
    )
    expect(plain.locator("#work-list")).to_contain_text("Nothing is owed in the cases and rights")
