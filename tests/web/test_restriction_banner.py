"""The restrictions banner summarises a case and names one person's restrictions, on every page
about them (issue 15 point 9), obligation pages included."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.app import all_routes
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.victims_code.models import Obligation
from portal.web import subjects
from tests.support.factories import add_person, make_case, make_user
from tests.support.vlu import record
from tests.support.web import soup
from tests.web.test_case_pages import client_as

ID_FREE = {"case_id", "person_id"}


def test_every_page_with_an_id_in_its_url_says_whom_it_is_about() -> None:
    unexplained = []
    for route in all_routes():
        names = set(getattr(route, "param_convertors", {}))
        if not names or names & ID_FREE:
            continue
        if names & set(subjects.BY_PARAM) or route.name in subjects.ABOUT_NO_PERSON:
            continue
        unexplained.append(route.name)
    assert unexplained == []


def banner_of(html: str) -> str:
    found = soup(html).select_one(".portal-restrictions")
    return " ".join(found.get_text(" ").split()) if found else ""


def test_a_mass_victim_case_is_summarised_and_its_list_names_everyone(app, db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("MSA2015-S2",))
    people = [
        add_person(db, settings, case, name=f"Trafficked Person{n}", actor_user=prosecutor)[0]
        for n in range(5)
    ]
    db.commit()
    client = client_as(app, db, prosecutor)

    page = client.get(f"/cases/{case.id}")
    banner = banner_of(page.text)
    assert "5 people in this case have lifelong anonymity" in banner
    for person in people:  # too many to name in a banner
        assert person.reference not in banner
    link = soup(page.text).select_one(".portal-restrictions a")
    assert link is not None and link["href"] == f"/cases/{case.id}/restrictions"

    listed = client.get(link["href"])
    assert listed.status_code == 200
    table = " ".join(soup(listed.text).select_one("#case-restrictions").get_text(" ").split())
    for person in people:
        assert person.reference in table
    assert table.count("Lifelong anonymity") == 5

    one = client.get(f"/cases/{case.id}/people/{people[0].id}")
    banner = banner_of(one.text)
    assert people[0].reference in banner and people[1].reference not in banner


def test_a_few_protected_people_are_named_in_the_case_summary(app, db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("MSA2015-S2",))
    person, _ = add_person(db, settings, case, name="Only Victim", actor_user=prosecutor)
    db.commit()
    banner = banner_of(client_as(app, db, prosecutor).get(f"/cases/{case.id}").text)
    assert "1 person in this case has lifelong anonymity" in banner
    assert person.reference in banner


def test_an_obligation_page_carries_its_persons_restrictions(app, db, settings) -> None:
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, officer=officer, offences=("MSA2015-S2",))
    person, _ = add_person(db, settings, case, name="Told Victim", actor_user=prosecutor)
    other, _ = add_person(db, settings, case, name="Other Victim", actor_user=prosecutor)
    record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    db.commit()
    obligation_id = db.scalar(
        select(Obligation.id)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .where(CaseParty.person_id == person.id)
        .limit(1)
    )
    assert obligation_id is not None, "a discontinuance owes the victim a letter"
    page = client_as(app, db, officer).get(f"/obligations/{obligation_id}")
    assert page.status_code == 200
    banner = banner_of(page.text)
    assert person.reference in banner and "Lifelong anonymity" in banner
    assert other.reference not in banner
