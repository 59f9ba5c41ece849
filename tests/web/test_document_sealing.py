"""Documents uploaded before a person's identity is sealed are checked again when it is: new
matches block "ready to serve" exactly as at upload, and a document already marked ready tells
the prosecutor it may have been served. Nothing shown names the person."""

from __future__ import annotations

import io

import pypdf
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.documents.models import Document, DocumentMatch
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from, text_of
from tests.web.test_anonymity import CONDITIONS
from tests.web.test_case_pages import client_as

NAMING = "On Friday I met Ozymandias Canarybird outside 1 Hidden Lane.\n"


def _upload(client, base: str, filename: str, text: str | bytes) -> Document:
    token = csrf_from(client.get(base).text)
    data = text.encode() if isinstance(text, str) else text
    response = client.post(
        base,
        data={"csrf_token": token, "kind": "statement"},
        files={"file": (filename, io.BytesIO(data), "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response


def _documents(db) -> dict[str, Document]:
    rows = db.scalars(
        select(Document).order_by(Document.uploaded_at).execution_options(populate_existing=True)
    ).all()
    db.commit()
    return {row.kind + str(i): row for i, row in enumerate(rows)}


def _post(client, page: str, action: str, data: dict | None = None):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def test_sealing_checks_uploaded_documents_again_and_blocks_service(app, db, settings) -> None:
    uploader = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    second_user = make_user(db, role=Role.PROSECUTOR, display_name="Sam Second")
    wco_user = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    case = make_case(db, settings, prosecutor=uploader, offences=("MDA1971-S4",))
    witness, _ = add_person(
        db,
        settings,
        case,
        name="Ozymandias Canarybird",
        actor_user=uploader,
        address="1 Hidden Lane",
        is_victim=False,
        is_witness=True,
    )
    officer, _ = add_person(db, settings, case, name="Olive Officer", actor_user=uploader)
    db.commit()
    pros = client_as(app, db, uploader)
    base = f"/cases/{case.id}/people/{officer.id}/documents"

    # Before sealing, nothing protects the witness: the documents are clear.
    _upload(pros, base, "served.txt", NAMING)
    _upload(pros, base, "draft.txt", "Statement\nOZYMANDIAS\nCANARYBIRD was there.\n")
    _upload(pros, base, "clean.txt", "Nothing about anyone in particular.\n")
    served, draft, clean = _documents(db).values()
    assert {served.disclosure, draft.disclosure, clean.disclosure} == {"clear"}
    served_page = f"{base}/{served.id}/check"
    assert _post(pros, served_page, f"{base}/{served.id}/ready").status_code == 303

    # Sealing the witness's identity checks the documents again.
    page = pros.get(f"/cases/{case.id}/people/{witness.id}/anonymity")
    sealed = pros.post(
        f"/cases/{case.id}/people/{witness.id}/anonymity/apply",
        data={"csrf_token": csrf_from(page.text), **CONDITIONS},
    )
    assert "2 uploaded documents may contain their true identity" in text_of(sealed.text)
    served, draft, clean = _documents(db).values()
    assert (served.disclosure, draft.disclosure, clean.disclosure) == (
        "matches",
        "matches",
        "clear",
    )
    matches = db.scalars(select(DocumentMatch).order_by(DocumentMatch.location)).all()
    db.commit()
    assert {(m.document_id, m.kind) for m in matches} == {
        (served.id, "name"),
        (served.id, "address"),
        (draft.id, "name"),
    }
    assert all(m.person_id == witness.id and m.sealed_identity for m in matches)
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.rechecked_at_sealing")
    ).all()
    db.commit()
    assert {(e.object_id, e.subject_id) for e in events} == {
        (str(served.id), witness.id),
        (str(draft.id), witness.id),
    }

    # The unserved draft is blocked exactly as at upload.
    listing = pros.get(base).text
    assert "Canarybird" not in listing and "Hidden Lane" not in listing
    assert "Blocked: 1 match" in text_of(listing)
    draft_page = f"{base}/{draft.id}/check"
    shown = text_of(pros.get(draft_page).text)
    assert f"matches the true name of Witness {witness.reference}" in shown
    assert "line 2" in shown
    refused = _post(pros, draft_page, f"{base}/{draft.id}/ready")
    assert refused.status_code == 400
    assert "second prosecutor must override" in text_of(refused.text)

    # The document already marked ready tells the prosecutor it may have been served.
    assert "Marked ready, since found: 2 matches" in text_of(listing)
    body = pros.get(served_page).text
    assert "Canarybird" not in body and "Hidden Lane" not in body
    notice = text_of(body)
    assert "It may already have been served" in notice
    assert "ask for it to be withdrawn" in notice
    assert "govuk-panel--confirmation" not in body  # not shown as ready to serve
    wco_notice = text_of(client_as(app, db, wco_user).get(served_page).text)
    assert "It may already have been served" in wco_notice
    assert "ask for it to be withdrawn" not in wco_notice  # the instruction is the prosecutor's

    # A second prosecutor overrides both matches; it must then be marked ready again.
    second = client_as(app, db, second_user)
    for match in (m for m in matches if m.document_id == served.id):
        field = f"reason-{match.id}"
        done = _post(
            second,
            served_page,
            f"{base}/{served.id}/matches/{match.id}/override",
            {
                f"decision-{match.id}": "approve",
                field: "The court has the order; served on the judge only.",
            },
        )
        assert done.status_code == 303
    served = _documents(db)["statement0"]
    assert served.ready_at is None
    assert "It may already have been served" not in text_of(second.get(served_page).text)
    assert _post(second, served_page, f"{base}/{served.id}/ready").status_code == 303
    assert _documents(db)["statement0"].ready_by_id == second_user.id

    # The clean document gained nothing and may still be marked ready.
    clean_page = pros.get(f"{base}/{clean.id}/check").text
    assert "No protected information was found" in text_of(clean_page)
    assert "Mark ready to serve" in text_of(clean_page)


def test_an_override_reason_naming_a_person_sealed_later_is_masked(app, db, settings) -> None:
    uploader = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    second_user = make_user(db, role=Role.PROSECUTOR, display_name="Sam Second")
    case = make_case(db, settings, prosecutor=uploader, offences=("MDA1971-S4",))
    witness, _ = add_person(
        db,
        settings,
        case,
        name="Ozymandias Canarybird",
        actor_user=uploader,
        is_victim=False,
        is_witness=True,
    )
    other, _ = add_person(
        db,
        settings,
        case,
        name="Zebedee Quartermain",
        actor_user=uploader,
        is_victim=False,
        is_witness=True,
    )
    db.commit()
    pros = client_as(app, db, uploader)
    page = pros.get(f"/cases/{case.id}/people/{witness.id}/anonymity")
    pros.post(
        f"/cases/{case.id}/people/{witness.id}/anonymity/apply",
        data={"csrf_token": csrf_from(page.text), **CONDITIONS},
    )
    base = f"/cases/{case.id}/people/{other.id}/documents"
    _upload(pros, base, "s.txt", "I saw Ozymandias Canarybird.\n")
    (document,) = _documents(db).values()
    match = db.scalars(select(DocumentMatch)).one()
    db.commit()
    check_page = f"{base}/{document.id}/check"
    second = client_as(app, db, second_user)
    reason = "Zebedee Quartermain already knows the name from the court."
    field = f"reason-{match.id}"
    override = f"{base}/{document.id}/matches/{match.id}/override"
    assert (
        _post(
            second, check_page, override, {f"decision-{match.id}": "approve", field: reason}
        ).status_code
        == 303
    )
    assert reason in second.get(check_page).text

    page = pros.get(f"/cases/{case.id}/people/{other.id}/anonymity")
    pros.post(
        f"/cases/{case.id}/people/{other.id}/anonymity/apply",
        data={"csrf_token": csrf_from(page.text), **CONDITIONS},
    )
    shown = second.get(check_page).text
    assert "Quartermain" not in shown and "Zebedee" not in shown
    assert f"Witness {other.reference} already knows the name" in text_of(shown)


def test_a_scan_checked_by_eye_before_sealing_must_be_read_again(app, db, settings) -> None:
    uploader = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    case = make_case(db, settings, prosecutor=uploader, offences=("MDA1971-S4",))
    witness, _ = add_person(
        db,
        settings,
        case,
        name="Ozymandias Canarybird",
        actor_user=uploader,
        is_victim=False,
        is_witness=True,
    )
    officer, _ = add_person(db, settings, case, name="Olive Officer", actor_user=uploader)
    db.commit()
    pros = client_as(app, db, uploader)
    base = f"/cases/{case.id}/people/{officer.id}/documents"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scan = io.BytesIO()
    writer.write(scan)
    _upload(pros, base, "scan.pdf", scan.getvalue())
    (document,) = _documents(db).values()
    assert document.disclosure == "unreadable"
    check_page = f"{base}/{document.id}/check"
    assert _post(pros, check_page, f"{base}/{document.id}/manual-check").status_code == 303
    assert _post(pros, check_page, f"{base}/{document.id}/ready").status_code == 303

    page = pros.get(f"/cases/{case.id}/people/{witness.id}/anonymity")
    sealed = pros.post(
        f"/cases/{case.id}/people/{witness.id}/anonymity/apply",
        data={"csrf_token": csrf_from(page.text), **CONDITIONS},
    )
    assert "1 uploaded document may contain their true identity" in text_of(sealed.text)
    (document,) = _documents(db).values()
    assert document.checked_at is None and document.ready_at is not None
    assert "Marked ready, must be checked again" in text_of(pros.get(base).text)
    shown = text_of(pros.get(check_page).text)
    assert "It may already have been served" in shown
    assert "It must be read again by eye" in shown
    refused = _post(pros, check_page, f"{base}/{document.id}/ready")
    assert refused.status_code == 400
    assert db.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.action == "document.manual_check_voided_at_sealing"
        )
    ).all() == [str(document.id)]
    db.commit()

    # Read again by eye: then it must be marked ready again.
    assert _post(pros, check_page, f"{base}/{document.id}/manual-check").status_code == 303
    (document,) = _documents(db).values()
    assert document.checked_at is not None and document.ready_at is None
    assert _post(pros, check_page, f"{base}/{document.id}/ready").status_code == 303
    (document,) = _documents(db).values()
    assert document.ready_at is not None
