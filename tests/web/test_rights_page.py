"""Issue 15 point 3, all 12 rights accounted for: each right's duties are owed here from a
trigger an officer can record, or shown as another body's duty, never "not yet triggered"; duties
with no time limit are shown apart and close when their work is done."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, record_event
from portal.victims_code import lifecycle
from portal.victims_code.lifecycle import Status, status
from portal.victims_code.models import Obligation
from portal.victims_code.rights import PERSON_TRIGGERS, RECORDED_ELSEWHERE, starts_when
from portal.victims_code.rules import OWNERS, RULES_DIR, load_rules
from portal.victims_code.service import EVENT_TRIGGERS
from tests.support.factories import add_person, make_vault
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_case_pages import world as world

LETTER = {"address": "1 Safe Street", "safe_channels": ("letter",)}  # she may be sent a letter
# Triggers recorded elsewhere in the portal: a plea (not guilty), the court's special measures
# decision (special measures pages) and a protective order (outcomes pages).
ELSEWHERE = {"not_guilty_plea", "special_measures_decision", "protective_order_made"}


def test_every_tracked_duty_has_a_trigger_an_officer_can_record() -> None:
    rules = load_rules(RULES_DIR / "2020.toml")
    recordable = {t for ts in EVENT_TRIGGERS.values() for t in ts}
    assert set(RECORDED_ELSEWHERE) == ELSEWHERE
    recordable |= set(PERSON_TRIGGERS) | ELSEWHERE
    for e in rules.entitlements:
        if e.kind == "duty" and e.tracked:
            assert e.trigger in recordable, e.code
            assert starts_when(e.trigger), e.code
        if not e.tracked:
            assert e.owner in OWNERS, e.code
    assert {e.right for e in rules.entitlements} == set(range(1, 13))


def test_bail_decision_is_a_case_event_owing_the_wcu_duty_not_the_courts(
    db, settings, world
) -> None:
    actor = Actor(world["prosecutor"].id, Role.PROSECUTOR, "london-north", "ccu")
    record_event(
        db,
        make_vault(db, settings),
        actor,
        world["case"],
        NewEvent(kind=EventKind.BAIL_DECISION, event_date=date(2026, 11, 2)),
    )
    codes = {o.entitlement for o in db.scalars(select(Obligation))}
    assert codes == {"R8-WCU-BAIL"}


def rights_url(world) -> str:
    return f"/cases/{world['case'].id}/people/{world['person'].id}/rights"


def test_untracked_duties_are_shown_as_the_police_or_the_courts(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    page = client.get(rights_url(world))
    assert page.status_code == 200
    html = soup(page.text)
    right2 = text_of(str(html.select_one("#right-2")))
    assert "Crime recorded without unjustified delay" in right2
    assert "Not tracked in this portal the police's duty" in right2
    assert "Not yet triggered" not in right2
    right9 = text_of(str(html.select_one("#right-9")))
    assert (
        "Court passes the verdict to the Witness Care Unit" in right9
        and "the court's duty" in right9
    )
    assert (
        "Not yet triggered in this case: Outcome of the case: starts when a case event is" in right9
    )
    assert "Verdict" in right9
    right10 = text_of(str(html.select_one("#right-10")))
    assert "Witness expenses: starts when it is recorded below" in right10
    for hidden in ("UNCONFIRMED", "[S]", "DR 1", "police_bail"):
        assert hidden not in page.text
    assert html.select_one("a.govuk-back-link") is not None


def record(client, world, trigger: str, day: str = "3", month: str = "11", year: str = "2026"):
    token = csrf_from(client.get(rights_url(world)).text)
    data = {"csrf_token": token, "trigger": trigger}
    data |= {"happened_on-day": day, "happened_on-month": month, "happened_on-year": year}
    return client.post(rights_url(world), data=data)


def test_recording_what_happened_starts_the_duties_once(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    done = record(client, world, "required_to_give_evidence")
    assert done.status_code == 200
    assert "Recorded: 1 duty now owed" in done.text
    again = record(client, world, "required_to_give_evidence")
    assert "nothing new is owed" in again.text
    owed = db.scalars(select(Obligation)).all()
    db.commit()
    assert [(o.entitlement, o.due_on) for o in owed] == [
        ("R8-WCU-GIVE-EVIDENCE", date(2026, 11, 4))  # 1 working day from receipt
    ]
    created = db.scalars(select(AuditEvent).where(AuditEvent.action == "obligations.create")).all()
    db.commit()
    assert len(created) == 1
    assert "Recorded: 1 duty now owed" in record(client, world, "expenses_claim").text
    expenses = db.scalars(select(Obligation).where(Obligation.entitlement == "R10-EXPENSES")).one()
    db.commit()
    assert expenses.due_on is None  # no time limit: shown apart, never "not yet due"


def test_a_duty_with_no_time_limit_is_shown_apart_and_closes_when_done(
    app, db, settings, world
) -> None:
    case, boss = world["case"], world["prosecutor"]
    person = add_person(db, settings, case, name="Lena Letter", actor_user=boss, **LETTER)[0]
    db.commit()
    world = {**world, "person": person}
    client = client_as(app, db, world["prosecutor"])
    page = record(client, world, "vps_made")
    right7 = text_of(str(soup(page.text).select_one("#right-7")))
    assert "Victim Personal Statement before the court Open, no time limit" in right7
    assert "Not yet due" not in right7 and "Due" not in right7.replace("duty", "")
    o = db.scalars(select(Obligation)).one()
    assert o.due_on is None and status(o, date(2030, 1, 1)) is Status.NO_TIME_LIMIT
    actor = Actor(world["prosecutor"].id, Role.PROSECUTOR, "london-north", "ccu")
    lifecycle.mark_met(
        db,
        make_vault(db, settings),
        actor,
        o,
        met_on=date(2026, 11, 20),
        channel="letter",
        evidence="VPS in the court bundle",
        expected_version=o.version,
    )
    db.commit()
    assert status(o, date(2030, 1, 1)) is Status.DONE
    right7 = text_of(str(soup(client.get(rights_url(world)).text).select_one("#right-7")))
    assert "Victim Personal Statement before the court Done" in right7


def test_a_bad_form_is_refused_with_an_error_summary_and_the_typed_date_kept(
    app, db, world
) -> None:
    client = client_as(app, db, world["officer"])
    page = record(client, world, "", day="31", month="2", year="2026")
    assert page.status_code == 400
    html = soup(page.text)
    summary = text_of(str(html.select_one(".govuk-error-summary")))
    assert "Select what happened" in summary
    assert "real date" in summary or "must be" in summary
    assert html.select_one("#happened_on")["value"] == "31"
    assert db.scalars(select(Obligation)).all() == []


def test_only_officers_record_and_auditors_see_no_form(app, db, world) -> None:
    auditor = client_as(app, db, world["auditor"])
    page = auditor.get(rights_url(world))
    assert page.status_code == 200 and "Record what happened" not in page.text
    token = csrf_from(page.text)
    refused = auditor.post(rights_url(world), data={"csrf_token": token, "trigger": "vps_made"})
    assert refused.status_code == 403
    assert db.scalars(select(CaseParty)).all()  # nothing else touched
    assert db.scalars(select(Obligation)).all() == []
