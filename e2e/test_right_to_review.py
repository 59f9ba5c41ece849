"""The Victims' Right to Review carried to its end in a real browser: a discontinuance letter
went out weeks ago; the VLU officer records the victim's request as late, with the reason; local
resolution by a prosecutor who did not make the decision, who finds it on My work and upholds
it; the outcome letter, drafted from the template, is recorded as sent; the victim asks for an
independent review (a stage with its own reviewer and due date); the Appeals and Review Unit's
outcome is recorded and its letter sent. Every page is checked with axe."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import service as cases
from portal.cases.importer import NewPerson, insert_people
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.service import NewCase, open_case
from portal.clock import LONDON, utc_now
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.people.service import SafeContact
from portal.settings import Settings
from portal.vlu import service as vlu
from portal.vlu.models import VluDecision, VluRequest
from portal.wiring import session_factory

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]
VICTIM = "Rhea Example-Review"
ARU = "Avery Appeals"
REASONS = "The main witness has moved abroad and cannot come back to give evidence."


def signed_in(new_context: NewContext, server: PortalServer, username: str) -> Page:
    page = new_context().new_page()
    goto(page, "/login")
    sign_in(page, username, server.password)
    expect(page).to_have_url(re.compile(r"/home$"))
    return page


def seed_sent_letter(server: PortalServer, sent_on: date) -> str:
    """A case of the SEOCID unit (London North) assigned to prosecutor.demo, whose
    discontinuance prosecutor2.demo decided and explained; the letter was drafted, checked and
    sent (through the real services) and is dated ``sent_on``. An Appeals and Review Unit
    prosecutor is added. Returns the request page's path."""
    settings = Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(server.instance_dir),
            "PORTAL_DATABASE_URL": server.database_url,
        }
    )
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            names = ["prosecutor.demo", "prosecutor2.demo", "vlu.demo", "vlu2.demo"]
            users = {
                u.username: u for u in db.scalars(select(User).where(User.username.in_(names)))
            }
            vault = Vault(db, settings.key_provider(), KeyCache())

            def actor(name: str) -> Actor:
                user = users[name]
                return Actor(user.id, Role(user.role), "london-north", user.unit)

            db.add(
                User(
                    id=uuid.uuid4(),
                    username=f"aru.{secrets.token_hex(3)}",
                    display_name=ARU,
                    role=Role.PROSECUTOR.value,
                    password_hash="!",  # never signs in: the VLU records for them
                    area="london-north",
                    unit="seocid",
                )
            )
            deciding = actor("prosecutor2.demo")
            case = open_case(
                db,
                vault,
                deciding,
                NewCase(
                    urn=f"01RV{secrets.randbelow(10**7):07d}",
                    area="london-north",
                    unit="seocid",
                    court_type="crown",
                    court_name="Southwark Crown Court",
                    offence_codes=("FA2006-S2",),
                    prosecutor_id=users["prosecutor.demo"].id,
                    defendant_names=("Drew Defendant",),
                ),
            )
            insert_people(
                db,
                vault,
                deciding,
                case,
                [
                    NewPerson(
                        full_name=VICTIM,
                        address="3 Example Road, Exampleton",
                        safe_contact=SafeContact(channels=("letter",)),
                    )
                ],
            )
            event, _ = cases.record_event(
                db,
                vault,
                deciding,
                case,
                cases.NewEvent(
                    kind=EventKind.DISCONTINUANCE,
                    event_date=sent_on,
                    ends_all_proceedings=True,
                ),
            )
            decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one()
            vlu.supply_reasons(
                db,
                vault,
                deciding,
                decision,
                reasons=REASONS,
                meeting_offered=None,
                no_meeting_reason="",
                expected_version=decision.version,
            )
            request = db.scalars(
                select(VluRequest).where(VluRequest.decision_id == decision.id)
            ).one()
            path = f"/vlu/cases/{case.id}/requests/{request.id}"

            party = db.get(CaseParty, request.case_party_id)
            assert party is not None
            person = db.get(Person, party.person_id)
            assert person is not None
            parts = (db, vault)
            body = vlu.first_draft(
                vault,
                request=request,
                decision=decision,
                case=case,
                person=person,
                reasons=REASONS,
                officer_name="Grace Lewis",
            )
            vlu.save_draft(
                *parts,
                actor("vlu.demo"),
                request,
                decision,
                person,
                body=body,
                expected_version=request.version,
            )
            vlu.approve(
                *parts,
                actor("vlu2.demo"),
                request,
                decision,
                person,
                checklist=set(vlu.CHECKLIST),
                notes="",
                expected_version=request.version,
            )
            vlu.send(
                *parts,
                actor("vlu.demo"),
                request,
                decision,
                person,
                channel="letter",
                expected_version=None,
            )
            request.sent_on = sent_on
            return path
    finally:
        engine.dispose()


