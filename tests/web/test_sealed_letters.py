"""Decision letters and free text once an identity is sealed, through the pages (issue 12,
point 1): the letter drafted before the anonymity order was sought comes back masked and needing
a redraft, cannot be printed, downloaded or sent, and no page accepts the true name again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.keys.vault import pseudonym
from portal.people.models import Person
from portal.people.service import SafeContact
from portal.vlu import service as vlu
from portal.vlu.models import VluDecision, VluRequest
from tests.support.factories import make_case, make_user
from tests.support.vlu import actor_of, add_victims, record, vault_for, victim
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_anonymity import CONDITIONS
from tests.web.test_case_pages import client_as

TRUE_NAME = "Ozymandias Canarybird"
ADDRESS = "7 Hidden Lane, Nowhere"
REASONS = "The main witness has moved abroad. Without their evidence we cannot prove the case."


@pytest.fixture
def world(app, db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    drafter = make_user(db, role=Role.VLU_OFFICER, display_name="Grace Lewis")
    checker = make_user(db, role=Role.VLU_OFFICER, display_name="Tom Hughes")
    wco = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    case = make_case(db, settings, prosecutor=prosecutor, officer=wco, offences=("FA2006-S2",))
    channels = ("letter", "in_person", "via_representative")
    add_victims(
        db,
        settings,
        case,
        prosecutor,
        [victim(TRUE_NAME, address=ADDRESS, safe=SafeContact(channels=channels))],
    )
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one()
    vault = vault_for(db, settings)
    vlu.supply_reasons(
        db,
        vault,
        actor_of(prosecutor),
        decision,
        reasons=REASONS,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    request = db.scalars(select(VluRequest)).one()
    person = db.scalars(select(Person).join(CaseParty, CaseParty.person_id == Person.id)).one()
    db.commit()
    return {
        "prosecutor": prosecutor,
        "drafter": drafter,
        "checker": checker,
        "wco": wco,
        "case": case,
        "person": person,
        "path": f"/vlu/cases/{case.id}/requests/{request.id}",
        "clients": {
            name: client_as(app, db, user)
            for name, user in (
                ("prosecutor", prosecutor),
                ("drafter", drafter),
                ("checker", checker),
                ("wco", wco),
            )
        },
    }


def _post(client, page: str, action: str, data: dict):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def _seek_order(world):
    pros = world["clients"]["prosecutor"]
    base = f"/cases/{world['case'].id}/people/{world['person'].id}/anonymity"
    response = _post(pros, base, f"{base}/apply", CONDITIONS)
    assert response.status_code == 303, response.text[:400]
    return pros.get(response.headers["location"])


def test_the_letter_drafted_before_sealing_is_masked_returned_and_withheld(world) -> None:
    drafter, checker = world["clients"]["drafter"], world["clients"]["checker"]
    path = world["path"]
    # Drafted and checked before anyone sought an anonymity order: it names the victim.
    page = drafter.get(path)
    draft = soup(page.text).select_one("textarea#body").get_text()
    assert draft.startswith(f"Dear {TRUE_NAME}")
    saved = _post(drafter, path, f"{path}/draft", {"body": draft, "version": "2"})
    assert saved.status_code == 303
    checked = _post(
        checker,
        path,
        f"{path}/check",
        {"decision": "approve", "checklist": ["accurate", "empathetic", "reasons", "rights"]},
    )
    assert checked.status_code == 303
    assert drafter.get(f"{path}/letter").status_code == 200

    shown = _seek_order(world)
    assert "1 unsent decision letter named them and must be redrafted" in text_of(shown.text)
    alias = pseudonym(world["person"].reference)

    for who in ("drafter", "checker", "prosecutor"):
        client = world["clients"][who]
        page = client.get(path)
        assert page.status_code == 200
        text = text_of(page.text)
        assert "This letter must be redrafted" in text, who
        assert "Needs redrafting" in text, who
        assert "Canarybird" not in page.text and "Hidden Lane" not in page.text, who
        assert 'action="' + f"{path}/send" not in page.text, who
        assert f"{path}/letter.pdf" not in page.text, who
        for url in (f"{path}/letter", f"{path}/letter.pdf"):
            withheld = client.get(url)
            assert withheld.status_code == 409, (who, url)
            assert "This letter must be redrafted" in text_of(withheld.text)
            assert "Canarybird" not in withheld.text
    body = soup(world["clients"]["drafter"].get(path).text).select_one("textarea#body")
    assert body.get_text().startswith(f"Dear {alias}\n")

    # Redrafting with the true name is refused, the typed text kept; with the pseudonym it saves.
    typed = f"Dear {TRUE_NAME},\n\n{REASONS}"
    refused = _post(drafter, path, f"{path}/draft", {"body": typed})
    assert refused.status_code == 400
    summary = soup(refused.text).select_one(".govuk-error-summary")
    assert summary is not None
    assert (
        "The letter includes the true identity of a person whose identity is sealed — use "
        f"their pseudonym {alias}"
    ) in text_of(str(summary))
    assert summary.select_one('a[href="#body"]') is not None
    assert soup(refused.text).select_one("textarea#body").get_text() == typed
    redrafted = _post(drafter, path, f"{path}/draft", {"body": f"Dear {alias},\n\n{REASONS}"})
    assert redrafted.status_code == 303
    assert "Needs redrafting" not in text_of(drafter.get(path).text)


def test_pages_refuse_the_true_name_in_free_text_once_sealed(world) -> None:
    _seek_order(world)
    case, person = world["case"], world["person"]
    alias = pseudonym(person.reference)
    wco, path = world["clients"]["wco"], world["path"]

    message = _post(wco, path, f"{path}/messages", {"message": f"{TRUE_NAME} rang today."})
    assert message.status_code == 400
    assert alias in text_of(message.text) and "Ozymandias" not in text_of(
        str(soup(message.text).select_one(".govuk-error-summary"))
    )

    events = f"/cases/{case.id}/events/new"
    event = _post(
        wco,
        events,
        events,
        {
            "kind": "hearing_listed",
            "event_date-day": "1",
            "event_date-month": "1",
            "event_date-year": "2026",
            "hearing_listed-hearing_date-day": "2",
            "hearing_listed-hearing_date-month": "3",
            "hearing_listed-hearing_date-year": "2027",
            "hearing_listed-hearing_time": "10:00",
            "hearing_listed-hearing_court": "Leeds Crown Court",
            "hearing_listed-hearing_type": "trial",
            "notes": f"Hearing moved: tell {TRUE_NAME.split()[0]} first.",
        },
    )
    assert event.status_code == 400
    summary = soup(event.text).select_one(".govuk-error-summary")
    assert summary is not None and summary.select_one('a[href="#notes"]') is not None
    assert "The notes includes the true identity" in text_of(str(summary))

    contact = f"/cases/{case.id}/people/{person.id}/contact"
    page = wco.get(contact).text
    version = soup(page).select_one('input[name="version"]')["value"]
    rules = wco.post(
        contact,
        data={
            "csrf_token": csrf_from(page),
            "channels": ["letter"],
            "do_not_tell": "Never post anything to 7 Hidden Lane",
            "version": version,
        },
        follow_redirects=False,
    )
    assert rules.status_code == 400
    summary = soup(rules.text).select_one(".govuk-error-summary")
    assert summary is not None and summary.select_one('a[href="#do_not_tell"]') is not None
    assert "What not to tell includes the true identity" in text_of(str(summary))
    assert "Hidden Lane" in rules.text  # what was typed is kept, for the officer to correct
