"""The search page: whole names, single names and sound-alikes, scoped to the user's cases, nothing
personal in URLs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.app import create_app
from portal.audit.models import AuditEvent
from portal.cases import importer
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.people.service import PersonDetails, add_person_to_case, add_reference
from portal.search import routes as search_routes
from tests.conftest import make_settings
from tests.support.factories import make_case, make_session_token, make_user
from tests.support.web import csrf_from, soup, text_of


def build_app(settings, monkeypatch: pytest.MonkeyPatch) -> Starlette:
    """The app, with the search routes in its table if portal.app does not list them yet."""
    import portal.app as app_module

    if "search" not in {getattr(r, "name", None) for r in app_module.all_routes()}:
        original = app_module.all_routes
        monkeypatch.setattr(app_module, "all_routes", lambda: [*original(), *search_routes.routes])
    return create_app(settings)


@pytest.fixture
def app(settings, engine, monkeypatch):
    application = build_app(settings, monkeypatch)
    yield application
    application.state.engine.dispose()


def client_as(app: Starlette, db, user) -> TestClient:
    token = make_session_token(db, user)
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return client


def vault_for(db, settings) -> Vault:
    return Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)


def add(db, settings, case, user, name: str, born: date | None = None, **kw):
    actor = Actor(user.id, Role(user.role), user.area, user.unit)
    person, _ = add_person_to_case(
        db,
        vault_for(db, settings),
        actor,
        case,
        PersonDetails(full_name=name, date_of_birth=born),
        is_victim=kw.get("is_victim", True),
        is_witness=kw.get("is_witness", False),
    )
    return person


@pytest.fixture
def world(db, settings):
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    far_prosecutor = make_user(db, role=Role.PROSECUTOR, area="wessex", unit="rasso")
    case = make_case(db, settings, prosecutor=prosecutor, officer=officer, urn="01AB1234526")
    far_case = make_case(
        db, settings, prosecutor=far_prosecutor, area="wessex", unit="rasso", urn="55WX7654321"
    )
    vera = add(db, settings, case, officer, "Vera Canary", date(1990, 5, 17))
    far_vera = add(db, settings, far_case, far_prosecutor, "Vera Canary", date(1990, 5, 17))
    db.commit()
    return {
        "officer": officer,
        "prosecutor": prosecutor,
        "far_prosecutor": far_prosecutor,
        "case": case,
        "far_case": far_case,
        "vera": vera,
        "far_vera": far_vera,
    }


def search(client: TestClient, **fields: str):
    token = csrf_from(client.get("/search").text)
    return client.post("/search", data={"csrf_token": token, **fields}, follow_redirects=False)


def result_links(html: str) -> list[str]:
    return [a["href"] for a in soup(html).select("#search-results tbody td:first-child a")]


# --- people ---------------------------------------------------------------------------------


def test_an_exact_name_finds_the_person_in_scope_only(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    response = search(client, name="  vera   CANARY ")
    assert response.status_code == 200
    assert result_links(response.text) == [f"/cases/{world['case'].id}/people/{world['vera'].id}"]
    page = text_of(response.text)
    assert "1 match in cases you can see" in page
    assert "Vera Canary" in page and "17 May 1990" in page
    assert world["far_case"].urn not in page  # the same person-name elsewhere is out of scope


def test_the_other_area_sees_its_own_match(app, db, world) -> None:
    client = client_as(app, db, world["far_prosecutor"])
    response = search(client, name="Vera Canary")
    assert result_links(response.text) == [
        f"/cases/{world['far_case'].id}/people/{world['far_vera'].id}"
    ]


def test_part_of_a_word_is_not_a_match(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    response = search(client, name="Cana")
    assert response.status_code == 200
    assert result_links(response.text) == []
    assert "0 matches" in text_of(response.text)


@pytest.mark.parametrize("typed", ["Vera", "canary", "CANARY vera"])
def test_a_first_name_or_surname_alone_finds_the_person_in_scope_only(
    app, db, world, typed
) -> None:
    client = client_as(app, db, world["officer"])
    response = search(client, name=typed)
    assert result_links(response.text) == [f"/cases/{world['case'].id}/people/{world['vera'].id}"]
    assert "Sounds similar" not in text_of(response.text)


def test_date_of_birth_alone_and_with_a_name(app, db, world, settings) -> None:
    add(db, settings, world["case"], world["officer"], "Other Person", date(1990, 5, 17))
    db.commit()
    client = client_as(app, db, world["officer"])
    by_date = search(
        client,
        **{"date_of_birth-day": "17", "date_of_birth-month": "5", "date_of_birth-year": "1990"},
    )
    assert len(result_links(by_date.text)) == 2
    both = search(
        client,
        name="Other Person",
        **{"date_of_birth-day": "17", "date_of_birth-month": "05", "date_of_birth-year": "1990"},
    )
    assert len(result_links(both.text)) == 1
    wrong = search(
        client,
        name="Other Person",
        **{"date_of_birth-day": "18", "date_of_birth-month": "5", "date_of_birth-year": "1990"},
    )
    assert result_links(wrong.text) == []


def test_a_reference_number_finds_the_person_within_scope(app, db, world, settings) -> None:
    officer_actor = Actor(world["officer"].id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    far_actor = Actor(world["far_prosecutor"].id, Role.PROSECUTOR, "wessex", "rasso")
    add_reference(
        db,
        vault_for(db, settings),
        officer_actor,
        world["vera"],
        kind="police_crn",
        value="01/23456/25",
    )
    add_reference(
        db,
        vault_for(db, settings),
        far_actor,
        world["far_vera"],
        kind="action_fraud",
        value="NFRC2501234567",
    )
    db.commit()
    client = client_as(app, db, world["officer"])
    found = search(client, reference=" 01/23456/25 ")
    assert result_links(found.text) == [f"/cases/{world['case'].id}/people/{world['vera'].id}"]
    assert result_links(search(client, reference="NFRC2501234567").text) == []
    assert result_links(search(client, reference="01/23456/26").text) == []
    combined = search(client, name="Vera Canary", reference="01/23456/25")
    assert len(result_links(combined.text)) == 1
    mismatch = search(client, name="Someone Else", reference="01/23456/25")
    assert result_links(mismatch.text) == []


def test_a_sealed_identity_is_found_by_neither_name_nor_reference(app, db, world, settings) -> None:
    from portal.people.service import seal_identity

    actor = Actor(world["officer"].id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    add_reference(
        db, vault_for(db, settings), actor, world["vera"], kind="police_crn", value="01/99999/25"
    )
    seal_identity(db, actor, world["vera"])
    db.commit()
    client = client_as(app, db, world["officer"])
    assert result_links(search(client, name="Vera Canary").text) == []
    assert result_links(search(client, reference="01/99999/25").text) == []
    assert "Vera Canary" not in text_of(search(client, reference="01/99999/25").text)


def test_auditors_see_references_not_names(app, db, world) -> None:
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    client = client_as(app, db, auditor)
    response = search(client, name="Vera Canary")
    page = text_of(response.text)
    assert response.status_code == 200
    assert "Vera Canary" not in page
    assert "17 May 1990" not in page
    assert world["vera"].reference in page and world["far_vera"].reference in page
    cells = [td.get_text(strip=True) for td in soup(response.text).select("tbody td:first-child")]
    assert set(cells) == {world["vera"].reference, world["far_vera"].reference}


def test_empty_and_invalid_searches_show_errors_and_keep_what_was_typed(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    empty = search(client)
    assert empty.status_code == 400
    summary = soup(empty.text).select_one(".govuk-error-summary")
    assert summary is not None
    assert "Enter a name, date of birth or reference number" in summary.get_text()
    assert soup(empty.text).title.get_text().startswith("Error:")  # type: ignore[union-attr]

    bad = search(
        client,
        name="Vera Canary",
        **{"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "1990"},
    )
    assert bad.status_code == 400
    html = soup(bad.text)
    assert "Date of birth must be a real date" in html.select_one(".govuk-error-summary").get_text()  # type: ignore[union-attr]
    assert html.select_one("#name")["value"] == "Vera Canary"  # type: ignore[index]
    assert html.select_one("input[name='date_of_birth-day']")["value"] == "31"  # type: ignore[index]
    assert html.select_one("input[name='date_of_birth-month']")["value"] == "2"  # type: ignore[index]

    future = search(
        client,
        **{"date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "2999"},
    )
    assert "Date of birth must be in the past" in text_of(future.text)


def test_names_never_reach_urls_or_logs(app, db, world, caplog) -> None:
    client = client_as(app, db, world["officer"])
    page = soup(client.get("/search").text)
    person_form = page.select_one("form:has(#name)")
    assert person_form is not None and person_form["method"] == "post"
    with caplog.at_level("DEBUG"):
        response = search(client, name="Vera Canary")
    assert "Canary" not in str(response.url)
    assert "Canary" not in caplog.text


def test_results_are_paginated_by_post(app, db, world, settings) -> None:
    actor = Actor(world["officer"].id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    rows = "".join(f"Person {i},1984-03-27,victim\n" for i in range(30))
    importer.import_csv(
        db, vault_for(db, settings), actor, world["case"], "full_name,date_of_birth,role\n" + rows
    )
    db.commit()
    client = client_as(app, db, world["officer"])
    dob = {"date_of_birth-day": "27", "date_of_birth-month": "3", "date_of_birth-year": "1984"}
    first = search(client, **dob)
    assert len(result_links(first.text)) == 25
    assert "30 matches" in text_of(first.text)
    pager = soup(first.text).select_one("#search-results form")
    assert pager is not None and pager["method"] == "post"
    second = search(client, page="2", **dob)
    assert len(result_links(second.text)) == 5
    assert set(result_links(first.text)).isdisjoint(result_links(second.text))


def test_searches_and_results_are_logged_by_id(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    search(client, name="Vera Canary", reference="x")
    search(client, name="Vera Canary")
    db.expire_all()
    searches = db.scalars(select(AuditEvent).where(AuditEvent.action == "person.search")).all()
    assert {e.fields for e in searches} >= {"name", "reference"}
    shown = db.scalars(select(AuditEvent).where(AuditEvent.action == "person.search_result")).all()
    assert [(e.subject_id, e.case_id) for e in shown] == [(world["vera"].id, world["case"].id)]
    for event in [*searches, *shown]:
        assert "Canary" not in " ".join(str(v) for v in vars(event).values())
    db.commit()


# --- single names, look-alike punctuation, sound-alikes (issue 15 point 8) ----------------------


def test_apostrophes_and_quotes_match_whichever_was_typed(app, db, world, settings) -> None:
    curly = add(db, settings, world["case"], world["officer"], "Siobhán O’Brien")
    straight = add(db, settings, world["case"], world["officer"], "Dara O'Brien")
    quoted = add(db, settings, world["case"], world["officer"], "Robert “Bobby” Keane")
    db.commit()
    client = client_as(app, db, world["officer"])
    link = f"/cases/{world['case'].id}/people/"
    assert result_links(search(client, name="Siobhan O'Brien").text) == [f"{link}{curly.id}"]
    assert result_links(search(client, name="dara o’brien").text) == [f"{link}{straight.id}"]
    both = {f"{link}{curly.id}", f"{link}{straight.id}"}
    assert set(result_links(search(client, name="OʼBrien").text)) == both
    assert set(result_links(search(client, name="O´brien").text)) == both
    assert result_links(search(client, name='Robert "Bobby" Keane').text) == [f"{link}{quoted.id}"]
    assert result_links(search(client, name="bobby").text) == [f"{link}{quoted.id}"]


def test_a_sound_alike_spelling_is_found_after_the_spelled_matches(
    app, db, world, settings
) -> None:
    smyth = add(db, settings, world["case"], world["officer"], "Katherine Smyth")
    smith = add(db, settings, world["case"], world["officer"], "Ann Smith")
    add(db, settings, world["case"], world["officer"], "Ann Jones")
    db.commit()
    client = client_as(app, db, world["officer"])
    link = f"/cases/{world['case'].id}/people/"
    response = search(client, name="Smith")
    assert result_links(response.text) == [f"{link}{smith.id}", f"{link}{smyth.id}"]
    rows = soup(response.text).select("#search-results tbody tr")
    assert "Sounds similar" not in rows[0].get_text()
    assert "Sounds similar" in rows[1].get_text()
    assert result_links(search(client, name="Kathryn Smith").text) == [f"{link}{smyth.id}"]
    assert result_links(search(client, name="Ann Smyth").text) == [f"{link}{smith.id}"]


def test_a_single_name_with_a_date_of_birth_narrows(app, db, world, settings) -> None:
    add(db, settings, world["case"], world["officer"], "Vera Lynn", date(1950, 1, 1))
    db.commit()
    client = client_as(app, db, world["officer"])
    born = {"date_of_birth-day": "17", "date_of_birth-month": "5", "date_of_birth-year": "1990"}
    assert len(result_links(search(client, name="Vera").text)) == 2
    assert result_links(search(client, name="Vera", **born).text) == [
        f"/cases/{world['case'].id}/people/{world['vera'].id}"
    ]


def test_sealed_and_erased_people_are_not_found_by_one_name(app, db, world, settings) -> None:
    from portal.people.models import PersonNameWord
    from portal.people.service import erase_person, seal_identity

    actor = Actor(world["officer"].id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    gone = add(db, settings, world["case"], world["officer"], "Vera Gone")
    seal_identity(db, actor, world["vera"])
    erase_person(db, vault_for(db, settings), actor, gone)
    db.commit()
    for person in (world["vera"], gone):
        rows = db.scalars(select(PersonNameWord).where(PersonNameWord.person_id == person.id))
        assert list(rows) == []
    client = client_as(app, db, world["officer"])
    for typed in ("Vera", "Canary", "Verra", "Gone", "Vera Canary"):
        assert result_links(search(client, name=typed).text) == [], typed


def test_renaming_a_person_moves_their_name_words(app, db, world, settings) -> None:
    from portal.people.service import update_person

    actor = Actor(world["officer"].id, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    vera = world["vera"]
    update_person(
        db,
        vault_for(db, settings),
        actor,
        vera,
        PersonDetails(full_name="Vera Finch", date_of_birth=date(1990, 5, 17)),
        expected_version=vera.version,
        case_id=world["case"].id,
    )
    db.commit()
    client = client_as(app, db, world["officer"])
    assert result_links(search(client, name="Canary").text) == []
    assert result_links(search(client, name="Finch").text) == [
        f"/cases/{world['case'].id}/people/{vera.id}"
    ]


def test_auditors_find_by_a_whole_name_only(app, db, world) -> None:
    """An auditor sees references: one name must not list everyone who shares it."""
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    client = client_as(app, db, auditor)
    assert result_links(search(client, name="Vera").text) == []
    assert result_links(search(client, name="Vera Canarie").text) == []
    assert len(result_links(search(client, name="Vera Canary").text)) == 2


# --- blind index collisions -----------------------------------------------------------------


def test_a_different_name_sharing_the_blind_index_is_filtered_out(
    db, engine, database_url, instance_dir, monkeypatch
) -> None:
    tiny = make_settings(database_url, instance_dir, PORTAL_BLIND_INDEX_BITS="8")
    application = build_app(tiny, monkeypatch)
    try:
        officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
        case = make_case(db, tiny, officer=officer)
        vault = vault_for(db, tiny)
        target = vault.blind_index("person.full_name", "Vera Canary")
        collider = next(
            name
            for name in (f"Collider {i}" for i in range(100_000))
            if vault.blind_index("person.full_name", name) == target
        )
        vera = add(db, tiny, case, officer, "Vera Canary")
        other = add(db, tiny, case, officer, collider)
        db.commit()
        same_index = db.scalars(select(Person.id).where(Person.name_index == target)).all()
        assert set(same_index) == {vera.id, other.id}  # both are candidates

        client = client_as(application, db, officer)
        response = search(client, name="Vera Canary")
        assert result_links(response.text) == [f"/cases/{case.id}/people/{vera.id}"]
        assert collider not in text_of(response.text)
    finally:
        application.state.engine.dispose()


# --- cases by URN ---------------------------------------------------------------------------


def test_urn_search_finds_visible_cases_by_prefix(app, db, world, settings) -> None:
    other = make_case(db, settings, prosecutor=world["prosecutor"], urn="01AB7777726")
    db.commit()
    client = client_as(app, db, world["prosecutor"])
    response = client.get("/search?urn=01ab")
    assert response.status_code == 200
    links = [a["href"] for a in soup(response.text).select("#search-results tbody a")]
    assert sorted(links) == sorted([f"/cases/{world['case'].id}", f"/cases/{other.id}"])
    exact = client.get("/search?urn=01AB 12345 26")
    assert [a.get_text() for a in soup(exact.text).select("#search-results tbody a")] == [
        "01AB1234526"
    ]
    elsewhere = client.get("/search?urn=55WX")
    assert "0 cases" in text_of(elsewhere.text)


def test_an_invalid_urn_is_an_error_with_the_value_kept(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    response = client.get("/search?urn=01*AB")
    assert response.status_code == 400
    html = soup(response.text)
    assert html.select_one(".govuk-error-summary a")["href"] == "#urn"  # type: ignore[index]
    assert html.select_one("#urn")["value"] == "01*AB"  # type: ignore[index]


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_administrators_may_not_search(app, db, role) -> None:
    client = client_as(app, db, make_user(db, role=role))
    assert client.get("/search").status_code == 403
