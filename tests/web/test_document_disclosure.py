"""The disclosure check on uploads, through the pages: a statement naming a sealed witness is
blocked from service and the page says where, by pseudonym, never the value; the uploader cannot
override their own document; a second prosecutor's override is audited; a redacted version is
checked afresh; a scan needs a recorded manual check."""

from __future__ import annotations

import io

import pypdf
from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.documents.models import Document, DocumentMatch
from portal.people.service import seal_identity
from portal.rendering import Document as PdfDocument
from portal.rendering import render
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as

TRUE_NAME = "Amira Noor Khan"
ADDRESS = "14 Larch Close\nLeeds LS6 2AB"


def setup(db, settings):
    uploader = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    second = make_user(db, role=Role.PROSECUTOR, display_name="Sam Second")
    wco = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    case = make_case(db, settings, prosecutor=uploader)
    witness, _ = add_person(
        db, settings, case, name=TRUE_NAME, actor_user=uploader, address=ADDRESS, is_witness=True
    )
    seal_identity(db, Actor(uploader.id, Role.PROSECUTOR, uploader.area, uploader.unit), witness)
    officer, _ = add_person(db, settings, case, name="Olive Officer", actor_user=uploader)
    db.commit()
    return {"uploader": uploader, "second": second, "wco": wco, "case": case}, witness, officer


def _base(case, person) -> str:
    return f"/cases/{case.id}/people/{person.id}/documents"


def _upload(client, case, person, filename, data, path=None):
    base = _base(case, person)
    token = csrf_from(client.get(base).text)
    return client.post(
        path or base,
        data={"csrf_token": token, "kind": "statement"},
        files={"file": (filename, io.BytesIO(data), "application/octet-stream")},
        follow_redirects=False,
    )


def _statement(*pages: str) -> bytes:
    doc = PdfDocument(title="Witness statement")
    doc.heading("Witness statement", level=1)
    for number, text in enumerate(pages):
        doc.paragraph(text)
        if number < len(pages) - 1:
            doc.paragraph("Filler. " * 1500)
    return render(doc)


def _latest(db) -> Document:
    document = db.scalars(
        select(Document)
        .order_by(Document.uploaded_at.desc())
        .execution_options(populate_existing=True)
    ).first()
    db.commit()
    assert document is not None
    return document


def _post(client, page: str, action: str, data: dict | None = None):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def test_a_sealed_witness_name_blocks_service_until_a_second_prosecutor_overrides(
    app, db, settings
) -> None:
    people, witness, officer = setup(db, settings)
    case = people["case"]
    uploader = client_as(app, db, people["uploader"])
    pdf = _statement("Page one says nothing.", "I was with AMIRA\nKHAN that evening.")
    assert _upload(uploader, case, officer, "statement.pdf", pdf).status_code == 303
    document = _latest(db)
    assert document.disclosure == "matches"

    listing = text_of(uploader.get(_base(case, officer)).text)
    assert "Blocked: 1 match" in listing
    page_url = f"{_base(case, officer)}/{document.id}/check"
    page = uploader.get(page_url)
    assert page.status_code == 200
    shown = text_of(page.text)
    assert f"matches the true name of Witness {witness.reference}" in shown
    assert "page 2, line" in shown
    assert "Amira" not in page.text and "Khan" not in page.text  # never the value
    assert "cannot be marked ready to serve" in shown

    # Not ready while the match is open.
    ready = _post(uploader, page_url, f"{_base(case, officer)}/{document.id}/ready")
    assert ready.status_code == 400
    assert "second prosecutor must override" in text_of(ready.text)
    assert _latest(db).ready_at is None

    # The uploader may not override their own document's match.
    match = db.scalars(select(DocumentMatch)).one()
    db.commit()
    override_url = f"{_base(case, officer)}/{document.id}/matches/{match.id}/override"
    field = f"reason-{match.id}"
    own = _post(
        uploader, page_url, override_url, {f"decision-{match.id}": "approve", field: "It is fine"}
    )
    assert own.status_code == 400
    assert "a second prosecutor must decide" in text_of(own.text)

    # A witness care officer may not either.
    wco = client_as(app, db, people["wco"])
    assert (
        _post(
            wco, page_url, override_url, {f"decision-{match.id}": "approve", field: "x"}
        ).status_code
        == 403
    )

    # The second prosecutor must give a reason, then may override.
    second = client_as(app, db, people["second"])
    empty = _post(second, page_url, override_url, {f"decision-{match.id}": "approve", field: "  "})
    assert empty.status_code == 400
    assert soup(empty.text).select_one(".govuk-error-summary a")["href"] == f"#{field}"
    naming = _post(
        second,
        page_url,
        override_url,
        {f"decision-{match.id}": "approve", field: "Amira Khan agreed"},
    )
    assert naming.status_code == 400
    assert "use their pseudonym" in text_of(naming.text)
    assert "Amira" not in text_of(naming.text).replace("Amira Khan agreed", "")
    done = _post(
        second,
        page_url,
        override_url,
        {f"decision-{match.id}": "approve", field: "Served on the court only, sealed."},
    )
    assert done.status_code == 303
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.match.override")
    ).all()
    db.commit()
    assert [(e.actor_id, e.subject_id) for e in events] == [(people["second"].id, witness.id)]

    assert _post(second, page_url, f"{_base(case, officer)}/{document.id}/ready").status_code == 303
    assert _latest(db).ready_by_id == people["second"].id
    assert "Ready to serve" in text_of(second.get(_base(case, officer)).text)