def fill_date(form, day: date) -> None:
    form.get_by_label("Day").fill(str(day.day))
    form.get_by_label("Month").fill(str(day.month))
    form.get_by_label("Year").fill(str(day.year))


def banner(page: Page):
    return page.locator(".govuk-notification-banner--success")


def test_a_late_request_through_local_resolution_to_the_independent_review(
    new_context: NewContext, portal_server: PortalServer
) -> None:
    today = utc_now().astimezone(LONDON).date()
    path = seed_sent_letter(portal_server, today - timedelta(days=30))

    # The VLU officer records the request: late, so the reason is asked for.
    officer = signed_in(new_context, portal_server, "vlu.demo")
    goto(officer, path)
    form = officer.locator("#review-form")
    expect(form).to_contain_text("The victim should ask by")
    fill_date(form, today)
    submit(officer, form.get_by_role("button", name="Record a Right to Review request"))
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The request is late: enter why it is accepted")
    form = officer.locator("#review-form")
    expect(form.get_by_label("Day")).to_have_value(str(today.day))  # kept
    form.get_by_label("If the request is late: why it is accepted").fill(
        "The letter reached her after a stay in hospital."
    )
    submit(officer, form.get_by_role("button", name="Record a Right to Review request"))
    expect(banner(officer)).to_contain_text("Right to Review request received")
    main = officer.locator("main")
    expect(main).to_contain_text("Accepted late")
    expect(main).to_contain_text("The letter reached her after a stay in hospital.")

    # Local resolution by a prosecutor who did not make the decision (Daniel Okafor did).
    form = officer.locator("#review-form")
    expect(form.get_by_label("Daniel Okafor")).to_have_count(0)
    form.get_by_label("Priya Shah").check()
    fill_date(form, today)
    submit(officer, form.get_by_role("button", name="Start local resolution"))
    expect(banner(officer)).to_contain_text("Local resolution started")
    expect(main).to_contain_text("Reviewer")
    expect(officer.locator("main")).to_contain_text("Priya Shah")

    # The reviewer finds it on My work and upholds the decision.
    reviewer = signed_in(new_context, portal_server, "prosecutor.demo")
    goto(reviewer, "/work")
    submit(reviewer, reviewer.get_by_role("link", name=re.compile("local resolution outcome due")))
    form = reviewer.locator("#review-form")
    form.get_by_label(re.compile("^Decision upheld")).check()
    fill_date(form, today)
    submit(reviewer, form.get_by_role("button", name="Record the local resolution outcome"))
    expect(banner(reviewer)).to_contain_text("Local resolution outcome recorded")

    # The outcome letter, drafted from the template, is checked and recorded as sent.
    goto(officer, path)
    form = officer.locator("#review-form")
    letter = form.get_by_label("The outcome letter, as sent")
    expect(letter).to_have_value(re.compile(f"^Dear {VICTIM}"))
    expect(letter).to_have_value(re.compile("independent review"))
    fill_date(form, today)
    submit(officer, form.get_by_role("button", name="Record the outcome letter as sent"))
    expect(banner(officer)).to_contain_text("Local resolution letter sent")

    # Still dissatisfied, the victim asks for an independent review: a stage, not an end.
    form = officer.locator("#review-form")
    form.get_by_label("The victim asked for an independent review").check()
    form.get_by_label(ARU).check()
    fill_date(form, today)
    submit(officer, form.get_by_role("button", name="Record it"))
    expect(banner(officer)).to_contain_text("Referred for independent review")
    main = officer.locator("main")
    expect(main).to_contain_text("Independent review (Appeals and Review Unit)")
    expect(main.locator(".govuk-tag").first).to_contain_text("Referred for independent review")

    # The Appeals and Review Unit upholds it; the VLU records the outcome and sends the letter.
    form = officer.locator("#review-form")
    form.get_by_label(re.compile("^Decision upheld")).check()
    fill_date(form, today)
    submit(officer, form.get_by_role("button", name="Record the independent review outcome"))
    expect(banner(officer)).to_contain_text("Independent review outcome recorded")
    form = officer.locator("#review-form")
    expect(form.get_by_label("The outcome letter, as sent")).to_have_value(
        re.compile("Appeals and Review Unit")
    )
    fill_date(form, today)
    submit(officer, form.get_by_role("button", name="Record the outcome letter as sent"))
    expect(banner(officer)).to_contain_text("Independent review letter sent")
    main = officer.locator("main")
    expect(main.locator(".govuk-tag").first).to_contain_text("Review concluded")
    expect(main).to_contain_text("Decision upheld: the reasons explained to the victim")
    expect(officer.locator("#review-form")).to_have_count(0)
