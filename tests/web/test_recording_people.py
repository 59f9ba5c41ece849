"""Officers record what the job needs (issue 15 point 5): a person's role, enhanced-rights
categories with reasons (and the case list's enhanced status, computed as the person page does),
parents, guardians and representatives, and safeguarding actions owned by the case team or a
named partner."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, record_event
from portal.clock import LONDON, utc_now
from portal.people.contact import contact_facts, told_refusal
from portal.people.models import Person, PersonContact, SafeguardEvent, SafeguardingAction
from portal.people.service import SafeContact
from portal.victims_code.models import Obligation
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_people_pages import client_as, person_url
from tests.web.test_people_pages import people_app as people_app
from tests.web.test_people_pages import world as world


def today() -> date:
    return utc_now().astimezone(LONDON).date()


def weekday_before(days: int) -> date:
    day = today() - timedelta(days=days)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def party_of(db, person_id) -> CaseParty:
    party = db.scalars(select(CaseParty).where(CaseParty.person_id == person_id)).one()
    db.refresh(party)
    return party


def audit_actions(db) -> list[str]:
    actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    db.commit()
    return actions


def form_token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, text_of(page.text)[:300]
    return csrf_from(page.text)


def version_in(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the form carries no version"
    return found.group(1)


# --- 1. the role ----------------------------------------------------------------------------


def test_the_role_is_changed_from_the_person_page(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    page = client.get(person_url(world))
    assert f'href="{person_url(world, "/role")}"' in page.text
    form = client.get(person_url(world, "/role"))
    assert form.status_code == 200
    assert soup(form.text).select_one('input[name="role"][checked]')["value"] == "victim"
    saved = client.post(
        person_url(world, "/role"),
        data={"csrf_token": csrf_from(form.text), "role": "both", "version": version_in(form.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    party = party_of(db, world["person"].id)
    assert (party.is_victim, party.is_witness) == (True, True)
    db.commit()
    assert "person.role" in audit_actions(db)
    shown = text_of(client.get(person_url(world)).text)
    assert "Victim and witness" in shown and "Part in the case changed" in shown


def test_the_role_form_refuses_no_choice_and_a_stale_version(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    form = client.get(person_url(world, "/role"))
    token, version = csrf_from(form.text), version_in(form.text)
    empty = client.post(person_url(world, "/role"), data={"csrf_token": token, "version": version})
    assert empty.status_code == 400
    assert "Select whether the person is a victim, a witness or both" in text_of(empty.text)
    assert 'href="#role"' in empty.text
    # Someone else makes them a witness meanwhile.
    other = client_as(people_app, db, world["colleague"])
    other_form = other.get(person_url(world, "/role"))
    other.post(
        person_url(world, "/role"),
        data={"csrf_token": csrf_from(other_form.text), "role": "witness", "version": version},
    )
    stale = client.post(
        person_url(world, "/role"), data={"csrf_token": token, "role": "both", "version": version}
    )
    assert stale.status_code == 409
    assert "It is now: Witness" in text_of(stale.text)
    assert soup(stale.text).select_one('input[name="role"][checked]')["value"] == "both"
    party = party_of(db, world["person"].id)
    assert (party.is_victim, party.is_witness) == (False, True)
    db.commit()
    again = client.post(
        person_url(world, "/role"),
        data={"csrf_token": token, "role": "both", "version": version_in(stale.text)},
        follow_redirects=False,
    )
    assert again.status_code == 303


def test_a_witness_made_a_victim_is_owed_what_earlier_events_give_victims(
    people_app, db, settings, world
) -> None:
    officer = world["officer"]
    witness, party = add_person(
        db, settings, world["case"], name="Wit Ness", actor_user=officer, is_victim=False,
        is_witness=True,
    )  # fmt: skip
    actor = Actor(officer.id, Role.WITNESS_CARE_OFFICER, officer.area, officer.unit)
    record_event(
        db,
        make_vault(db, settings),
        actor,
        world["case"],
        NewEvent(
            kind=EventKind.DISCONTINUANCE, event_date=weekday_before(3), ends_all_proceedings=True
        ),
    )
    db.commit()
    owed = select(Obligation).where(Obligation.case_party_id == party.id)
    assert db.scalars(owed).all() == []
    db.commit()
    client = client_as(people_app, db, officer)
    url = f"/cases/{world['case'].id}/people/{witness.id}/role"
    form = client.get(url)
    saved = client.post(
        url,
        data={"csrf_token": csrf_from(form.text), "role": "both", "version": version_in(form.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    entitlements = {o.entitlement for o in db.scalars(owed)}
    assert "R6-CPS-DISCONTINUANCE" in entitlements
    db.commit()


def test_only_editors_change_a_role(people_app, db, world) -> None:
    for user in ("vlu", "auditor"):
        client = client_as(people_app, db, world[user])
        assert client.get(person_url(world, "/role")).status_code == 403
        assert client.get(person_url(world, "/enhanced-rights")).status_code == 403
    outsider = client_as(people_app, db, world["outsider"])
    assert outsider.get(person_url(world, "/role")).status_code == 404


# --- 2. enhanced rights with reasons, and the case list -------------------------------------


@pytest.fixture
def fraud(db, settings, world):
    """A fraud case (no automatic enhanced rights) with an adult victim."""
    case = make_case(
        db,
        settings,
        prosecutor=world["prosecutor"],
        officer=world["officer"],
        offences=("FA2006-S2",),
        offence_date=date(2024, 2, 1),
    )
    person, party = add_person(
        db, settings, case, name="Adela Fraudvictim", actor_user=world["officer"],
        born=date(1970, 1, 1),
    )  # fmt: skip
    db.commit()
    return {
        "case": case,
        "person": person,
        "party": party,
        "url": f"/cases/{case.id}/people/{person.id}",
    }


def enhanced_form(token: str, version: str, **given: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrf_token": token, "version": version, **given}


def record_enhanced(client, url: str, **given: str | list[str]):
    """Open the person's enhanced-rights form and send it with ``given``."""
    form = client.get(url + "/enhanced-rights")
    return client.post(
        url + "/enhanced-rights",
        data=enhanced_form(csrf_from(form.text), version_in(form.text), **given),
    )


