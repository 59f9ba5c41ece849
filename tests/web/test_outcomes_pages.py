"""Outcomes pages: a prosecutor records losses and orders; an auditor reads the review."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.outcomes.models import CompensationOrder, DefendantOutcome
from portal.outcomes.repository import defendants_in
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as


def setup(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("FA2006-S2",))
    people = [
        add_person(db, settings, case, name=name, actor_user=prosecutor)[0]
        for name in ("Zebedee Canarywhistle", "Yolanda Quince")
    ]
    defendant = defendants_in(db, case)[0]
    db.commit()
    return prosecutor, case, people, defendant


def post(client, path, data):
    token = csrf_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **data})


def test_a_prosecutor_records_losses_and_a_made_order_is_apportioned(app, db, settings) -> None:
    prosecutor, case, people, defendant = setup(db, settings)
    client = client_as(app, db, prosecutor)
    for person, amount in zip(people, ("1,000.00", "3000"), strict=True):
        saved = post(
            client,
            f"/cases/{case.id}/people/{person.id}/losses",
            {"kind": "money", "amount": amount, "description": "", "proven": "yes"},
        )
        assert "Loss recorded" in saved.text
    base = f"/cases/{case.id}/outcomes/defendants/{defendant.id}/compensation"
    bad = post(client, base, {"status": "made", "sought": "ten pounds", "amount": ""})
    assert bad.status_code == 400
    summary = [a.get_text() for a in soup(bad.text).select(".govuk-error-summary a")]
    assert summary == [
        "Amount sought must be an amount in pounds, like 1250.00",
    ]
    assert 'value="ten pounds"' in bad.text
    made = post(
        client,
        base,
        {
            "status": "made",
            "sought": "5000",
            "amount": "2000.01",
            "decided_on-day": "5",
            "decided_on-month": "1",
            "decided_on-year": "2026",
        },
    )
    assert "Compensation order recorded" in made.text
    victims = text_of(client.get(f"/cases/{case.id}/outcomes/victims").text)
    assert "£500.00" in victims and "£1,500.01" in victims  # the spare penny: larger remainder
    order = db.scalars(select(CompensationOrder)).one()
    db.commit()
    paid = post(
        client,
        f"/cases/{case.id}/outcomes/compensation/{order.id}",
        {
            "payment": "100",
            "received_on-day": "1",
            "received_on-month": "2",
            "received_on-year": "2026",
        },
    )
    assert "Payment recorded" in paid.text and "£1,900.01 outstanding" in paid.text


def test_the_auditor_reads_the_review_without_names_and_downloads_it(app, db, settings) -> None:
    prosecutor, case, people, defendant = setup(db, settings)
    client = client_as(app, db, prosecutor)
    done = post(
        client,
        f"/cases/{case.id}/outcomes/defendants/{defendant.id}/finalise",
        {
            "outcome": "guilty_plea",
            "finalised_on-day": "2",
            "finalised_on-month": "5",
            "finalised_on-year": "2025",
        },
    )
    assert "Outcome recorded" in done.text
    assert db.scalars(select(DefendantOutcome)).one().finalised_on == date(2025, 5, 2)
    db.commit()
    auditor = make_user(db, role=Role.AUDITOR)
    db.commit()
    reader = client_as(app, db, auditor)
    page = reader.get("/outcomes/review?by=quarter&year=2025")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "Q1 2025-2026" in body and "100%" in body
    assert "Canarywhistle" not in page.text and "Dan Defendant" not in page.text
    download = reader.get("/outcomes/review.csv?by=area&year=2025")
    assert download.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0][0] == "Line" and rows[-1][0] == "All" and rows[-1][1] == "1"
    cases = reader.get("/outcomes/review/cases?by=area&year=2025&key=london-north")
    assert case.urn in cases.text
    # The auditor may read outcomes but sees no amounts, and may record nothing.
    losses = reader.get(f"/cases/{case.id}/people/{people[0].id}/losses")
    assert losses.status_code == 200 and "Record a loss" not in losses.text
    refused = reader.get(f"/cases/{case.id}/outcomes/defendants/{defendant.id}/compensation")
    assert refused.status_code == 403


def test_ancillary_and_confiscation_forms_save(app, db, settings) -> None:
    prosecutor, case, people, defendant = setup(db, settings)
    client = client_as(app, db, prosecutor)
    base = f"/cases/{case.id}/outcomes/defendants/{defendant.id}"
    saved = post(
        client,
        base + "/ancillary",
        {
            "kind": "shpo",
            "status": "made",
            "sought_on-day": "1",
            "sought_on-month": "3",
            "sought_on-year": "2026",
            "decided_on-day": "2",
            "decided_on-month": "3",
            "decided_on-year": "2026",
            "protects": "P-NOTAREF",
        },
    )
    assert saved.status_code == 400
    assert "Enter the reference of a victim in this case" in saved.text
    conf = post(
        client,
        base + "/confiscation",
        {
            "version": "0",
            "benefit": "10000",
            "available": "4000",
            "order": "4000",
            "compensation": "",
            "recovered": "0",
            "enforcement": "paying",
            "ordered_on-day": "2",
            "ordered_on-month": "3",
            "ordered_on-year": "2026",
        },
    )
    assert "Confiscation recorded" in conf.text
    outcomes = text_of(client.get(f"/cases/{case.id}/outcomes").text)
    assert "ordered £4,000.00" in outcomes and "Being paid" in outcomes


def test_losses_are_imported_from_pasted_csv_all_or_nothing(app, db, settings) -> None:
    prosecutor, case, people, _ = setup(db, settings)
    client = client_as(app, db, prosecutor)
    path = f"/cases/{case.id}/outcomes/losses/import"
    bad = post(
        client,
        path,
        {"csv_text": f"reference,kind,amount,proven\n{people[0].reference},cash,1,yes\n"},
    )
    assert bad.status_code == 400
    assert "Row 2, kind: Enter money, property or injury" in text_of(bad.text)
    assert "cash" in bad.text  # the CSV is shown again to be fixed
    good = post(
        client,
        path,
        {"csv_text": f"reference,kind,amount,proven\n{people[0].reference},money,1250.00,yes\n"},
    )
    assert "Losses recorded: 1" in good.text
    assert "£1,250.00" in good.text
