"""A decision letter fit to post (issue 16 point 5): the recipient's name and address block (or
the representative's), the unit's contact details from its settings, the service's letterhead,
wording that matches the decision (all proceedings ended or part), the date, a reference, the
Right to Review only where it applies, and no protective marking on the victim's copy (the file
copy on the request page carries it)."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.cases.models import CaseParty
from portal.people.models import Person
from portal.people.service import SafeContact
from portal.vlu.directory import directory
from portal.vlu.letters import long_date
from portal.vlu.models import VluDecision, VluRequest
from portal.vlu.service import CHECKLIST
from portal.vlu.service.common import london_today
from tests.support.pdf import pdf_text
from tests.support.vlu import vault_for
from tests.support.web import soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_vlu_pages import REASONS, _draft_text, _post, world  # noqa: F401  (fixture)


def _decide(app, db, world, *, ends_all: bool):  # noqa: F811
    case = world["case"]
    today = london_today()
    pros = client_as(app, db, world["prosecutor"])
    response = _post(
        pros,
        f"/cases/{case.id}/events/new",
        f"/cases/{case.id}/events/new",
        {
            "kind": "discontinuance",
            "discontinuance-ends_all_proceedings": "yes" if ends_all else "no",
            "event_date-day": str(today.day),
            "event_date-month": str(today.month),
            "event_date-year": str(today.year),
        },
    )
    assert response.status_code == 303, text_of(response.text)[:300]
    decision = db.scalars(select(VluDecision)).one()
    db.commit()
    path = f"/vlu/cases/{case.id}/decisions/{decision.id}"
    assert _post(pros, path, f"{path}/reasons", {"reasons": REASONS, "version": "1"})
    return case, decision


def _letter_of(app, db, settings, world, case, name: str):  # noqa: F811
    """Draft and check the named victim's letter; return its page path and the drafter."""
    request_id = db.execute(
        select(VluRequest.id)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(VluRequest.case_id == case.id, Person.reference.is_not(None))
    ).scalars()
    vault = vault_for(db, settings)
    chosen = None
    for rid in request_id:
        request = db.get(VluRequest, rid)
        party = db.get(CaseParty, request.case_party_id)
        person = db.get(Person, party.person_id)
        if vault.open_text(person, "full_name") == name:
            chosen = rid
    assert chosen is not None
    db.commit()
    drafter = client_as(app, db, world["drafter"])
    checker = client_as(app, db, world["checker"])
    path = f"/vlu/cases/{case.id}/requests/{chosen}"
    text = _draft_text(drafter.get(path).text)
    assert _post(drafter, path, f"{path}/draft", {"body": text, "version": "2"}).status_code == 303
    approved = _post(
        checker, path, f"{path}/check", {"decision": "approve", "checklist": list(CHECKLIST)}
    )
    assert approved.status_code == 303
    return path, drafter


def test_the_letter_carries_everything_a_posted_letter_needs(app, db, settings, world) -> None:  # noqa: F811
    case, _ = _decide(app, db, world, ends_all=True)
    path, drafter = _letter_of(app, db, settings, world, case, "Edna Enhanced")
    unit = directory().unit_for(case.area)

    page = drafter.get(f"{path}/letter")
    assert page.status_code == 200
    html = soup(page.text)
    recipient = html.select_one("#letter-recipient")
    assert [s.strip() for s in recipient.stripped_strings] == [
        "Edna Enhanced",
        "1 Test Street",
        "Testtown",
    ]
    contact = [s.strip() for s in html.select_one("#letter-contact").stripped_strings]
    assert contact == [*unit.address, f"Phone: {unit.phone}", f"Email: {unit.email}"]
    assert directory().letterhead in html.select_one("#letterhead").get_text()
    assert unit.name in html.select_one("#letterhead").get_text()
    assert html.select_one("#letter-date").get_text() == long_date(london_today())
    reference = html.select_one("#letter-reference").get_text()
    assert case.urn in reference and reference.startswith("Our reference: ")
    words = text_of(page.text)
    assert "we decided to stop the case." in words and "part of the case" not in words
    assert "Victims' Right to Review" in words
    # The victim's copy carries no protective marking, on the page or in the PDF.
    assert "OFFICIAL" not in words.upper()
    assert html.select_one(".portal-marking") is None
    pdf = drafter.get(f"{path}/letter.pdf")
    printed = pdf_text(pdf.content)
    assert "OFFICIAL" not in printed.upper()
    for expected in ("Edna Enhanced 1 Test Street Testtown", unit.phone, unit.email, reference):
        assert expected in printed
    assert directory().letterhead in printed and "Victims' Right to Review" in printed

    # The file copy on the request page is marked, top and bottom.
    request_page = soup(drafter.get(path).text)
    top = request_page.select_one("#file-marking-top")
    bottom = request_page.select_one("#file-marking-bottom")
    assert top is not None and bottom is not None
    assert directory().markings.file_copy in top.get_text()


def test_a_decision_that_ends_part_of_the_case_says_so_and_offers_no_review(
    app,
    db,
    settings,
    world,  # noqa: F811
) -> None:
    case, decision = _decide(app, db, world, ends_all=False)
    assert decision.vrr_applies is False
    path, drafter = _letter_of(app, db, settings, world, case, "Edna Enhanced")
    words = text_of(drafter.get(f"{path}/letter").text)
    assert "we decided to stop part of the case" in words
    assert "The rest of the case will go on" in words
    assert "Right to Review" not in words and "ask for a review" not in words


def test_a_letter_through_the_representative_is_addressed_to_them(
    app,
    db,
    settings,
    world,  # noqa: F811
) -> None:
    vault = vault_for(db, settings)
    for person in db.scalars(select(Person)):
        if vault.open_text(person, "full_name") == "Sam Standard":
            vault.put(
                person,
                "representative",
                json.dumps({"name": "Rhys Advocate", "address": "4 Chambers Row\nLawtown LT1 1AA"}),
            )
            vault.put(
                person, "safe_contact", SafeContact(channels=("via_representative",)).to_json()
            )
    db.commit()
    case, _ = _decide(app, db, world, ends_all=True)
    path, drafter = _letter_of(app, db, settings, world, case, "Sam Standard")
    html = soup(drafter.get(f"{path}/letter").text)
    lines = list(html.select_one("#letter-recipient").stripped_strings)
    assert lines == ["Rhys Advocate", "4 Chambers Row", "Lawtown LT1 1AA"]
    assert "9 Quiet Lane" not in html.get_text()  # the victim's own address is not printed