def test_an_enhanced_category_is_recorded_with_its_reason_sealed_and_shown(
    people_app, db, world, fraud
) -> None:
    client = client_as(people_app, db, world["officer"])
    person_page = client.get(fraud["url"])
    assert "No enhanced-rights category applies" in text_of(person_page.text)
    assert f'href="{fraud["url"]}/enhanced-rights"' in person_page.text
    form = client.get(fraud["url"] + "/enhanced-rights")
    assert form.status_code == 200
    saved = client.post(
        fraud["url"] + "/enhanced-rights",
        data=enhanced_form(
            csrf_from(form.text),
            version_in(form.text),
            categories=["vulnerable"],
            vulnerable_ground="mental_disorder",
            vulnerable_details="Sectioned last spring; takes time to answer",
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303, text_of(saved.text)[:400]
    party = party_of(db, fraud["person"].id)
    assert party.vulnerable and not party.most_serious
    assert b"Sectioned" not in bytes(party.enhanced_reasons)
    db.commit()
    assert "person.enhanced_categories" in audit_actions(db)
    shown = text_of(client.get(fraud["url"]).text)
    assert "Vulnerable victim" in shown
    assert "Mental disorder (Mental Health Act 1983 meaning): Sectioned last spring" in shown
    assert "Enhanced-rights categories changed" in shown
    # The form shows what is stored; unticking clears it, reasons too.
    again = client.get(fraud["url"] + "/enhanced-rights")
    page = soup(again.text)
    assert page.select_one("#applies-vulnerable").has_attr("checked")
    assert "takes time to answer" in page.select_one("#vulnerable_details").text
    cleared = client.post(
        fraud["url"] + "/enhanced-rights",
        data=enhanced_form(csrf_from(again.text), version_in(again.text)),
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    party = party_of(db, fraud["person"].id)
    assert not party.vulnerable and party.enhanced_reasons is None
    db.commit()


def test_each_category_needs_a_ground_and_a_reason(people_app, db, world, fraud) -> None:
    client = client_as(people_app, db, world["officer"])
    refused = record_enhanced(
        client,
        fraud["url"],
        categories=["most_serious", "persistently_targeted"],
        most_serious_ground="bereaved",
        persistently_targeted_ground="not-a-ground",
        persistently_targeted_details="Messages every night for a year",
    )
    assert refused.status_code == 400
    body = text_of(refused.text)
    assert "Enter the reason the person is a victim of the most serious crime" in body
    assert "Select why the person is a persistently targeted victim" in body
    links = re.findall(r'<a href="#([^"]+)">', refused.text)
    assert links[:2] == ["most_serious_details", "persistently_targeted_ground"]
    page = soup(refused.text)
    assert "Messages every night" in page.select_one("#persistently_targeted_details").text
    assert page.select_one("#applies-most_serious").has_attr("checked")
    assert page.select_one('input[name="most_serious_ground"][checked]')["value"] == "bereaved"
    party = party_of(db, fraud["person"].id)
    assert not party.most_serious and not party.persistently_targeted
    db.commit()


def test_enhanced_rights_are_recorded_for_victims_only(people_app, db, settings, world) -> None:
    witness, _ = add_person(
        db, settings, world["case"], name="Only Witness", actor_user=world["officer"],
        is_victim=False, is_witness=True,
    )  # fmt: skip
    db.commit()
    client = client_as(people_app, db, world["officer"])
    url = f"/cases/{world['case'].id}/people/{witness.id}"
    assert "Record enhanced-rights categories" not in client.get(url).text
    refused = record_enhanced(
        client,
        url,
        categories=["intimidated"],
        intimidated_ground="fear",
        intimidated_details="Scared",
    )
    assert refused.status_code == 400
    assert "Enhanced rights are for victims" in text_of(refused.text)
    assert 'href="#categories"' in refused.text


def test_a_stale_enhanced_form_keeps_what_was_typed(people_app, db, world, fraud) -> None:
    client = client_as(people_app, db, world["officer"])
    form = client.get(fraud["url"] + "/enhanced-rights")
    token, version = csrf_from(form.text), version_in(form.text)
    other = client_as(people_app, db, world["colleague"])
    other_form = other.get(fraud["url"] + "/enhanced-rights")
    assert (
        other.post(
            fraud["url"] + "/enhanced-rights",
            data=enhanced_form(
                csrf_from(other_form.text),
                version,
                categories=["intimidated"],
                intimidated_ground="fear",
                intimidated_details="Afraid of the defendant's family",
            ),
            follow_redirects=False,
        ).status_code
        == 303
    )
    stale = client.post(
        fraud["url"] + "/enhanced-rights",
        data=enhanced_form(
            token,
            version,
            categories=["vulnerable"],
            vulnerable_ground="physical",
            vulnerable_details="Stalecheck typed words",
        ),
    )
    assert stale.status_code == 409
    assert "Recorded now: Intimidated victim" in text_of(stale.text)
    assert "Stalecheck typed words" in stale.text
    party = party_of(db, fraud["person"].id)
    assert party.intimidated and not party.vulnerable
    db.commit()


def test_a_category_recorded_late_makes_what_is_still_owed_enhanced(
    people_app, db, settings, world, fraud
) -> None:
    officer = world["officer"]
    actor = Actor(officer.id, Role.WITNESS_CARE_OFFICER, officer.area, officer.unit)
    event, _ = record_event(
        db,
        make_vault(db, settings),
        actor,
        fraud["case"],
        NewEvent(
            kind=EventKind.DISCONTINUANCE, event_date=weekday_before(1), ends_all_proceedings=False
        ),
    )
    db.commit()
    owed = select(Obligation).where(
        Obligation.case_party_id == fraud["party"].id, Obligation.event_id == event.id
    )
    assert not any(o.enhanced for o in db.scalars(owed))
    db.commit()
    client = client_as(people_app, db, officer)
    record_enhanced(
        client,
        fraud["url"],
        categories=["persistently_targeted"],
        persistently_targeted_ground="repeatedly",
        persistently_targeted_details="Targeted by the same gang three times",
    )
    assert any(o.enhanced for o in db.scalars(owed))
    db.commit()


def _list_rows(html: str) -> dict[str, str]:
    """The case list's Enhanced rights cell, by URN."""
    rows = {}
    for row in soup(html).select("tbody tr"):
        cells = row.select("td")
        rows[cells[0].get_text(strip=True)] = " ".join(cells[2].get_text(" ").split())
    return rows


def test_the_case_list_shows_the_enhanced_status_the_person_page_computes(
    people_app, db, settings, world, fraud
) -> None:
    prosecutor, officer = world["prosecutor"], world["officer"]
    child_case = make_case(
        db, settings, prosecutor=prosecutor, officer=officer, offences=("FA2006-S2",),
        offence_date=date(2024, 2, 1),
    )  # fmt: skip
    child, _ = add_person(
        db, settings, child_case, name="Kit Young", actor_user=officer, born=date(2010, 6, 1)
    )
    add_person(
        db, settings, child_case, name="Ada Older", actor_user=officer, born=date(1960, 1, 1)
    )
    murder = make_case(
        db, settings, prosecutor=prosecutor, officer=officer, offences=("CL-MURDER",),
        offence_date=date(2024, 5, 5),
    )  # fmt: skip
    relative, _ = add_person(db, settings, murder, name="Bea Reaved", actor_user=officer)
    db.commit()
    client = client_as(people_app, db, officer)
    rows = _list_rows(client.get("/cases").text)
    assert rows[fraud["case"].urn] == "None"
    assert rows[child_case.urn] == "1 of 2 victims Vulnerable victim"
    assert rows[murder.urn] == "1 of 1 victim Victim of the most serious crime"
    # The same answers on the person pages.
    child_page = text_of(client.get(f"/cases/{child_case.id}/people/{child.id}").text)
    assert (
        "Vulnerable victim" in child_page and "Under 18 at the time of the offence." in child_page
    )
    murder_page = text_of(client.get(f"/cases/{murder.id}/people/{relative.id}").text)
    assert "A close relative bereaved by the offence: the case includes murder." in murder_page
    # A date of birth corrected to a child's: the list follows (nothing remembered goes stale).
    edit = client.get(fraud["url"] + "/edit")
    corrected = client.post(
        fraud["url"] + "/edit",
        data={
            "csrf_token": csrf_from(edit.text),
            "version": version_in(edit.text),
            "full_name": "Adela Fraudvictim",
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "2012",
            "address": "",
            "phone": "",
            "email": "",
        },
        follow_redirects=False,
    )
    assert corrected.status_code == 303, text_of(corrected.text)[:300]
    rows = _list_rows(client.get("/cases").text)
    assert rows[fraud["case"].urn] == "1 of 1 victim Vulnerable victim"
    edit = client.get(fraud["url"] + "/edit")
    client.post(
        fraud["url"] + "/edit",
        data={
            "csrf_token": csrf_from(edit.text),
            "version": version_in(edit.text),
            "full_name": "Adela Fraudvictim",
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "1970",
            "address": "",
            "phone": "",
            "email": "",
        },
    )
    assert _list_rows(client.get("/cases").text)[fraud["case"].urn] == "None"
    # An officer's record shows in the list too.
    record_enhanced(
        client,
        fraud["url"],
        categories=["most_serious"],
        most_serious_ground="hate_crime",
        most_serious_details="Targeted for her religion",
    )
    rows = _list_rows(client.get("/cases").text)
    assert rows[fraud["case"].urn] == "1 of 1 victim Victim of the most serious crime"


def test_the_case_list_statements_do_not_grow_with_its_cases_or_victims(
    people_app, db, settings
) -> None:
    from portal.cases.enhanced_status import CHILD_STATUS
    from tests.web.test_request_path import statements

    prosecutor = make_user(db, role=Role.PROSECUTOR)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)

    def fraud_case(victims: int) -> None:
        case = make_case(
            db, settings, prosecutor=prosecutor, officer=officer, offences=("FA2006-S2",),
            offence_date=date(2024, 2, 1),
        )  # fmt: skip
        for n in range(victims):
            add_person(db, settings, case, name=f"Vic Tim{n}", actor_user=officer)

    client = client_as(people_app, db, officer)

    def cold() -> list[str]:
        """The list with no child status remembered: every date of birth is opened."""
        assert client.get("/cases").status_code == 200  # warm: templates, key cache
        CHILD_STATUS.clear()
        with statements(people_app) as seen:
            assert client.get("/cases").status_code == 200
        return seen

    fraud_case(1)
    db.commit()
    one = cold()
    for _ in range(3):
        fraud_case(3)
    db.commit()
    many = cold()
    assert len(many) == len(one), "\n".join(many)
    key_queries = [s for s in many if "FROM data_key" in s]
    assert len(key_queries) == 1, key_queries  # the ten victims' keys in one query
    # Remembered, the dates of birth are not opened again.
    with statements(people_app) as warm:
        assert client.get("/cases").status_code == 200
    assert not [s for s in warm if "FROM data_key" in s]


# --- 3. parents, guardians and representatives ----------------------------------------------


def linked_form(token: str, **given: str) -> dict[str, str]:
    return {"csrf_token": token, **{f"linked-{k}": v for k, v in given.items()}}


def test_a_guardian_is_recorded_sealed_and_is_who_the_person_is_contacted_through(
    people_app, db, settings, world
) -> None:
    client = client_as(people_app, db, world["officer"])
    token = form_token(client, person_url(world))
    vault = make_vault(db, settings)
    rules = SafeContact(channels=("via_representative",))
    saved = client.post(
        person_url(world, "/contacts"),
        data=linked_form(
            token,
            relationship="guardian",
            full_name="Gwendolyn Guardian",
            phone="07700 900123",
            email="gwen@example.test",
            address="3 Hollow Lane",
            nominated="yes",
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303, text_of(saved.text)[:400]
    contact = db.scalars(select(PersonContact)).one()
    assert contact.relationship == "guardian" and contact.nominated
    assert contact.key_id == world["person"].key_id
    for column in ("name", "phone", "email", "address"):
        assert b"Gwendolyn" not in bytes(getattr(contact, column))
    person = db.get(Person, world["person"].id)
    db.refresh(person)
    assert person.representative is not None
    facts = contact_facts(vault, person)
    assert facts.has_representative
    assert told_refusal(replace(facts, safe=rules), "via_representative") is None
    db.commit()
    shown = text_of(client.get(person_url(world)).text)
    assert "Guardian" in shown and "Gwendolyn Guardian" in shown and "07700 900123" in shown
    assert "Contact the person through them" in shown
    assert "Parent, guardian or representative added" in shown
    assert "person_contact.add" in audit_actions(db)
    # An auditor sees that there is one, not who.
    auditor = text_of(client_as(people_app, db, world["auditor"]).get(person_url(world)).text)
    assert "Guardian" in auditor and "Gwendolyn" not in auditor and "Withheld" in auditor


def test_a_contact_recorded_in_error_is_removed_with_the_nomination(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    token = form_token(client, person_url(world))
    client.post(
        person_url(world, "/contacts"),
        data=linked_form(token, relationship="parent", full_name="Pat Parent", nominated="yes"),
    )
    contact = db.scalars(select(PersonContact)).one()
    db.commit()
    page = client.get(person_url(world))
    remove_url = person_url(world, f"/contacts/{contact.id}/remove")
    assert f'action="{remove_url}"' in page.text
    removed = client.post(remove_url, data={"csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    assert db.scalars(select(PersonContact)).all() == []
    person = db.get(Person, world["person"].id)
    db.refresh(person)
    assert person.representative is None
    db.commit()
    shown = text_of(client.get(person_url(world)).text)
    assert "Contact removed" in shown and "Pat Parent" not in shown
    assert "Parent, guardian or representative removed" in shown
    assert "person_contact.remove" in audit_actions(db)
    again = client.post(remove_url, data={"csrf_token": token})
    assert again.status_code == 200
    assert "That contact had already been removed" in text_of(again.text)


def test_through_their_representative_needs_one_recorded(people_app, db, settings, world) -> None:
    person = db.get(Person, world["person"].id)
    vault = make_vault(db, settings)
    vault.put(person, "safe_contact", SafeContact(channels=("via_representative",)).to_json())
    db.commit()
    shown = text_of(client_as(people_app, db, world["officer"]).get(person_url(world)).text)
    assert "No representative is recorded yet" in shown
    person = db.get(Person, world["person"].id)
    facts = contact_facts(make_vault(db, settings), person)
    refusal = told_refusal(
        replace(facts, safe=SafeContact(channels=("via_representative",))), "via_representative"
    )
    assert refusal == "No nominated representative is recorded for this victim"
    db.commit()


def test_a_contact_needs_a_relationship_and_a_name_and_keeps_what_was_typed(
    people_app, db, world
) -> None:
    client = client_as(people_app, db, world["officer"])
    token = form_token(client, person_url(world))
    refused = client.post(
        person_url(world, "/contacts"),
        data=linked_form(token, full_name="", phone="call me", email="Typed@nowhere"),
    )
    assert refused.status_code == 400
    body = text_of(refused.text)
    assert "Select their relationship to the person" in body
    assert "Enter the contact's full name" in body
    assert "Enter a telephone number" in body
    page = soup(refused.text)
    assert page.select_one("#linked-phone")["value"] == "call me"
    assert page.select_one("#linked-email")["value"] == "Typed@nowhere"
    not_a_representative = client.post(
        person_url(world, "/contacts"),
        data=linked_form(
            token, relationship="intermediary", full_name="Ian Termediary", nominated="yes"
        ),
    )
    assert not_a_representative.status_code == 400
    assert "cannot be nominated" in text_of(not_a_representative.text)
    assert db.scalars(select(PersonContact)).all() == []
    db.commit()


# --- 4. safeguarding actions: the case team or a named partner ------------------------------


def action_form(token: str, owner: str, **given: str) -> dict[str, str]:
    soon = today() + timedelta(days=14)
    return {
        "csrf_token": token,
        "action-description": "Check the bail conditions are known",
        "action-owner": owner,
        "action-due_on-day": str(soon.day),
        "action-due_on-month": str(soon.month),
        "action-due_on-year": str(soon.year),
        **{f"action-{k}": v for k, v in given.items()},
    }


def test_any_member_of_the_case_team_may_own_an_action(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    page = client.get(person_url(world))
    options = {o["value"] for o in soup(page.text).select("#action-owner option")}
    # The unit's other officer (not assigned to the case) is in the team; one elsewhere is not.
    assert str(world["colleague"].id) in options
    assert str(world["other_prosecutor"].id) in options
    assert str(world["outsider"].id) not in options
    assert "partner:police_oic" in options and "partner:ictg" in options
    token = csrf_from(page.text)
    added = client.post(
        person_url(world, "/actions"),
        data=action_form(token, str(world["colleague"].id)),
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert db.scalars(select(SafeguardingAction)).one().owner_id == world["colleague"].id
    db.commit()
    refused = client.post(
        person_url(world, "/actions"), data=action_form(token, str(world["outsider"].id))
    )
    assert refused.status_code == 400
    assert "Select who owns the action" in text_of(refused.text)


def test_a_named_partner_may_own_an_action(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    token = form_token(client, person_url(world))
    unnamed = client.post(person_url(world, "/actions"), data=action_form(token, "partner:isva"))
    assert unnamed.status_code == 400
    assert "Enter the name of the partner who owns the action" in text_of(unnamed.text)
    assert soup(unnamed.text).select_one("#action-owner option[selected]")["value"] == (
        "partner:isva"
    )
    unknown = client.post(
        person_url(world, "/actions"),
        data=action_form(token, "partner:astrologer", partner_name="Madame Zora"),
    )
    assert unknown.status_code == 400
    added = client.post(
        person_url(world, "/actions"),
        data=action_form(token, "partner:police_oic", partner_name="DC Sam Patel"),
        follow_redirects=False,
    )
    assert added.status_code == 303
    action = db.scalars(select(SafeguardingAction)).one()
    assert action.owner_id is None and action.owner_partner == "police_oic"
    assert b"Patel" not in bytes(action.partner_name)
    db.commit()
    shown = text_of(client.get(person_url(world)).text)
    assert "DC Sam Patel (Police officer in the case (OIC))" in shown
    timeline = db.scalars(select(SafeguardEvent.kind)).all()
    assert "action_added" in timeline
    db.commit()
