"""My work: the right obligations for the right team, most urgent first, marked met inline."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.victims_code.models import Obligation
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as


def mark_met_today(client, obligation, channel: str, *, token: str, htmx: bool = False):
    """My work's quick action: told today through ``channel``."""
    return client.post(
        f"/obligations/{obligation.id}/met",
        data={
            "csrf_token": token,
            "version": obligation.version,
            "when": "today",
            "from": "work",
            "channel": channel,
        },
        headers={"HX-Request": "true"} if htmx else {},
    )


def recent_weekday(days_back: int) -> date:
    day = date.today() - timedelta(days=days_back)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_discontinuance_reaches_the_vlu_queue_and_can_be_marked_met(app, db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    vlu = make_user(db, role=Role.VLU_OFFICER, display_name="Val Liaison")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    case = make_case(
        db, settings, prosecutor=prosecutor, offences=("FA2006-S2",), offence_date=date(2025, 1, 10)
    )
    add_person(db, settings, case, name="Sam Standard", actor_user=prosecutor)
    _, party = add_person(db, settings, case, name="Edna Enhanced", actor_user=prosecutor)
    party.vulnerable = True
    db.commit()

    pros = client_as(app, db, prosecutor)
    decided = recent_weekday(10)
    form = pros.get(f"/cases/{case.id}/events/new")
    response = pros.post(
        f"/cases/{case.id}/events/new",
        data={
            "csrf_token": csrf_from(form.text),
            "kind": "discontinuance",
            "discontinuance-ends_all_proceedings": "yes",
            "event_date-day": str(decided.day),
            "event_date-month": str(decided.month),
            "event_date-year": str(decided.year),
        },
    )
    assert "Discontinuance recorded" in text_of(response.text)

    queue = client_as(app, db, vlu).get("/home")
    page = soup(queue.text)
    rows = page.select("#work-list tbody tr")
    assert len(rows) == 2
    first, second = (" ".join(r.get_text(" ").split()) for r in rows)
    assert "Edna Enhanced" in first  # enhanced: due first (1 working day)
    assert "Overdue" in first and "Overdue" in second
    assert "Sam Standard" in second
    counts = text_of(page.select_one(".portal-counts").decode())
    assert counts.startswith("2 Overdue")

    # The witness care officer owes none of these.
    assert "Edna Enhanced" not in client_as(app, db, officer).get("/home").text

    # A VCL letter duty is met only by sending the letter: no quick action, and a post by hand
    # is refused.
    assert "Mark met today" not in queue.text
    assert "Met by sending the letter" in text_of(queue.text)
    obligation = db.scalars(select(Obligation).order_by(Obligation.due_on)).first()
    db.commit()
    vlu_client = client_as(app, db, vlu)
    token = csrf_from(vlu_client.get("/home").text)
    refused = mark_met_today(vlu_client, obligation, "letter", token=token)
    assert refused.status_code == 400
    assert "met only by sending the decision letter" in text_of(refused.text)
    db.expire_all()
    assert db.get(Obligation, obligation.id).state == "open"
    db.commit()


def listed_case(
    app, db, settings, prosecutor, *, officer=None, urn=None, name="Dana Safe", **person
):
    """A case with one victim and a hearing listed today: the WCU owes her the hearing details
    (Right 8, due the next working day: not yet late). Returns (case, person, obligation)."""
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        officer=officer,
        urn=urn,
        offences=("FA2006-S2",),
        offence_date=date(2025, 1, 10),
    )
    added, _ = add_person(db, settings, case, name=name, actor_user=prosecutor, **person)
    db.commit()
    pros = client_as(app, db, prosecutor)
    listed = recent_weekday(0)
    form = pros.get(f"/cases/{case.id}/events/new")
    pros.post(
        f"/cases/{case.id}/events/new",
        data={
            "csrf_token": csrf_from(form.text),
            "kind": "hearing_listed",
            "event_date-day": str(listed.day),
            "event_date-month": str(listed.month),
            "event_date-year": str(listed.year),
            "hearing_listed-hearing_date-day": "2",
            "hearing_listed-hearing_date-month": "3",
            "hearing_listed-hearing_date-year": str(listed.year + 1),
            "hearing_listed-hearing_time": "10:00",
            "hearing_listed-hearing_court": "Leeds Crown Court",
            "hearing_listed-hearing_type": "trial",
        },
    )
    obligation = db.scalars(
        select(Obligation).where(
            Obligation.entitlement == "R8-WCU-HEARING", Obligation.case_id == case.id
        )
    ).one()
    db.commit()
    return case, added, obligation


