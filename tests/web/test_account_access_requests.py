"""Issue 16 point 7 and issue 18: an account's permissions (may see sealed identities, may
approve) are asked for with the account and approved with it; a change of role, Area, unit or
permissions is asked for by one administrator and approved by another, and applies at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import AccessChangeRequest, AccountRequest, User
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from tests.support.factories import make_case, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_account_admin import admins, decide
from tests.web.test_case_pages import client_as

__all__ = ["admins"]  # the fixture, shared with the account administration tests


def test_permissions_are_asked_for_and_approved_with_the_account(db, admins) -> None:
    token = csrf_from(admins["asker"].get("/admin/users/new").text)
    asked = admins["asker"].post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "display_name": "Wren Officer",
            "username": "wren.officer",
            "role": "witness_care_officer",
            "area": "london-north",
            "unit": "ccu",
            "grants": ["may_unmask", "may_approve"],
        },
    )
    assert asked.status_code == 200
    request = db.scalars(select(AccountRequest)).one()
    db.commit()
    assert (request.may_unmask, request.may_approve) == (True, True)
    review = text_of(admins["approver"].get(f"/admin/account-requests/{request.id}").text)
    assert "May ask to see sealed identities" in review
    assert "May approve as the second person" in review
    assert decide(admins["approver"], request.id, "approve").status_code == 200
    user = db.scalars(select(User).where(User.username == "wren.officer")).one()
    db.commit()
    assert (user.may_unmask, user.may_approve, user.unit) == (True, True, "ccu")


def test_only_case_workers_are_given_permissions_and_the_form_keeps_them(db, admins) -> None:
    token = csrf_from(admins["asker"].get("/admin/users/new").text)
    refused = admins["asker"].post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "display_name": "Aud Itor",
            "username": "aud.itor",
            "role": "auditor",
            "grants": ["may_approve"],
        },
    )
    assert refused.status_code == 400
    assert "Auditors cannot be given these permissions" in text_of(refused.text)
    ticked = soup(refused.text).select_one('input[name="grants"][value="may_approve"]')
    assert ticked.has_attr("checked")
    assert db.scalars(select(AccountRequest)).all() == []
    db.commit()


@pytest.fixture
def moving(app, db, settings, admins):
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Mo Moving")
    ours = make_case(db, settings, area="london-north", unit="ccu", urn="01AB1111111")
    theirs = make_case(db, settings, area="wessex", unit="rasso", urn="01AB2222222")
    db.commit()
    return {
        "officer": officer,
        "http": client_as(app, db, officer),
        "ours": ours,
        "theirs": theirs,
    }


def ask_change(client, user_id, **fields):
    page = client.get(f"/admin/users/{user_id}/access")
    data = {"csrf_token": csrf_from(page.text), **fields}
    return client.post(f"/admin/users/{user_id}/access", data=data, follow_redirects=False)


def decide_change(client, change_id, decision):
    page = client.get(f"/admin/access-changes/{change_id}")
    data = {"csrf_token": csrf_from(page.text), "decision": decision}
    return client.post(f"/admin/access-changes/{change_id}", data=data, follow_redirects=False)


def test_a_change_of_unit_waits_for_a_second_administrator_then_applies_at_once(
    db, admins, moving
) -> None:
    officer = moving["officer"]
    form = soup(admins["asker"].get(f"/admin/users/{officer.id}/access").text)
    assert form.select_one('input[name="role"][value="witness_care_officer"]').has_attr("checked")
    assert form.select('input[name="role"][value="admin"]') == []
    asked = ask_change(
        admins["asker"],
        officer.id,
        role="witness_care_officer",
        area="wessex",
        unit="rasso",
        grants=["may_unmask"],
    )
    assert asked.status_code == 303
    change = db.scalars(select(AccessChangeRequest)).one()
    db.commit()
    # Nothing has changed yet: the officer still sees their old unit's case only.
    assert moving["http"].get(f"/cases/{moving['ours'].id}").status_code == 200
    assert moving["http"].get(f"/cases/{moving['theirs'].id}").status_code == 404
    # The administrator who asked cannot approve it.
    own = admins["asker"].get(f"/admin/access-changes/{change.id}")
    assert "A different administrator must approve or refuse it" in text_of(own.text)
    assert decide_change(admins["asker"], change.id, "approve").status_code == 403
    # A second one sees what changes, and approves: it applies on the officer's next request.
    review = soup(admins["approver"].get(f"/admin/access-changes/{change.id}").text)
    rows = [text_of(str(row)) for row in review.select("#access-change tbody tr")]
    assert rows[1].startswith("CPS Area") and rows[1].endswith("Wessex"), rows
    assert "May ask to see sealed identities" in rows[3]
    assert decide_change(admins["approver"], change.id, "approve").status_code == 303
    assert moving["http"].get(f"/cases/{moving['ours'].id}").status_code == 404
    assert moving["http"].get(f"/cases/{moving['theirs'].id}").status_code == 200
    db.expire_all()
    user = db.get(User, officer.id)
    assert (user.area, user.unit, user.may_unmask, user.may_approve) == (
        "wessex",
        "rasso",
        True,
        False,
    )
    events = [
        e.action
        for e in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.like("account.access_%"))
            .order_by(AuditEvent.seq)
        )
    ]
    db.commit()
    assert events == [
        "account.access_change_requested",
        "account.access_change_approved",
        "account.access_changed",
    ]


def test_a_new_role_ends_the_sessions_and_a_refusal_changes_nothing(db, admins, moving) -> None:
    officer = moving["officer"]
    ask_change(admins["asker"], officer.id, role="auditor")
    change = db.scalars(select(AccessChangeRequest)).one()
    db.commit()
    assert decide_change(admins["approver"], change.id, "refuse").status_code == 303
    db.expire_all()
    assert db.get(User, officer.id).role == "witness_care_officer"
    db.commit()
    ask_change(admins["asker"], officer.id, role="auditor")
    again = db.scalars(
        select(AccessChangeRequest).where(AccessChangeRequest.state == "pending")
    ).one()
    db.commit()
    assert decide_change(admins["approver"], again.id, "approve").status_code == 303
    ended = moving["http"].get("/cases", follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
    db.expire_all()
    assert db.get(User, officer.id).role == "auditor"
    db.commit()


def test_changes_that_are_refused_before_they_are_asked(db, admins, moving) -> None:
    officer = moving["officer"]
    same = ask_change(
        admins["asker"], officer.id, role="witness_care_officer", area="london-north", unit="ccu"
    )
    assert same.status_code == 400
    assert "Change at least one of" in text_of(same.text)
    admin = ask_change(admins["asker"], officer.id, role="admin")
    assert admin.status_code == 400
    assert ask_change(admins["asker"], officer.id, role="auditor").status_code == 303
    twice = ask_change(
        admins["asker"], officer.id, role="prosecutor", area="london-north", unit="ccu"
    )
    # The form is replaced by a link to the change waiting; posting anyway is refused.
    assert twice.status_code == 400
    assert "already waiting for approval" in text_of(twice.text)
    own = admins["asker"].get(f"/admin/users/{admins['first'].id}/access")
    assert own.status_code == 403
    other_admin = admins["asker"].get(f"/admin/users/{admins['second'].id}/access")
    assert other_admin.status_code == 403  # administrators are made by account requests only
    assert len(db.scalars(select(AccessChangeRequest)).all()) == 1
    db.commit()


def test_a_change_to_an_account_deactivated_meanwhile_is_not_applied(db, admins, moving) -> None:
    officer = moving["officer"]
    ask_change(admins["asker"], officer.id, role="auditor")
    change = db.scalars(select(AccessChangeRequest)).one()
    db.get(User, officer.id).is_active = False
    db.commit()
    assert decide_change(admins["approver"], change.id, "approve").status_code == 409
    db.expire_all()
    assert db.get(User, officer.id).role == "witness_care_officer"
    assert db.get(AccessChangeRequest, change.id).state == "pending"
    db.commit()
