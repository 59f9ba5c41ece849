"""Safe contact wherever a victim is told (issue 15.1), in a real browser, axe on every page.

A victim's safe-contact rules say phone only: her email address is recorded, but her husband
reads that inbox. A hearing is listed, so the witness care unit owes her its details. The
witness care officer's My work offers "Told by" only a phone call, and so does the obligation
page's "Mark as met" form; she is recorded as told by phone. The auditor's list of records made
through an unsafe channel (the data check ``portal check told-channels``) shows people by
reference only.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from e2e.support.journeys import goto, submit
from e2e.support.server import PortalServer
from e2e.support.steps import NewContext, banner, canary_name, fill_date, h1, signed_in, today
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases.importer import NewPerson, insert_people
from portal.cases.reference import EventKind
from portal.cases.service import NewCase, NewEvent, open_case, record_event
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.service import SafeContact
from portal.settings import Settings
from portal.victims_code.told_check import run_check
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e


def _settings(server: PortalServer) -> Settings:
    return Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(server.instance_dir),
            "PORTAL_DATABASE_URL": server.database_url,
        }
    )


def seed(server: PortalServer, name: str, *, listed_days_ago: int = 1) -> str:
    """A London North CCU case with one victim, phone only, and a hearing listed yesterday (or
    ``listed_days_ago``, received that day). Returns the case URN."""
    settings = _settings(server)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            prosecutor = db.scalars(select(User).where(User.username == "prosecutor.demo")).one()
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
                    defendant_names=("Drew Defendant",),
                ),
            )
            insert_people(
                db,
                vault,
                actor,
                case,
                [
                    NewPerson(
                        full_name=name,
                        email="shared-inbox@example.com",
                        phone="07700 900456",
                        safe_contact=SafeContact(channels=("phone",), no_voicemail=True),
                    )
                ],
            )
            record_event(
                db,
                vault,
                actor,
                case,
                NewEvent(
                    kind=EventKind.HEARING_LISTED,
                    event_date=today() - timedelta(days=listed_days_ago),
                    received_on=today() - timedelta(days=max(listed_days_ago - 1, 0)),
                ),
            )
            return urn
    finally:
        engine.dispose()


def run_data_check(server: PortalServer) -> None:
    settings = _settings(server)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            run_check(db, Vault(db, settings.key_provider(), KeyCache()))
    finally:
        engine.dispose()


def test_the_unsafe_channel_is_not_offered_on_any_told_form(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    name = canary_name("Wren")
    urn = seed(portal_server, name)

    officer = signed_in(new_context, portal_server, "wco.demo")
    goto(officer, "/home?show=due_soon")
    row = officer.locator("#work-list tbody tr").filter(has_text=name)
    expect(row).to_have_count(1)
    told_by = row.get_by_label("Told by")
    expect(told_by.locator("option")).to_have_count(1)
    expect(told_by.locator("option")).to_have_text("Phone call")

    submit(officer, row.get_by_role("link", name="Date, time and place of any hearing"))
    expect(h1(officer)).to_have_text("Date, time and place of any hearing")
    channels = officer.get_by_role("group", name="How were they told?").get_by_role("radio")
    expect(channels).to_have_count(1)
    expect(officer.get_by_label("Email", exact=True)).to_have_count(0)
    expect(officer.get_by_label("Letter", exact=True)).to_have_count(0)
    fill_date(officer, "met_on", today())
    officer.get_by_label("Phone call", exact=True).check()
    submit(officer, officer.get_by_role("button", name="Mark as met"))
    expect(banner(officer)).to_contain_text("Marked as met")
    expect(officer.locator(".govuk-summary-list")).to_contain_text("(Phone call)")

    # The auditor's list of records made through an unsafe channel (the demo's older records).
    run_data_check(portal_server)
    auditor = signed_in(new_context, portal_server, "auditor.demo")
    submit(
        auditor,
        auditor.get_by_role("link", name="Victims told through a channel that was not safe"),
    )
    expect(h1(auditor)).to_have_text("Victims told through a channel that was not safe")
    expect(auditor.locator("main")).not_to_contain_text(name)
    expect(auditor.locator("main")).not_to_contain_text(urn)  # hers was told safely
