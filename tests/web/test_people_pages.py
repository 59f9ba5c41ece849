"""Victim and witness pages: adding, viewing, editing, conflicts, safeguards, scope, audit."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, record_event
from portal.keys.vault import Vault
from portal.people import service as people_service
from portal.people.models import Person
from portal.people.routes import routes as people_routes
from portal.safeguards.models import SafeguardingAction
from tests.support.factories import (
    add_person,
    make_case,
    make_session_token,
    make_user,
    make_vault,
)
from tests.support.web import csrf_from, soup, text_of

NAME = "Zanzibar Quillfeather"


@pytest.fixture
def people_app(app: Starlette) -> Starlette:
    """The app with these routes, unless portal/app.py already registers them."""
    present = {getattr(route, "name", None) for route in app.routes}
    app.router.routes.extend(r for r in people_routes if r.name not in present)
    return app


def client_as(app: Starlette, db, user) -> TestClient:
    token = make_session_token(db, user)
    db.commit()
    client = TestClient(app, base_url="http://testserver")
    client.cookies.set("portal_session", token)
    return client


def actor_of(user) -> Actor:
    return Actor(user.id, Role(user.role), user.area, user.unit)


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wendy Carer")
    colleague = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Colin Colleague")
    outsider = make_user(db, role=Role.WITNESS_CARE_OFFICER, area="wessex", unit="rasso")
    other_prosecutor = make_user(db, role=Role.PROSECUTOR)
    vlu = make_user(db, role=Role.VLU_OFFICER)
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    case = make_case(
        db, settings, prosecutor=prosecutor, officer=officer, offence_date=date(2023, 1, 10)
    )
    person, party = add_person(
        db,
        settings,
        case,
        name=NAME,
        actor_user=officer,
        born=date(1990, 5, 17),
        address="12 Lantern Row",
    )
    db.commit()
    return {
        "prosecutor": prosecutor,
        "officer": officer,
        "colleague": colleague,
        "outsider": outsider,
        "other_prosecutor": other_prosecutor,
        "vlu": vlu,
        "auditor": auditor,
        "case": case,
        "person": person,
        "party": party,
    }


def person_url(world, suffix: str = "") -> str:
    return f"/cases/{world['case'].id}/people/{world['person'].id}{suffix}"


def audit_rows(db, after_seq: int = 0) -> list[AuditEvent]:
    rows = list(db.scalars(select(AuditEvent).where(AuditEvent.seq > after_seq)))
    db.commit()
    return rows


def last_seq(db) -> int:
    seq = db.scalar(select(func.max(AuditEvent.seq))) or 0
    db.commit()
    return int(seq)


def new_person_form(token: str, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "csrf_token": token,
        "role": "both",
        "full_name": "Ophelia Marchbanks",
        "date_of_birth-day": "3",
        "date_of_birth-month": "4",
        "date_of_birth-year": "2001",
        "address": "7 Juniper Mews\nLeeds",
        "phone": "07700 900982",
        "email": "ophelia@example.test",
        "language": "Portuguese",
        "communication_support": ["interpreter"],
        "adjustments": "Needs regular breaks",
        "channels": ["text", "email"],
        "safe_times": "Weekdays after 6pm",
        "no_voicemail": "yes",
        "do_not_tell": "Her brother Tobias",
    }
    form.update(overrides)
    return form


# --- adding a person ------------------------------------------------------------------------


def test_adding_a_victim_stores_no_plaintext_and_audits_field_names(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    new_url = f"/cases/{world['case'].id}/people/new"
    page = client.get(new_url)
    assert page.status_code == 200
    before = last_seq(db)
    response = client.post(
        new_url, data=new_person_form(csrf_from(page.text)), follow_redirects=False
    )
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    match = re.fullmatch(rf"/cases/{world['case'].id}/people/([0-9a-f-]{{36}})", location)
    assert match, location
    person_id = uuid.UUID(match.group(1))

    shown = client.get(location)
    assert shown.status_code == 200
    assert "Ophelia Marchbanks" in shown.text
    assert "govuk-notification-banner--success" in shown.text
    assert "Portuguese" in shown.text and "Her brother Tobias" in shown.text

    raw = db.execute(text("SELECT * FROM person WHERE id = :id"), {"id": person_id.hex}).mappings()
    rows = list(raw)
    if not rows:  # PostgreSQL stores the UUID natively
        rows = list(
            db.execute(text("SELECT * FROM person WHERE id = :id"), {"id": person_id}).mappings()
        )
    db.commit()
    assert len(rows) == 1
    blob = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in rows[0].values()
    )
    for secret in ("Ophelia", "Marchbanks", "Juniper", "07700", "example.test", "2001-04-03"):
        assert secret.encode() not in blob, secret
    for secret in ("Portuguese", "Tobias", "after 6pm"):
        assert secret.encode() not in blob, secret

    writes = [r for r in audit_rows(db, before) if r.category != "consultation"]
    assert [(r.category, r.action) for r in writes] == [("collection", "person.add")]
    fields = writes[0].fields or ""
    assert {"full_name", "date_of_birth", "address", "phone", "email"} <= set(fields.split(","))
    assert {"communication_needs", "safe_contact"} <= set(fields.split(","))
    assert "Ophelia" not in fields


def test_add_person_errors_keep_everything_typed(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    new_url = f"/cases/{world['case'].id}/people/new"
    token = csrf_from(client.get(new_url).text)
    form = new_person_form(
        token,
        role="",
        **{"date_of_birth-day": "31", "date_of_birth-month": "2"},
        email="not-an-email",
        phone="call me maybe",
        is_business="yes",
        business_contact="",
    )
    response = client.post(new_url, data=form)
    assert response.status_code == 400
    page = soup(response.text)
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None
    links = [a["href"] for a in summary.select("a")]
    assert links == ["#role", "#business_contact", "#date_of_birth", "#phone", "#email"]
    assert "Date of birth must be a real date" in summary.get_text()
    assert page.select_one("#full_name")["value"] == "Ophelia Marchbanks"
    assert page.select_one("#date_of_birth")["value"] == "31"
    assert page.select_one("#date_of_birth-year")["value"] == "2001"
    assert page.select_one("#email")["value"] == "not-an-email"
    assert "7 Juniper Mews" in page.select_one("#address").get_text()
    assert page.select_one("#is_business").has_attr("checked")
    checked = {i["value"] for i in page.select("input[name=channels][checked]")}
    assert checked == {"text", "email"}
    assert page.select_one("#no_voicemail").has_attr("checked")
    assert "Her brother Tobias" in page.select_one("#do_not_tell").get_text()
    assert response.text.count('aria-describedby="') >= 5
    assert db.scalar(select(func.count()).select_from(Person)) == 1
    db.commit()


# --- the person page ------------------------------------------------------------------------


def test_viewing_a_person_writes_exactly_one_consultation(people_app, db, world) -> None:
    for who in ("officer", "prosecutor", "vlu", "auditor"):
        client = client_as(people_app, db, world[who])
        before = last_seq(db)
        response = client.get(person_url(world))
        assert response.status_code == 200, who
        rows = audit_rows(db, before)
        assert len(rows) == 1, (who, [r.action for r in rows])
        assert rows[0].category == "consultation"
        assert rows[0].subject_id == world["person"].id
        assert rows[0].subject_ref == world["person"].reference
        assert rows[0].actor_id == world[who].id


def test_auditor_sees_the_reference_and_nothing_identifying(
    people_app, db, world, monkeypatch
) -> None:
    opened: list[str] = []
    original = Vault.open_bytes

    def spy(self, row, column):
        opened.append(f"{row.__tablename__}.{column}")
        return original(self, row, column)

    monkeypatch.setattr(Vault, "open_bytes", spy)
    client = client_as(people_app, db, world["auditor"])
    response = client.get(person_url(world))
    assert response.status_code == 200
    assert world["person"].reference in soup(response.text).select_one("h1").get_text()
    assert NAME not in response.text and "Zanzibar" not in response.text
    assert "Lantern Row" not in response.text
    # The year of birth, anywhere but inside the (random) URN.
    assert "1990" not in response.text.replace(world["case"].urn, "")
    assert "Adult" in response.text
    assert set(opened) <= {"person.date_of_birth"}, opened
    # and the officer sees the name
    officer = client_as(people_app, db, world["officer"]).get(person_url(world))
    assert NAME in officer.text and "Lantern Row" in officer.text


def test_child_status_at_the_offence_and_at_each_hearing(people_app, db, world, settings) -> None:
    case = world["case"]
    person, _ = add_person(
        db,
        settings,
        case,
        name="Teenage Witness",
        actor_user=world["officer"],
        born=date(2006, 6, 1),
    )
    vault = make_vault(db, settings)
    actor = actor_of(world["prosecutor"])
    record_event(db, vault, actor, case, NewEvent(EventKind.FIRST_HEARING, date(2023, 9, 4)))
    record_event(db, vault, actor, case, NewEvent(EventKind.TRIAL_LISTING, date(2025, 3, 3)))
    db.commit()
    client = client_as(people_app, db, world["officer"])
    page = text_of(client.get(f"/cases/{case.id}/people/{person.id}").text)
    assert "Under 18 at the offence (16) – 10 January 2023" in page
    assert "Under 18 at the first hearing (17) – 4 September 2023" in page
    assert "18 or over at the trial (18) – 3 March 2025" in page
    assert "eligibility for special measures because of age (YJCEA 1999 s16) has ended" in page
    assert "Vulnerable victim Under 18 at the time of the offence." in page
    # the auditor sees the statuses without ages
    audit_page = text_of(
        client_as(people_app, db, world["auditor"]).get(f"/cases/{case.id}/people/{person.id}").text
    )
    assert "Under 18 at the offence – 10 January 2023" in audit_page
    assert "(16)" not in audit_page
    assert "Adult" in audit_page


def test_htmx_requests_get_only_the_block(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    hx = {"HX-Request": "true"}
    form_block = client.get(person_url(world, "/edit"), headers=hx)
    assert form_block.status_code == 200
    assert "<html" not in form_block.text
    assert form_block.text.lstrip().startswith('<div id="person-details">')
    assert 'hx-post="' in form_block.text
    token = csrf_from(client.get(person_url(world, "/edit")).text)
    page = soup(form_block.text)
    version = page.select_one("input[name=version]")["value"]
    updated = client.post(
        person_url(world, "/edit"),
        data={
            "csrf_token": token,
            "version": version,
            "full_name": "Zanzibar Q. Quillfeather",
            "date_of_birth-day": "17",
            "date_of_birth-month": "5",
            "date_of_birth-year": "1990",
            "address": "12 Lantern Row",
        },
        headers=hx,
    )
    assert updated.status_code == 200
    assert "<html" not in updated.text
    assert "Zanzibar Q. Quillfeather" in updated.text
    assert 'id="person-details"' in updated.text and "<form" not in updated.text
    # an htmx error answers with the form block (200, so htmx swaps it) and the error summary
    bad = client.post(
        person_url(world, "/edit"),
        data={"csrf_token": token, "version": version, "full_name": ""},
        headers=hx,
    )
    assert bad.status_code == 200 and "<html" not in bad.text
    assert "govuk-error-summary" in bad.text
    # the details block comes back for "Cancel"
    details = client.get(person_url(world), headers=hx)
    assert "<html" not in details.text and 'id="person-details"' in details.text
    # and the full page without htmx
    assert "<html" in client.get(person_url(world, "/edit")).text


# --- editing and conflicts ------------------------------------------------------------------


def edit_form(token: str, version: str, **values: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "version": version,
        "full_name": NAME,
        "date_of_birth-day": "17",
        "date_of_birth-month": "5",
        "date_of_birth-year": "1990",
        "address": "12 Lantern Row",
        "phone": "",
        "email": "",
    }
    form.update(values)
    return form


def test_a_conflicting_edit_shows_both_versions_and_loses_nothing(people_app, db, world) -> None:
    first = client_as(people_app, db, world["officer"])
    second = client_as(people_app, db, world["colleague"])
    page_one = soup(first.get(person_url(world, "/edit")).text)
    page_two = soup(second.get(person_url(world, "/edit")).text)
    version = page_one.select_one("input[name=version]")["value"]
    assert page_two.select_one("input[name=version]")["value"] == version
    token_one = page_one.select_one("input[name=csrf_token]")["value"]
    token_two = page_two.select_one("input[name=csrf_token]")["value"]

    saved = first.post(
        person_url(world, "/edit"),
        data=edit_form(token_one, version, address="99 Harbour Street"),
        follow_redirects=False,
    )
    assert saved.status_code == 303

    before = last_seq(db)
    clash = second.post(
        person_url(world, "/edit"),
        data=edit_form(token_two, version, address="1 Orchard Close", phone="0113 496 0000"),
    )
    assert clash.status_code == 409
    page = soup(clash.text)
    rows = {
        tr.select_one("th").get_text(" ", strip=True): [
            td.get_text(strip=True) for td in tr.select("td")
        ]
        for tr in page.select("tbody tr")
    }
    assert rows["Address Different"] == ["99 Harbour Street", "1 Orchard Close"]
    assert rows["Telephone number Different"] == ["Not given", "0113 496 0000"]
    assert "1 Orchard Close" in page.select_one("#address").get_text()
    assert page.select_one("#phone")["value"] == "0113 496 0000"
    new_version = page.select_one("input[name=version]")["value"]
    assert int(new_version) > int(version)
    assert [r.action for r in audit_rows(db, before)] == ["person.view_conflict"]

    resubmitted = second.post(
        person_url(world, "/edit"),
        data=edit_form(token_two, new_version, address="1 Orchard Close", phone="0113 496 0000"),
        follow_redirects=False,
    )
    assert resubmitted.status_code == 303
    final = first.get(person_url(world)).text
    assert "1 Orchard Close" in final and "0113 496 0000" in final


def test_a_race_lost_at_flush_is_shown_as_a_conflict(people_app, db, world, monkeypatch) -> None:
    def lose_the_race(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'person' expected to update 1 row(s)")

    client = client_as(people_app, db, world["officer"])
    page = soup(client.get(person_url(world, "/edit")).text)
    token = page.select_one("input[name=csrf_token]")["value"]
    version = page.select_one("input[name=version]")["value"]
    monkeypatch.setattr(people_service, "update_person", lose_the_race)
    response = client.post(
        person_url(world, "/edit"), data=edit_form(token, version, address="5 Typed Lane")
    )
    assert response.status_code == 409
    assert "5 Typed Lane" in response.text and "12 Lantern Row" in response.text


def test_edit_errors_keep_typed_values(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    page = soup(client.get(person_url(world, "/edit")).text)
    token = page.select_one("input[name=csrf_token]")["value"]
    response = client.post(
        person_url(world, "/edit"),
        data=edit_form(
            token,
            page.select_one("input[name=version]")["value"],
            full_name="",
            address="Typed Address 4",
            **{"date_of_birth-month": "13"},
        ),
    )
    assert response.status_code == 400
    result = soup(response.text)
    assert [a["href"] for a in result.select(".govuk-error-summary a")] == [
        "#full_name",
        "#date_of_birth",
    ]
    assert "Typed Address 4" in result.select_one("#address").get_text()
    assert result.select_one("#date_of_birth-month")["value"] == "13"


# --- contact rules, needs assessment, actions, referrals ------------------------------------


def test_each_write_logs_one_change_with_field_names_only(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    token = csrf_from(client.get(person_url(world)).text)

    def version_on(suffix: str) -> str:
        return soup(client.get(person_url(world, suffix)).text).select_one("[name=version]")[
            "value"
        ]

    soon = date.today().replace(year=date.today().year + 1)
    writes = [
        (
            "/edit",
            lambda: edit_form(token, version_on("/edit"), phone="0113 496 0001"),
            "alteration",
            {"phone"},
        ),
        (
            "/contact",
            lambda: {
                "csrf_token": token,
                "version": version_on("/contact"),
                "language": "Welsh",
                "channels": ["letter"],
                "do_not_tell": "Cousin Barnaby",
            },
            "alteration",
            {"safe_contact", "communication_needs"},
        ),
        (
            "/needs-assessment",
            lambda: {
                "csrf_token": token,
                "version": version_on("/needs-assessment"),
                "assessed_on-day": "2",
                "assessed_on-month": "3",
                "assessed_on-year": "2025",
                "childcare": "yes",
                "childcare_details": "Twins aged three",
                "transport": "no",
                "language": "no",
                "medical": "no",
                "intimidation": "yes",
                "intimidation_details": "Threats from Barnaby",
                "risk_level": "high",
            },
            "collection",
            {"childcare", "intimidation", "risk_level"},
        ),
        (
            "/actions",
            {
                "csrf_token": token,
                "action-description": "Call about Barnaby threats",
                "action-owner": str(world["officer"].id),
                "action-due_on-day": str(soon.day),
                "action-due_on-month": str(soon.month),
                "action-due_on-year": str(soon.year),
            },
            "collection",
            {"description", "owner", "due_on"},
        ),
        (
            "/referrals",
            {
                "csrf_token": token,
                "referral-service": "isva",
                "referral-referred_on-day": "4",
                "referral-referred_on-month": "3",
                "referral-referred_on-year": "2025",
                "referral-consent": "yes",
                "referral-consent_on-day": "4",
                "referral-consent_on-month": "3",
                "referral-consent_on-year": "2025",
            },
            "collection",
            {"service", "consent_given"},
        ),
        (
            "/nrm",
            {
                "csrf_token": token,
                "nrm-stage": "reasonable_grounds",
                "nrm-outcome": "positive",
                "nrm-decided_on-day": "5",
                "nrm-decided_on-month": "3",
                "nrm-decided_on-year": "2025",
            },
            "collection",
            {"stage", "outcome"},
        ),
        (
            "/references",
            {"csrf_token": token, "reference-kind": "report_fraud", "reference-value": "RF-7788"},
            "collection",
            {"kind", "value"},
        ),
    ]
    for suffix, form, category, expected in writes:
        data = form() if callable(form) else form
        before = last_seq(db)
        response = client.post(person_url(world, suffix), data=data, follow_redirects=False)
        assert response.status_code == 303, (suffix, response.text[:3000])
        changes = [r for r in audit_rows(db, before) if r.category != "consultation"]
        assert len(changes) == 1, (suffix, [r.action for r in changes])
        assert changes[0].category == category, suffix
        names = set((changes[0].fields or "").split(","))
        assert expected <= names, (suffix, names)
        row_text = " ".join(str(v) for v in vars(changes[0]).values())
        for value in ("0113 496", "Welsh", "Barnaby", "Twins", "RF-7788"):
            assert value not in row_text, (suffix, value)

    page = text_of(client.get(person_url(world)).text)
    for shown in ("Welsh", "Cousin Barnaby", "Twins aged three", "High risk", "RF-7788"):
        assert shown in page, shown
    assert "Reasonable grounds decision Positive 5 March 2025" in page
    assert "Independent Sexual Violence Adviser (ISVA) 4 March 2025 Given on 4 March 2025" in page
    for title in (
        "Needs assessment recorded by Wendy Carer",
        "Safeguarding action added by Wendy Carer",
        "Referral to a support service recorded by Wendy Carer",
        "Reference number added by Wendy Carer",
    ):
        assert title in page, title
    timeline = soup(client.get(person_url(world)).text).select(".moj-timeline__item time")
    assert timeline and all(re.search(r"\d{1,2}:\d{2}(am|pm)$", t.get_text()) for t in timeline)


def test_support_form_errors_keep_typed_values(people_app, db, world) -> None:
    client = client_as(people_app, db, world["prosecutor"])
    token = csrf_from(client.get(person_url(world)).text)
    response = client.post(
        person_url(world, "/referrals"),
        data={
            "csrf_token": token,
            "referral-service": "idva",
            "referral-referred_on-day": "40",
            "referral-referred_on-month": "1",
            "referral-referred_on-year": "2025",
            "referral-consent": "yes",
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert [a["href"] for a in page.select(".govuk-error-summary a")] == [
        "#referral-referred_on",
        "#referral-consent_on",
    ]
    assert page.select_one("#referral-service option[selected]")["value"] == "idva"
    assert page.select_one("#referral-referred_on")["value"] == "40"


def test_actions_inline_with_htmx_and_version_checked(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    token = csrf_from(client.get(person_url(world)).text)
    soon = date.today().replace(year=date.today().year + 1)
    added = client.post(
        person_url(world, "/actions"),
        data={
            "csrf_token": token,
            "action-description": "Arrange a pre-trial visit",
            "action-owner": str(world["prosecutor"].id),
            "action-due_on-day": str(soon.day),
            "action-due_on-month": str(soon.month),
            "action-due_on-year": str(soon.year),
        },
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200
    assert "<html" not in added.text
    assert added.text.lstrip().startswith('<div id="person-actions">')
    assert "Arrange a pre-trial visit" in added.text and "Priya Prosecutor" in added.text
    action = db.scalars(select(SafeguardingAction)).one()
    db.commit()
    done_url = person_url(world, f"/actions/{action.id}/done")

    stale = client.post(done_url, data={"csrf_token": token, "version": str(action.version + 5)})
    assert stale.status_code == 409
    assert "Someone else changed this action" in stale.text
    assert f'href="#done-{action.id}"' in stale.text

    done = client.post(
        done_url,
        data={"csrf_token": token, "version": str(action.version)},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and "<html" not in done.text
    assert "Done" in done.text and "Mark as done" not in done.text

    # a bad action over htmx: the block with its own error summary, typed text kept
    bad = client.post(
        person_url(world, "/actions"),
        data={"csrf_token": token, "action-description": "Typed but no owner"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200 and "govuk-error-summary" in bad.text
    assert "Typed but no owner" in bad.text
    page = soup(bad.text)
    assert [a["href"] for a in page.select(".govuk-error-summary a")] == [
        "#action-owner",
        "#action-due_on",
    ]


def test_prosecutors_read_needs_but_only_wco_change_them(people_app, db, world) -> None:
    client = client_as(people_app, db, world["prosecutor"])
    page = client.get(person_url(world, "/needs-assessment"))
    assert page.status_code == 200
    assert "Witness care officers record needs assessments" in page.text
    assert 'name="risk_level"' not in page.text
    token = csrf_from(page.text)
    action_id = uuid.uuid4()
    for suffix in ("/needs-assessment", "/actions", f"/actions/{action_id}/done"):
        response = client.post(person_url(world, suffix), data={"csrf_token": token})
        assert response.status_code == 403, suffix
    # the prosecutor may record referrals and references
    ok = client.post(
        person_url(world, "/references"),
        data={"csrf_token": token, "reference-kind": "police_crn", "reference-value": "CRN 42"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_every_route_is_404_for_a_case_outside_scope(people_app, db, world, settings) -> None:
    far_prosecutor = make_user(db, role=Role.PROSECUTOR, area="wessex", unit="rasso")
    far_case = make_case(db, settings, prosecutor=far_prosecutor, area="wessex", unit="rasso")
    far_person, _ = add_person(db, settings, far_case, name="Far Away", actor_user=far_prosecutor)
    action_id = uuid.uuid4()
    db.commit()
    for who in ("officer", "prosecutor", "vlu"):
        client = client_as(people_app, db, world[who])
        token = csrf_from(client.get("/home").text)
        checked = 0
        for route in people_routes:
            path = (
                route.path.replace("{case_id:uuid}", str(far_case.id))
                .replace("{person_id:uuid}", str(far_person.id))
                .replace("{action_id:uuid}", str(action_id))
            )
            for method in sorted(route.methods - {"HEAD"}):
                if not route.access.allows(Role(world[who].role)):
                    continue
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, data={"csrf_token": token})
                assert response.status_code == 404, (who, method, path)
                assert "Far Away" not in response.text
                checked += 1
        assert checked >= (1 if who == "vlu" else 10), who
    # a person from another case, under a case the user can see, is 404 too
    client = client_as(people_app, db, world["officer"])
    mixed = f"/cases/{world['case'].id}/people/{far_person.id}"
    assert client.get(mixed).status_code == 404


def test_urls_and_flash_messages_carry_no_personal_data(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    new_url = f"/cases/{world['case'].id}/people/new"
    token = csrf_from(client.get(new_url).text)
    response = client.post(new_url, data=new_person_form(token), follow_redirects=False)
    assert "Ophelia" not in response.headers["location"]
    page = soup(client.get(response.headers["location"]).text)
    banner = page.select_one(".govuk-notification-banner").get_text()
    assert "Ophelia" not in banner and "Their reference is P-" in banner
    for link in page.select("a[href]"):
        assert "Ophelia" not in link["href"]
    assert "Ophelia" not in page.select_one("title").get_text()


def test_a_stale_contact_form_shows_their_rules_and_keeps_yours(people_app, db, world) -> None:
    first = client_as(people_app, db, world["officer"])
    second = client_as(people_app, db, world["colleague"])
    page_one = soup(first.get(person_url(world, "/contact")).text)
    page_two = soup(second.get(person_url(world, "/contact")).text)
    version = page_one.select_one("input[name=version]")["value"]
    saved = first.post(
        person_url(world, "/contact"),
        data={
            "csrf_token": page_one.select_one("input[name=csrf_token]")["value"],
            "version": version,
            "channels": ["letter"],
            "do_not_tell": "Uncle Fenwick",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    clash = second.post(
        person_url(world, "/contact"),
        data={
            "csrf_token": page_two.select_one("input[name=csrf_token]")["value"],
            "version": version,
            "channels": ["phone", "text"],
            "safe_times": "Mornings only",
        },
    )
    assert clash.status_code == 409
    page = soup(clash.text)
    assert "Uncle Fenwick" in page.select_one(".govuk-summary-list").get_text()
    assert page.select_one("#safe_times")["value"] == "Mornings only"
    assert {i["value"] for i in page.select("input[name=channels][checked]")} == {"phone", "text"}
    resubmit = second.post(
        person_url(world, "/contact"),
        data={
            "csrf_token": page.select_one("input[name=csrf_token]")["value"],
            "version": page.select_one("input[name=version]")["value"],
            "channels": ["phone", "text"],
            "safe_times": "Mornings only",
        },
        follow_redirects=False,
    )
    assert resubmit.status_code == 303
    assert "Mornings only" in first.get(person_url(world)).text


def test_needs_assessment_errors_keep_typed_values(people_app, db, world) -> None:
    client = client_as(people_app, db, world["officer"])
    token = csrf_from(client.get(person_url(world, "/needs-assessment")).text)
    response = client.post(
        person_url(world, "/needs-assessment"),
        data={
            "csrf_token": token,
            "assessed_on-day": "2",
            "assessed_on-month": "3",
            "childcare": "yes",
            "childcare_details": "",
            "medical": "yes",
            "medical_details": "Hearing aid",
            "notes": "Typed notes survive",
            "risk_level": "low",
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert [a["href"] for a in page.select(".govuk-error-summary a")] == [
        "#assessed_on",
        "#childcare_details",
        "#transport",
        "#language",
        "#intimidation",
    ]
    assert "must include a year" in page.select_one(".govuk-error-summary").get_text()
    assert page.select_one("#medical").has_attr("checked")
    assert "Hearing aid" in page.select_one("#medical_details").get_text()
    assert "Typed notes survive" in page.select_one("#notes").get_text()
    assert page.select_one("input[name=risk_level][value=low]").has_attr("checked")
