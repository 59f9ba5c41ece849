"""Uploads: checked, sealed at rest, served only through the authorised, audited route."""

from __future__ import annotations

import io

from sqlalchemy import select, text

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.documents.models import Document
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from, soup
from tests.web.test_case_pages import client_as

PDF = b"%PDF-1.7\n" + b"Statement of Zebedee Canarywhistle, 9 Secret Row\n" * 50


def setup(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor)
    person, _ = add_person(db, settings, case, name="Zebedee Canarywhistle", actor_user=prosecutor)
    db.commit()
    return prosecutor, case, person


def upload(client, case, person, filename, data, kind="statement"):
    base = f"/cases/{case.id}/people/{person.id}/documents"
    token = csrf_from(client.get(base).text)
    return client.post(
        base,
        data={"csrf_token": token, "kind": kind},
        files={"file": (filename, io.BytesIO(data), "application/pdf")},
    )


def test_upload_is_sealed_and_download_is_an_audited_attachment(app, db, settings) -> None:
    prosecutor, case, person = setup(db, settings)
    client = client_as(app, db, prosecutor)
    response = upload(client, case, person, "zebedee-statement.pdf", PDF)
    assert "Document uploaded" in response.text
    document = db.scalars(select(Document)).one()
    raw = db.execute(text("SELECT content, filename FROM document")).one()
    db.commit()
    assert b"Canarywhistle" not in bytes(raw[0])
    assert b"zebedee" not in bytes(raw[1])
    got = client.get(f"/cases/{case.id}/people/{person.id}/documents/{document.id}")
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "zebedee-statement.pdf" in got.headers["content-disposition"]
    assert "no-store" in got.headers["cache-control"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers.get_list("content-security-policy")
    rows = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "document")).all()
    db.commit()
    assert [(r.category, r.action) for r in rows] == [
        ("collection", "document.upload"),
        ("disclosure", "document.download"),
    ]


def test_wrong_type_or_size_is_refused_with_an_error_summary(app, db, settings) -> None:
    prosecutor, case, person = setup(db, settings)
    client = client_as(app, db, prosecutor)
    fake = upload(client, case, person, "statement.pdf", b"MZ\x90\x00 not a pdf")
    assert fake.status_code == 400
    messages = [a.get_text() for a in soup(fake.text).select(".govuk-error-summary a")]
    assert messages == ["The file must be a PDF, a Word document (.docx) or a text file"]
    photo = upload(client, case, person, "me.jpg", b"\xff\xd8\xff\xe0" + b"x" * 100)
    assert photo.status_code == 400
    big = upload(client, case, person, "big.pdf", b"%PDF-" + b"x" * (5 * 1024 * 1024))
    assert big.status_code in (400, 413)
    assert db.scalars(select(Document)).all() == []
    db.commit()


def test_out_of_scope_users_and_auditors_cannot_download(app, db, settings) -> None:
    prosecutor, case, person = setup(db, settings)
    upload(client_as(app, db, prosecutor), case, person, "s.pdf", PDF)
    document = db.scalars(select(Document)).one()
    db.commit()
    url = f"/cases/{case.id}/people/{person.id}/documents/{document.id}"
    outsider = make_user(db, role=Role.WITNESS_CARE_OFFICER, area="wessex", unit="rasso")
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    assert client_as(app, db, outsider).get(url).status_code == 404
    assert client_as(app, db, auditor).get(url).status_code == 403
    listing = client_as(app, db, auditor).get(f"/cases/{case.id}/people/{person.id}/documents")
    assert listing.status_code == 200
    assert "s.pdf" not in listing.text