def _hearing(app, db, settings, **person):
    """A case with one victim and a hearing listed: the WCU owes her the hearing details."""
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    _, _, obligation = listed_case(app, db, settings, prosecutor, **person)
    return obligation, client_as(app, db, officer)


def test_my_work_offers_only_the_safe_channels_and_marks_met_inline(app, db, settings) -> None:
    # "Phone, do not email: her partner reads the email."
    obligation, client = _hearing(
        app, db, settings, safe_channels=("phone",), phone="07700 900123", email="a@example.com"
    )
    page = soup(client.get("/home").text)
    options = [o["value"] for o in page.select(f"#channel-{obligation.id} option")]
    assert options == ["phone"]
    detail = soup(client.get(f"/obligations/{obligation.id}").text)
    assert [i["value"] for i in detail.select("input[name=channel]")] == ["phone"]

    token = csrf_from(client.get("/home").text)
    unsafe = mark_met_today(client, obligation, "email", token=token, htmx=True)
    assert unsafe.status_code == 400
    assert "Email is not a safe way to contact this victim" in text_of(unsafe.text)
    db.expire_all()
    assert db.get(Obligation, obligation.id).state == "open"
    db.commit()

    inline = mark_met_today(client, obligation, "phone", token=token, htmx=True)
    assert inline.status_code == 200
    assert "<html" not in inline.text
    assert "Met" in inline.text
    db.expire_all()
    met = db.get(Obligation, obligation.id)
    assert (met.state, met.channel) == ("met", "phone")
    assert not soup(client.get("/home").text).select("#work-list tbody tr")


def test_no_safe_channel_recorded_offers_no_told_form(app, db, settings) -> None:
    # Rules allow a letter, but no address is recorded: nothing can be offered.
    obligation, client = _hearing(app, db, settings, safe_channels=("letter",))
    page = soup(client.get("/home").text)
    assert not page.select(f"#channel-{obligation.id}")
    assert "No safe way to tell them is recorded" in text_of(page.decode())
    detail = soup(client.get(f"/obligations/{obligation.id}").text)
    assert not detail.select("input[name=channel]")
    assert detail.select_one("#no-safe-channel") is not None
    token = csrf_from(client.get(f"/obligations/{obligation.id}").text)
    refused = client.post(
        f"/obligations/{obligation.id}/met",
        data={
            "csrf_token": token,
            "version": obligation.version,
            "when": "today",
            "channel": "letter",
        },
    )
    assert refused.status_code == 400
    assert "No postal address is recorded for this victim" in text_of(refused.text)


def test_obligation_page_explains_the_due_date(app, db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    vlu = make_user(db, role=Role.VLU_OFFICER)
    case = make_case(
        db, settings, prosecutor=prosecutor, offences=("FA2006-S2",), offence_date=date(2025, 1, 10)
    )
    add_person(db, settings, case, name="Sam Standard", actor_user=prosecutor)
    db.commit()
    pros = client_as(app, db, prosecutor)
    form = pros.get(f"/cases/{case.id}/events/new")
    pros.post(
        f"/cases/{case.id}/events/new",
        data={
            "csrf_token": csrf_from(form.text),
            "kind": "discontinuance",
            "discontinuance-ends_all_proceedings": "no",
            "event_date-day": "24",
            "event_date-month": "12",
            "event_date-year": "2025",
        },
    )
    obligation = db.scalars(select(Obligation)).one()
    db.commit()
    page = client_as(app, db, vlu).get(f"/obligations/{obligation.id}")
    text = text_of(page.text)
    assert "Due Mon 5 Jan 2026" in text
    assert "25 and 26 Dec 2025 and 1 Jan are bank holidays" in text


def test_mark_met_form_errors_keep_what_was_typed(app, db, settings) -> None:
    obligation, client = _hearing(app, db, settings, safe_channels=("phone",), phone="07700 900123")
    token = csrf_from(client.get(f"/obligations/{obligation.id}").text)
    response = client.post(
        f"/obligations/{obligation.id}/met",
        data={
            "csrf_token": token,
            "version": obligation.version,
            "met_on-day": "40",
            "met_on-month": "11",
            "met_on-year": "2026",
            "evidence": "Letter in file 7",
        },
    )
    assert response.status_code == 400
    page = soup(response.text)
    messages = [a.get_text() for a in page.select(".govuk-error-summary a")]
    assert "The date the victim was told must be a real date" in messages
    assert "Select how the victim was told" in messages
    assert page.select_one("#evidence").get_text() == "Letter in file 7"
    assert page.select_one("#met_on")["value"] == "40"
