"""Issue 18 point 1: an administrator resets a user's second factor only with a second
administrator's approval, and the user is told at their next sign-in."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from portal.accounts.factor_models import FactorReset, RecoveryCode, UserFactor
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.keys.models import DataKey
from tests.support.factories import make_session_token, make_user
from tests.support.web import (
    csrf_from,
    enrol,
    sign_in,
    sign_in_password_only,
    soup,
    text_of,
)


def admin_client(app, db, user) -> TestClient:
    client = TestClient(app)
    client.cookies.set("portal_session", make_session_token(db, user))
    db.commit()
    return client


def test_two_administrators_reset_a_factor_and_the_user_is_told(app, db) -> None:
    first = admin_client(app, db, make_user(db, role=Role.ADMIN, display_name="Ada Admin"))
    second = admin_client(app, db, make_user(db, role=Role.ADMIN, display_name="Bo Admin"))
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    user_client = TestClient(app)
    sign_in(user_client, officer.username)
    old_key = db.scalar(select(UserFactor.key_id).where(UserFactor.user_id == officer.id))
    db.commit()

    page = first.get("/admin/second-factors")
    assert page.status_code == 200
    asked = first.post(
        f"/admin/users/{officer.id}/second-factor-reset",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    reset = db.scalars(select(FactorReset)).one()
    db.commit()
    # Asking twice is the page's error; the one who asked cannot approve.
    twice = first.post(
        f"/admin/users/{officer.id}/second-factor-reset", data={"csrf_token": csrf_from(page.text)}
    )
    assert twice.status_code == 400 and "already been asked for" in text_of(twice.text)
    waiting = first.get("/admin/second-factors")
    assert "Waiting for another administrator" in text_of(waiting.text)
    own = first.post(
        f"/admin/second-factor-resets/{reset.id}",
        data={"csrf_token": csrf_from(page.text), "decision": "approve"},
    )
    assert own.status_code == 403
    # Nothing has changed for the user yet.
    assert user_client.get("/home", follow_redirects=False).status_code == 200

    review = second.get("/admin/second-factors")
    assert "Ada Admin" in text_of(review.text)
    approved = second.post(
        f"/admin/second-factor-resets/{reset.id}",
        data={"csrf_token": csrf_from(review.text), "decision": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    db.expire_all()
    assert db.scalar(select(UserFactor).where(UserFactor.user_id == officer.id)) is None
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == officer.id)).all() == []
    assert db.get(DataKey, old_key).state == "destroyed"
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert "account.factor_reset_requested" in actions
    assert "account.factor_reset_approved" in actions
    db.commit()
    # The user's session has ended; at the next sign-in they are told, and set the app up again.
    assert user_client.get("/home", follow_redirects=False).headers["location"].startswith("/login")
    sign_in_password_only(user_client, officer.username)
    start = user_client.get("/second-factor")
    assert "Your second factor was reset" in text_of(start.text)
    enrol(user_client, officer.username, csrf_from(start.text))
    assert user_client.get("/home", follow_redirects=False).status_code == 200
    told = db.scalar(select(FactorReset.told_at).where(FactorReset.id == reset.id))
    assert told is not None
    db.commit()


def test_a_refused_reset_changes_nothing(app, db) -> None:
    first = admin_client(app, db, make_user(db, role=Role.ADMIN))
    second = admin_client(app, db, make_user(db, role=Role.ADMIN))
    officer = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    user_client = TestClient(app)
    sign_in(user_client, officer.username)
    token = csrf_from(first.get("/admin/second-factors").text)
    first.post(f"/admin/users/{officer.id}/second-factor-reset", data={"csrf_token": token})
    reset_id = db.scalar(select(FactorReset.id))
    db.commit()
    page = second.get("/admin/second-factors")
    buttons = soup(page.text).select(
        f"form[action='/admin/second-factor-resets/{reset_id}'] button"
    )
    assert [b["value"] for b in buttons] == ["approve", "refuse"]
    refused = second.post(
        f"/admin/second-factor-resets/{reset_id}",
        data={"csrf_token": csrf_from(page.text), "decision": "refuse"},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert db.scalar(select(FactorReset.state)) == "refused"
    assert db.scalar(select(UserFactor.id).where(UserFactor.user_id == officer.id)) is not None
    db.commit()
    assert user_client.get("/home", follow_redirects=False).status_code == 200
    again = second.post(
        f"/admin/second-factor-resets/{reset_id}",
        data={"csrf_token": csrf_from(page.text), "decision": "approve"},
    )
    assert again.status_code == 409  # decided already
