"""The data check of "told" records (issue 15.1): every obligation recorded as met through a
channel the safe-contact check refuses is found, stored for the auditor and listed by the CLI."""

from __future__ import annotations

from datetime import date, timedelta

from click.testing import CliRunner
from sqlalchemy import select

from portal import cli
from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, record_event
from portal.people.service import CommunicationNeeds, SafeContact, set_safe_contact
from portal.victims_code.models import Obligation, ToldCheckFinding
from portal.victims_code.told_check import findings, run_check
from tests.conftest import TEST_KEK, TEST_SECRET
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.support.web import soup, text_of
from tests.web.test_case_pages import client_as


def _world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(
        db, settings, prosecutor=prosecutor, offences=("FA2006-S2",), offence_date=date(2025, 6, 1)
    )
    # "Phone only: do not email, her husband shares the address."
    phone_only, _ = add_person(
        db,
        settings,
        case,
        name="Pat Phone",
        actor_user=prosecutor,
        phone="07700 900001",
        email="shared@example.com",
        safe_channels=("phone",),
    )
    letter_ok, _ = add_person(
        db,
        settings,
        case,
        name="Lee Letter",
        actor_user=prosecutor,
        address="1 Road",
        safe_channels=("letter",),
    )
    no_rules, _ = add_person(db, settings, case, name="Nor Rules", actor_user=prosecutor)
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    vault = make_vault(db, settings)
    record_event(
        db,
        vault,
        actor,
        case,
        NewEvent(kind=EventKind.HEARING_LISTED, event_date=date.today() - timedelta(days=20)),
    )
    wco = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    by_person = {phone_only.id: "email", letter_ok.id: "letter", no_rules.id: "phone"}
    # Records made before the check was enforced: written straight to the rows.
    from portal.cases.models import CaseParty

    for obligation in db.scalars(select(Obligation)):
        party = db.get(CaseParty, obligation.case_party_id)
        obligation.state = "met"
        obligation.met_on = date.today() - timedelta(days=19)
        obligation.met_by_id = wco.id
        obligation.channel = by_person[party.person_id]
    db.flush()
    return {
        "case": case,
        "vault": vault,
        "prosecutor": prosecutor,
        "phone_only": phone_only,
        "letter_ok": letter_ok,
        "no_rules": no_rules,
        "wco": wco,
    }


def _problems(db):
    from portal.cases.models import CaseParty

    return {
        db.get(CaseParty, db.get(Obligation, f.obligation_id).case_party_id).person_id: (
            f.problem,
            f.rules_changed_since,
        )
        for f in db.scalars(select(ToldCheckFinding))
    }


def test_unsafe_told_records_are_found_and_safe_ones_are_not(db, settings) -> None:
    w = _world(db, settings)
    result = run_check(db, w["vault"])
    assert (result.checked, result.found) == (3, 2)
    assert _problems(db) == {
        w["phone_only"].id: ("channel_not_safe", False),
        w["no_rules"].id: ("no_rules", False),
    }
    # Run again: the findings are replaced, not added to.
    run_check(db, w["vault"])
    assert len(db.scalars(select(ToldCheckFinding)).all()) == 2


def test_rules_changed_after_the_record_are_flagged(db, settings) -> None:
    w = _world(db, settings)
    wco = Actor(w["wco"].id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    set_safe_contact(
        db,
        w["vault"],
        wco,
        w["no_rules"],
        SafeContact(channels=("letter",)),
        CommunicationNeeds(),
        case_id=w["case"].id,
    )
    run_check(db, w["vault"])
    assert _problems(db)[w["no_rules"].id] == ("channel_not_safe", True)


def test_the_auditor_sees_the_findings_by_reference_only(app, db, settings) -> None:
    w = _world(db, settings)
    run_check(db, w["vault"])
    auditor = make_user(db, role=Role.AUDITOR)
    rows = findings(db, Actor(auditor.id, Role.AUDITOR, None, None))
    assert {r.reference for r in rows} == {w["phone_only"].reference, w["no_rules"].reference}
    db.commit()
    page = client_as(app, db, auditor).get("/compliance/told-unsafely")
    assert page.status_code == 200
    text = text_of(page.text)
    assert w["phone_only"].reference in text and w["no_rules"].reference in text
    assert w["letter_ok"].reference not in text
    assert "Pat Phone" not in page.text and "shared@example.com" not in page.text
    assert "Their safe-contact rules do not allow this channel" in text
    assert "No safe-contact rules were recorded" in text
    assert len(soup(page.text).select("tbody tr")) == 2
    # Only the auditor's compliance permission opens it.
    assert client_as(app, db, w["wco"]).get("/compliance/told-unsafely").status_code == 403


def test_the_cli_lists_them_and_fails(db, settings) -> None:
    w = _world(db, settings)
    db.commit()
    env = {
        "PORTAL_INSTANCE_DIR": str(settings.instance_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_KEK": TEST_KEK,
        "COLUMNS": "200",
    }
    cli._register_subcommands()
    result = CliRunner().invoke(cli.main, ["check", "told-channels"], env=env)
    assert result.exit_code == 1, result.output
    assert "2 of 3 'told' records were made through a channel that is not safe" in result.output
    assert w["phone_only"].reference in result.output
    assert w["letter_ok"].reference not in result.output
    assert "Pat Phone" not in result.output and "07700" not in result.output
    db.expire_all()
    assert len(db.scalars(select(ToldCheckFinding)).all()) == 2
