"""Issue 16 point 8: the access log misses nothing that matters. Signing in (and failing to),
a refused page (403), a change made on the administration pages and a view of an unsealed
identity each leave a row, with ids only."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.anonymity.models import UnmaskRequest
from portal.audit.models import AuditEvent
from tests.support.factories import PASSWORD, make_user
from tests.support.web import csrf_from
from tests.web.test_anonymity import approve, sealed, unmask  # noqa: F401 (the fixture)
from tests.web.test_case_pages import client_as
from tests.web.test_sign_in import attempt


def head(db) -> int:
    value = db.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0)))
    db.commit()
    return int(value or 0)


def rows_after(db, before: int) -> list[AuditEvent]:
    rows = list(db.scalars(select(AuditEvent).where(AuditEvent.seq > before)).all())
    db.commit()
    return rows


def test_signing_in_and_failing_to_are_logged(client, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR, username="pat.complete")
    db.commit()
    before = head(db)
    assert attempt(client, "pat.complete", "not the right password at all").status_code == 400
    assert attempt(client, "pat.complete", PASSWORD).status_code == 303
    rows = rows_after(db, before)
    assert [(r.action, r.object_id) for r in rows] == [
        ("account.sign_in_failed", str(user.id)),
        ("account.signed_in", str(user.id)),
    ]
    assert rows[1].actor_id == user.id
    assert all("pat.complete" not in (r.fields or "") + (r.purpose or "") for r in rows)


def test_a_refused_page_is_logged_with_ids_only(app, db) -> None:
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    client = client_as(app, db, officer)
    before = head(db)
    assert client.get("/audit").status_code == 403
    token = csrf_from(client.get("/home").text)
    refused = client.post(f"/admin/users/{officer.id}/deactivate", data={"csrf_token": token})
    assert refused.status_code == 403
    denied = [r for r in rows_after(db, before) if r.action == "access.refused"]
    assert [(r.category, r.actor_id, r.actor_role, r.object_type, r.object_id) for r in denied] == [
        ("security", officer.id, "witness_care_officer", "route", "audit_log"),
        ("security", officer.id, "witness_care_officer", "route", "admin_user_deactivate"),
    ]
    assert all(r.request_id for r in denied)
    # the refused change was not made
    assert client.get("/home").status_code == 200


def test_an_anonymous_request_is_sent_to_sign_in_not_logged_as_refused(client, db) -> None:
    before = head(db)
    assert client.get("/audit", follow_redirects=False).status_code == 303
    assert [r.action for r in rows_after(db, before)] == []


def test_a_change_made_on_the_administration_pages_is_logged(app, db) -> None:
    admin = make_user(db, role=Role.ADMIN, area=None, unit=None)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    client = client_as(app, db, admin)
    token = csrf_from(client.get("/admin/users").text)
    before = head(db)
    response = client.post(
        f"/admin/users/{officer.id}/deactivate", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    rows = rows_after(db, before)
    assert ("security", "account.deactivated", admin.id, str(officer.id)) in [
        (r.category, r.action, r.actor_id, r.object_id) for r in rows
    ]


def test_a_view_of_an_unsealed_identity_is_logged_as_a_disclosure(app, db, sealed) -> None:  # noqa: F811
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    second = client_as(app, db, sealed["second"])
    assert approve(second, case, person, request.id).status_code == 200
    before = head(db)
    page = pros.get(f"/cases/{case.id}/people/{person.id}")
    assert "Ozymandias Canarybird" in page.text
    rows = rows_after(db, before)

    shown = [r for r in rows if r.subject_id == person.id and r.category == "disclosure"]
    assert len(shown) == 1
    assert shown[0].actor_id == sealed["prosecutor"].id
