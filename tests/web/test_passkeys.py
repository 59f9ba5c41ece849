"""Issue 18 point 2: passkeys (WebAuthn) as a second factor any user may register, required at
step-up for the actions that can unmask an identity, approve an anonymity application, override
a disclosure match or administer accounts; and (18.3) a step-up proof survives the rollback of
the action it was given for. The browser's answers come from a software authenticator
(tests/support/passkeys.py) so py_webauthn checks real signatures."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts import factors
from portal.accounts.factor_models import FactorReset, Passkey
from portal.accounts.models import AccountNotice, AuthSession
from portal.accounts.permissions import PASSKEY_ACTIONS
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.clock import utc_now
from portal.keys.vault import KeyCache, Vault
from portal.web.routing import PortalRoute
from tests.support import totp
from tests.support.factories import make_session_token, make_user
from tests.support.passkeys import SoftPasskey, options_of
from tests.support.web import csrf_from, soup, text_of

PASSKEY_ROUTES = {
    "anonymity_unmask",
    "anonymity_unmask_decide",
    "anonymity_action",
    "person_document_override",
    "admin_request_decide",
    "admin_access_change_decide",
    "admin_user_deactivate",
    "admin_user_setup_code",
    "admin_user_activate",
    "admin_factor_reset_request",
    "admin_factor_reset_decide",
}


def client_for(app: Starlette, db, settings, role: Role, *, passkey: bool = False) -> tuple:
    """A signed-in user with the authenticator app set up and a fresh code, whose session has
    not used a passkey (``passkey=True``: it has, just now)."""
    user = make_user(db, role=role)
    vault = Vault(db, settings.key_provider(), KeyCache())
    totp.remember(user.username, factors.enrol_as_operator(db, vault, user, utc_now()))
    token = make_session_token(db, user, passkey=passkey)
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return client, user


def enrolled(db, settings, role: Role):
    user = make_user(db, role=role)
    factors.enrol_as_operator(db, Vault(db, settings.key_provider(), KeyCache()), user, utc_now())
    db.commit()
    return user


def register(client: TestClient, key: SoftPasskey) -> None:
    page = client.get("/account/passkeys")
    assert page.status_code == 200
    done = client.post(
        "/account/passkeys",
        data={"csrf_token": csrf_from(page.text), "credential": key.create(options_of(page.text))},
        follow_redirects=False,
    )
    assert done.status_code == 303, text_of(done.text)


def actions(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == f"account.{action}")))


def test_every_high_risk_step_up_asks_for_a_passkey(app: Starlette) -> None:
    keyed = set()
    for route in app.routes:
        if not isinstance(route, PortalRoute) or not route.step_up:
            continue
        if getattr(route.handler, "passkey", False):
            keyed.add(route.name)
            # The passkey prompt answers a form in place: a page (GET) could only loop.
            assert route.methods == {"POST"}, route.name
        else:  # a step-up route for one of the high-risk permissions must ask for a passkey
            assert not (route.access.permissions & PASSKEY_ACTIONS), route.name
    assert keyed == PASSKEY_ROUTES


def test_a_user_registers_a_passkey_audited_and_told(app, db, settings) -> None:
    client, user = client_for(app, db, settings, Role.WITNESS_CARE_OFFICER)
    key = SoftPasskey()
    page = client.get("/account/passkeys")
    assert "You have not registered a passkey" in text_of(page.text)
    # The challenge is kept on the server-side session, not in a cookie.
    challenge = db.scalar(
        select(AuthSession.passkey_challenge).where(AuthSession.user_id == user.id)
    )
    db.commit()
    assert challenge and challenge in options_of(page.text)
    assert all(challenge not in value for value in client.cookies.values())
    credential = key.create(options_of(page.text))
    done = client.post(
        "/account/passkeys",
        data={"csrf_token": csrf_from(page.text), "credential": credential},
        follow_redirects=False,
    )
    assert done.status_code == 303
    stored = db.scalars(select(Passkey).where(Passkey.user_id == user.id)).one()
    assert stored.credential_id == key.credential_id and stored.transports == "internal"
    assert [e.actor_id for e in actions(db, "passkey_registered")] == [user.id]
    notice = db.scalars(select(AccountNotice).where(AccountNotice.user_id == user.id)).one()
    assert notice.kind == "factor_changed"
    db.commit()
    listed = client.get("/account/passkeys")
    assert f"passkey-{stored.id}" in listed.text and "Not yet" in text_of(listed.text)
    # The same answer again: its challenge was used, so it is refused.
    again = client.post(
        "/account/passkeys", data={"csrf_token": csrf_from(page.text), "credential": credential}
    )
    assert again.status_code == 400
    assert soup(again.text).select_one(".govuk-error-summary a")["href"] == "#passkey"
    assert len(list(db.scalars(select(Passkey).where(Passkey.user_id == user.id)))) == 1


def test_registration_without_user_verification_or_javascript_is_refused(app, db, settings) -> None:
    client, user = client_for(app, db, settings, Role.AUDITOR)
    page = client.get("/account/passkeys")
    unverified = SoftPasskey().create(options_of(page.text), uv=False)
    refused = client.post(
        "/account/passkeys", data={"csrf_token": csrf_from(page.text), "credential": unverified}
    )
    assert refused.status_code == 400 and "could not be registered" in text_of(refused.text)
    # Without JavaScript the form posts no answer: the page says why.
    no_js = client.post("/account/passkeys", data={"csrf_token": csrf_from(page.text)})
    assert no_js.status_code == 400 and "Passkeys need JavaScript" in text_of(no_js.text)
    assert db.scalars(select(Passkey).where(Passkey.user_id == user.id)).all() == []
    assert actions(db, "passkey_failed")


def test_a_code_is_not_enough_for_a_high_risk_action_a_passkey_is(app, db, settings) -> None:
    client, admin = client_for(app, db, settings, Role.ADMIN)
    officer = enrolled(db, settings, Role.WITNESS_CARE_OFFICER)
    key = SoftPasskey()
    register(client, key)
    token = csrf_from(client.get("/admin/second-factors").text)
    url = f"/admin/users/{officer.id}/second-factor-reset"
    # The code is fresh (just signed in), but only a passkey will do.
    asked = client.post(url, data={"csrf_token": token})
    assert asked.status_code == 200
    assert soup(asked.text).select_one("h1").get_text(strip=True) == (
        "Confirm it is you with a passkey"
    )
    assert db.scalars(select(FactorReset)).all() == []
    db.commit()
    code = client.post(
        url, data={"csrf_token": token, "step_up_code": totp.unused_code(admin.username)}
    )
    assert "Confirm it is you with a passkey" in text_of(code.text)
    assert db.scalars(select(FactorReset)).all() == []
    db.commit()
    # A wrong origin (a phishing site's) is refused, and audited.
    phished = client.post(
        url,
        data={
            "csrf_token": token,
            "passkey_assertion": key.get(options_of(code.text), origin="http://evil.example"),
        },
    )
    assert phished.status_code == 400 and "not accepted" in text_of(phished.text)
    assert [e.purpose for e in actions(db, "passkey_failed")] == ["step_up"]
    db.commit()
    # The passkey: the action runs.
    done = client.post(
        url,
        data={"csrf_token": token, "passkey_assertion": key.get(options_of(phished.text))},
        follow_redirects=False,
    )
    assert done.status_code == 303, text_of(done.text)
    assert db.scalars(select(FactorReset)).one().user_id == officer.id
    stored = db.scalars(select(Passkey).where(Passkey.user_id == admin.id)).one()
    assert stored.sign_count == key.sign_count and stored.last_used_at is not None
    assert actions(db, "passkey_used")


def test_a_counter_that_goes_back_is_refused(app, db, settings) -> None:
    client, _ = client_for(app, db, settings, Role.ADMIN)
    officer = enrolled(db, settings, Role.WITNESS_CARE_OFFICER)
    key = SoftPasskey()
    register(client, key)
    token = csrf_from(client.get("/admin/second-factors").text)
    url = f"/admin/users/{officer.id}/second-factor-reset"
    asked = client.post(url, data={"csrf_token": token})
    first = key.get(options_of(asked.text), count=5)
    db.execute(update(Passkey).values(sign_count=9))  # as if a later answer had been seen
    db.commit()
    cloned = client.post(url, data={"csrf_token": token, "passkey_assertion": first})
    assert cloned.status_code == 400
    assert db.scalars(select(FactorReset)).all() == []


def test_without_a_passkey_the_prompt_registers_one_and_keeps_what_was_typed(
    app, db, settings
) -> None:
    client, user = client_for(app, db, settings, Role.PROSECUTOR)
    case_id, person_id = uuid.uuid4(), uuid.uuid4()
    url = f"/cases/{case_id}/people/{person_id}/anonymity/unmask"
    typed = {"csrf_token": csrf_from(client.get("/").text), "reason": "To contact the witness"}
    asked = client.post(url, data=typed)
    assert asked.status_code == 200
    page = soup(asked.text)
    assert "You need a passkey to do this" in text_of(asked.text)
    form = page.select_one("form[data-passkey=create]")
    assert form["action"] == url
    kept = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert kept["reason"] == "To contact the witness"
    key = SoftPasskey()
    made = client.post(
        url, data={**kept, "passkey_registration": key.create(options_of(asked.text))}
    )
    assert made.status_code == 200
    assert "Passkey registered. Now use it" in text_of(made.text)
    form = soup(made.text).select_one("form[data-passkey=get]")
    kept = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert kept["reason"] == "To contact the witness" and kept["passkey_assertion"] == ""
    assert db.scalars(select(Passkey).where(Passkey.user_id == user.id)).one()
    db.commit()
    # The passkey passes: the action runs with what was typed (these ids do not exist: 404).
    done = client.post(url, data={**kept, "passkey_assertion": key.get(options_of(made.text))})
    assert done.status_code == 404
    proved = db.scalar(select(AuthSession.passkey_at).where(AuthSession.user_id == user.id))
    assert proved is not None and utc_now() - proved < timedelta(minutes=1)


def test_a_step_up_code_stays_used_when_the_action_fails(app, db, settings) -> None:
    client, user = client_for(app, db, settings, Role.PROSECUTOR, passkey=True)
    db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id)
        .values(factor_at=utc_now() - timedelta(minutes=10))
    )
    db.commit()
    url = f"/cases/{uuid.uuid4()}/people/{uuid.uuid4()}/anonymity/unmask"
    token = csrf_from(client.get("/").text)
    code = totp.unused_code(user.username)
    failed = client.post(url, data={"csrf_token": token, "reason": "x", "step_up_code": code})
    assert failed.status_code == 404  # the code passed; the action failed and rolled back
    db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id)
        .values(factor_at=utc_now() - timedelta(minutes=10))
    )
    db.commit()
    replay = client.post(url, data={"csrf_token": token, "reason": "x", "step_up_code": code})
    assert replay.status_code == 400
    assert "has been used already" in text_of(replay.text)


def test_the_setting_off_lets_a_code_do(app, db, settings) -> None:
    from dataclasses import replace

    from portal.app import create_app

    relaxed = create_app(replace(settings, require_passkey=False))
    client, _ = client_for(relaxed, db, settings, Role.ADMIN)
    officer = enrolled(db, settings, Role.WITNESS_CARE_OFFICER)
    token = csrf_from(client.get("/admin/second-factors").text)
    done = client.post(
        f"/admin/users/{officer.id}/second-factor-reset",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    relaxed.state.engine.dispose()


def test_a_user_removes_their_passkey_and_no_one_else_can(app, db, settings) -> None:
    client, user = client_for(app, db, settings, Role.VLU_OFFICER)
    register(client, SoftPasskey())
    stored = db.scalars(select(Passkey).where(Passkey.user_id == user.id)).one()
    db.commit()
    other, _ = client_for(app, db, settings, Role.VLU_OFFICER)
    token = csrf_from(other.get("/account/passkeys").text)
    refused = other.post(f"/account/passkeys/{stored.id}/remove", data={"csrf_token": token})
    assert refused.status_code == 404
    token = csrf_from(client.get("/account/passkeys").text)
    removed = client.post(
        f"/account/passkeys/{stored.id}/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert db.scalars(select(Passkey).where(Passkey.user_id == user.id)).all() == []
    assert [e.actor_id for e in actions(db, "passkey_removed")] == [user.id]


def test_a_factor_reset_removes_the_passkeys_too(app, db, settings) -> None:
    client, user = client_for(app, db, settings, Role.WITNESS_CARE_OFFICER)
    register(client, SoftPasskey())
    first, _ = client_for(app, db, settings, Role.ADMIN, passkey=True)
    second, _ = client_for(app, db, settings, Role.ADMIN, passkey=True)
    token = csrf_from(first.get("/admin/second-factors").text)
    asked = first.post(
        f"/admin/users/{user.id}/second-factor-reset",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    reset = db.scalars(select(FactorReset).where(FactorReset.user_id == user.id)).one()
    db.commit()
    token = csrf_from(second.get("/admin/second-factors").text)
    decided = second.post(
        f"/admin/second-factor-resets/{reset.id}",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert db.scalars(select(Passkey).where(Passkey.user_id == user.id)).all() == []


def test_a_passkey_is_a_second_factor_at_sign_in(app, db, settings) -> None:
    from tests.support.factories import PASSWORD

    client, user = client_for(app, db, settings, Role.PROSECUTOR, passkey=True)
    key = SoftPasskey()
    register(client, key)
    fresh = TestClient(app)
    token = csrf_from(fresh.get("/login").text)
    fresh.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    step = fresh.get("/second-factor")
    assert "Sign in with a passkey instead" in text_of(step.text)
    assert fresh.get("/home", follow_redirects=False).status_code == 303  # password only
    asked = fresh.get("/second-factor/passkey")
    assert asked.status_code == 200 and "Use your passkey" in text_of(asked.text)
    # A wrong answer (another site's) is refused: still not signed in.
    wrong = fresh.post(
        "/second-factor/passkey",
        data={
            "csrf_token": csrf_from(asked.text),
            "passkey_assertion": key.get(options_of(asked.text), origin="http://evil.example"),
        },
    )
    assert wrong.status_code == 400 and "passkey" in text_of(wrong.text).lower()
    assert fresh.get("/home", follow_redirects=False).status_code == 303
    assert actions(db, "passkey_failed")[-1].purpose == "sign_in"
    db.commit()
    asked = fresh.get("/second-factor/passkey")
    before = fresh.cookies.get("portal_session")
    done = fresh.post(
        "/second-factor/passkey",
        data={
            "csrf_token": csrf_from(asked.text),
            "passkey_assertion": key.get(options_of(asked.text)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert fresh.cookies.get("portal_session") != before  # a new token once signed in
    assert fresh.get("/home", follow_redirects=False).status_code == 200
    used = [e for e in actions(db, "passkey_used") if e.purpose == "sign_in"]
    assert [e.actor_id for e in used] == [user.id]
    db.commit()


def test_without_a_passkey_the_passkey_sign_in_says_so(app, db, settings) -> None:
    from tests.support.factories import PASSWORD

    user = enrolled(db, settings, Role.AUDITOR)
    client = TestClient(app)
    token = csrf_from(client.get("/login").text)
    client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    page = client.get("/second-factor/passkey")
    assert "You have not registered a passkey" in text_of(page.text)
    assert soup(page.text).select("form[data-passkey]") == []
    refused = client.post("/second-factor/passkey", data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 400
    assert client.get("/home", follow_redirects=False).status_code == 303
