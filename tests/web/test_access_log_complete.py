"""Issue 16 point 8: the access log misses nothing that matters. Signing in (and failing to),
a refused page or action (403), a change made on the administration pages and a view of an
unsealed identity each leave a row, with ids only; the viewer shows them with names, in words,
and a list page's views as one entry."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.anonymity.models import UnmaskRequest
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from tests.support.factories import PASSWORD, add_person, make_case, make_user
from tests.support.web import csrf_from, soup
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
    refused = client.post(
        f"/admin/users/{officer.id}/deactivate",
        data={"csrf_token": token, "reason": "left", "confirm": "yes"},
    )
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
        f"/admin/users/{officer.id}/deactivate",
        data={"csrf_token": token, "reason": "left", "confirm": "yes"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    rows = rows_after(db, before)
    assert ("security", "account.deactivated", admin.id, str(officer.id)) in [
        (r.category, r.action, r.actor_id, r.object_id) for r in rows
    ]


def unmasked_views(db, before: int) -> list[AuditEvent]:
    return [r for r in rows_after(db, before) if r.action == "unmask.view"]


def test_an_action_a_service_refuses_is_logged(app, db, sealed) -> None:  # noqa: F811
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    before = head(db)
    assert approve(pros, case, person, request.id).status_code == 403  # their own request
    (refused,) = [r for r in rows_after(db, before) if r.action == "access.refused"]
    assert (refused.category, refused.actor_id, refused.object_id) == (
        "security",
        sealed["prosecutor"].id,
        "anonymity_unmask_decide",
    )
    assert refused.subject_id is None and refused.fields is None  # ids only


# An unmasked view is logged by portal.anonymity (unmasking.record_unmasked_views).
def test_a_view_of_an_unsealed_identity_is_logged_as_a_disclosure(app, db, sealed) -> None:  # noqa: F811
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    person_page = f"/cases/{case.id}/people/{person.id}"
    assert unmask(pros, case, person).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    before = head(db)
    pros.get(person_page)  # not yet approved: the pseudonym
    assert unmasked_views(db, before) == []
    second = client_as(app, db, sealed["second"])
    assert approve(second, case, person, request.id).status_code == 200
    before = head(db)
    second.get(person_page)  # the approver sees no identity
    assert unmasked_views(db, before) == []
    assert "Ozymandias Canarybird" in pros.get(person_page).text
    (shown,) = unmasked_views(db, before)
    assert (shown.category, shown.actor_id, shown.subject_ref) == (
        "disclosure",
        sealed["prosecutor"].id,
        person.reference,
    )
    # distinct from the page's consultation of the person, which is still there
    assert any(r.action == "person.view" for r in rows_after(db, before))


# --- the viewer: names, words, a list page as one action -------------------------------------


def auditor_client(app, db):
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None, display_name="Ada Auditor")
    db.commit()
    return client_as(app, db, auditor)


def entry_rows(html: str):
    return soup(html).select("#audit-results tbody tr")


def test_the_viewer_names_staff_and_says_what_each_step_was(app, db) -> None:
    admin = make_user(db, role=Role.ADMIN, area=None, unit=None, display_name="Avery Admin")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Olive Officer")
    db.commit()
    admin_client = client_as(app, db, admin)
    token = csrf_from(admin_client.get("/admin/users").text)
    admin_client.post(
        f"/admin/users/{officer.id}/deactivate",
        data={"csrf_token": token, "reason": "left", "confirm": "yes"},
    )
    officer_client = client_as(app, db, make_user(db, display_name="Wes Wco"))
    assert officer_client.get("/audit").status_code == 403
    page = auditor_client(app, db).get("/audit")
    assert page.status_code == 200
    texts = [" ".join(r.get_text(" ", strip=True).split()) for r in entry_rows(page.text)]
    deactivated = next(t for t in texts if "Deactivated an account" in t)
    assert "Avery Admin" in deactivated and "Account: Olive Officer" in deactivated
    refused = next(t for t in texts if "Was refused a page" in t)
    assert "Wes Wco" in refused and "Page: Audit log (not open to their role)" in refused
    assert not any(str(officer.id) in t or str(admin.id) in t for t in texts)
    options = [o.get_text() for o in soup(page.text).select("#action option")]
    assert "Deactivated an account" in options and "Was refused a page" in options


def test_a_disclosure_to_a_member_of_staff_names_them(app, db) -> None:
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Olive Officer")
    other = make_user(db, role=Role.PROSECUTOR, display_name="Pat Prosecutor")
    audit.record(
        db,
        actor=Actor(officer.id, Role.WITNESS_CARE_OFFICER),
        category="disclosure",
        action="unmask.approve",
        object_type="unmask_request",
        object_id=uuid.uuid4(),
        recipient=f"user:{other.id}",
    )
    db.commit()
    page = auditor_client(app, db).get("/audit?action=unmask.approve")
    (row,) = entry_rows(page.text)
    text = row.get_text(" ", strip=True)
    assert "Approved seeing a sealed identity" in text
    assert "to Pat Prosecutor" in text and str(other.id) not in text


def seed_list(db, actor: Actor, request_id: str | None, count: int, action="person.list") -> None:
    token = audit.request_id_var.set(request_id)
    try:
        for n in range(count):
            audit.record(
                db,
                actor=actor,
                category="consultation",
                action=action,
                object_type="person",
                object_id=uuid.uuid4(),
                subject_id=uuid.uuid4(),
                subject_ref=f"P-{request_id}-{n:03d}",
            )
    finally:
        audit.request_id_var.reset(token)
    db.commit()


def test_a_list_page_is_one_entry_that_opens_to_the_people_it_showed(app, db) -> None:
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Olive Officer")
    actor = Actor(officer.id, Role.WITNESS_CARE_OFFICER)
    seed_list(db, actor, "older", 30)
    seed_list(db, actor, "newer", 45)
    seed_list(db, actor, None, 10, action="person.view")  # single views: not grouped
    client = auditor_client(app, db)
    first = client.get("/audit")
    rows = entry_rows(first.text)
    # 10 single views, then the 45-person list whole, though the page holds 50 entries
    assert len(rows) == 11
    group = rows[-1]
    assert group["data-group-size"] == "45"
    assert "Viewed a list of 45 people" in group.get_text()
    details = group.select_one("details.govuk-details")
    assert details is not None
    people = [li.get_text() for li in details.select("li")]
    assert len(people) == 45 and people[0] == "P-newer-044" and people[-1] == "P-newer-000"
    assert all("Viewed a person's page" in r.get_text() for r in rows[:10])
    older = soup(first.text).select_one("a[rel=next]")
    assert older is not None
    second = client.get(older["href"])
    (only,) = entry_rows(second.text)
    assert "Viewed a list of 30 people" in only.get_text()
    assert soup(second.text).select_one("a[rel=next]") is None


def test_a_real_case_page_shows_as_one_list_entry(app, db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Pat Prosecutor")
    case = make_case(db, settings, prosecutor=prosecutor)
    for name in ("Ann Listed", "Bob Listed", "Cat Listed"):
        add_person(db, settings, case, name=name, actor_user=prosecutor)
    db.commit()
    assert client_as(app, db, prosecutor).get(f"/cases/{case.id}").status_code == 200
    page = auditor_client(app, db).get("/audit?action=person.list")
    (row,) = entry_rows(page.text)
    assert "Pat Prosecutor" in row.get_text()
    assert "Viewed a list of 3 people" in row.get_text()
    assert "Listed" not in page.text