def test_a_redacted_version_is_checked_again_and_replaces_the_first(app, db, settings) -> None:
    people, witness, officer = setup(db, settings)
    case = people["case"]
    client = client_as(app, db, people["uploader"])
    text = "Statement\nThe witness lives at 14 Larch Close, Leeds LS6 2AB.\n"
    assert _upload(client, case, officer, "s.txt", text.encode()).status_code == 303
    first = _latest(db)
    page_url = f"{_base(case, officer)}/{first.id}/check"
    shown = text_of(client.get(page_url).text)
    assert f"line 2: matches the address of Witness {witness.reference}" in shown
    assert "Larch" not in client.get(page_url).text

    redacted = b"Statement\nThe witness lives at [address withheld].\n"
    token = csrf_from(client.get(page_url).text)
    response = client.post(
        f"{_base(case, officer)}/{first.id}/versions",
        data={"csrf_token": token},
        files={"file": ("s-redacted.txt", io.BytesIO(redacted), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    second = _latest(db)
    assert second.replaces_id == first.id and second.disclosure == "clear"
    assert db.get(Document, first.id).superseded
    db.commit()
    again = _post(client, page_url, f"{_base(case, officer)}/{first.id}/ready")
    assert again.status_code == 400  # the old version can never be served
    new_page = f"{_base(case, officer)}/{second.id}/check"
    assert _post(client, new_page, f"{_base(case, officer)}/{second.id}/ready").status_code == 303


def test_a_scan_says_so_and_needs_a_recorded_manual_check(app, db, settings) -> None:
    people, _witness, officer = setup(db, settings)
    case = people["case"]
    client = client_as(app, db, people["uploader"])
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scan = io.BytesIO()
    writer.write(scan)
    assert _upload(client, case, officer, "scan.pdf", scan.getvalue()).status_code == 303
    document = _latest(db)
    assert document.disclosure == "unreadable"
    page_url = f"{_base(case, officer)}/{document.id}/check"
    assert "No text could be read from this document" in text_of(client.get(page_url).text)
    ready_url = f"{_base(case, officer)}/{document.id}/ready"
    assert _post(client, page_url, ready_url).status_code == 400
    manual = f"{_base(case, officer)}/{document.id}/manual-check"
    assert _post(client, page_url, manual).status_code == 303
    assert _post(client, page_url, manual).status_code == 400  # once
    assert _post(client, page_url, ready_url).status_code == 303
    actions = set(db.scalars(select(AuditEvent.action)).all())
    db.commit()
    assert {"document.manual_check", "document.ready_to_serve"} <= actions


def test_a_clean_statement_is_ready_at_once_and_auditors_cannot_clear(app, db, settings) -> None:
    people, _witness, officer = setup(db, settings)
    case = people["case"]
    client = client_as(app, db, people["uploader"])
    assert _upload(client, case, officer, "s.txt", b"Nothing protected here.\n").status_code == 303
    document = _latest(db)
    assert document.disclosure == "clear"
    page_url = f"{_base(case, officer)}/{document.id}/check"
    assert "No protected information was found" in text_of(client.get(page_url).text)
    auditor = client_as(app, db, make_user(db, role=Role.AUDITOR, area=None, unit=None))
    assert auditor.get(page_url).status_code == 403


def test_a_person_under_a_reporting_restriction_is_protected_too(app, db, settings) -> None:
    """The default test case is a sexual offence: its complainants have lifelong anonymity
    (automatic), so their names count even though their identity is not sealed."""
    people, witness, officer = setup(db, settings)
    case = people["case"]
    assert not officer.identity_sealed
    client = client_as(app, db, people["uploader"])
    text = "Statement\n\nI spoke to olive\nOFFICER on Monday.\n"
    assert _upload(client, case, witness, "s.txt", text.encode()).status_code == 303
    document = _latest(db)
    shown = text_of(client.get(f"{_base(case, witness)}/{document.id}/check").text)
    assert f"line 3: matches the true name of Witness {officer.reference}" in shown


def test_prosecutors_see_who_overrode_a_match_when_and_why_others_do_not(app, db, settings) -> None:
    people, witness, officer = setup(db, settings)
    case = people["case"]
    uploader = client_as(app, db, people["uploader"])
    text = "Statement\nI was with Amira Khan that evening.\n"
    assert _upload(uploader, case, officer, "s.txt", text.encode()).status_code == 303
    document = _latest(db)
    match = db.scalars(select(DocumentMatch)).one()
    db.commit()
    page_url = f"{_base(case, officer)}/{document.id}/check"
    reason = "The court already holds the order; served on the judge only."
    second = client_as(app, db, people["second"])
    done = _post(
        second,
        page_url,
        f"{_base(case, officer)}/{document.id}/matches/{match.id}/override",
        {f"decision-{match.id}": "approve", f"reason-{match.id}": reason},
    )
    assert done.status_code == 303

    for client in (uploader, second):  # prosecutors: who, when and why
        page = soup(client.get(page_url).text)
        rows = {
            row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
            for row in page.select("#matches .govuk-summary-list__row")
        }
        assert rows["Overridden by"] == "Sam Second"
        assert rows["Reason"] == reason
        assert rows["When"]  # shown in Europe/London
    vlu = client_as(app, db, make_user(db, role=Role.VLU_OFFICER))
    for other in (client_as(app, db, people["wco"]), vlu):
        body = other.get(page_url)
        assert body.status_code == 200
        assert "Overridden" in text_of(body.text)  # that it was overridden, not why or by whom
        assert reason not in body.text and "Sam Second" not in body.text
        assert not soup(body.text).select("#matches .govuk-summary-list")
