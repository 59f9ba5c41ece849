"""Issue 18 point 1: TOTP for every user, set up at first sign-in; a password alone signs in
no one; codes work once; recovery codes; wrong codes are throttled."""

from __future__ import annotations

import base64
import dataclasses
from datetime import timedelta

import pyotp
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.accounts import factors
from portal.accounts.factor_models import RecoveryCode, UserFactor
from portal.accounts.models import AuthSession
from portal.accounts.roles import Role
from portal.clock import utc_now
from portal.security import tokens
from tests.support import totp
from tests.support.factories import make_user
from tests.support.web import (
    csrf_from,
    enrol,
    pass_second_factor,
    sign_in,
    sign_in_password_only,
    soup,
    text_of,
)


def test_first_sign_in_sets_up_the_app_and_shows_recovery_codes_once(
    client: TestClient, db
) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    sign_in_password_only(client, user.username)
    password_token = client.cookies["portal_session"]
    # A password alone: every page sends the user to the factor step.
    home = client.get("/home", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/second-factor"
    start = client.get("/second-factor")
    assert "Set up your authenticator app" in text_of(start.text)
    started = client.post("/second-factor/set-up/start", data={"csrf_token": csrf_from(start.text)})
    page = soup(started.text)
    qr = page.select_one("img.portal-qr")
    assert qr["src"].startswith("data:image/svg+xml")  # drawn by the portal, not a service
    assert "<svg" not in started.text  # an image, not markup in the page
    secret = "".join(page.select_one("#factor-secret").get_text().split())
    assert len(base64.b32decode(secret)) * 8 >= 160
    # Reloading shows the same secret (it was made once).
    again = client.get("/second-factor/set-up")
    assert secret in "".join(soup(again.text).select_one("#factor-secret").get_text().split())
    # A wrong code is refused with the GOV.UK error summary; the session stays password-only.
    wrong = client.post(
        "/second-factor/set-up", data={"code": "12345", "csrf_token": csrf_from(again.text)}
    )
    assert wrong.status_code == 400
    assert soup(wrong.text).select_one(".govuk-error-summary a")["href"] == "#code"
    totp.remember(user.username, secret)
    done = client.post(
        "/second-factor/set-up",
        data={"code": totp.unused_code(user.username), "csrf_token": csrf_from(wrong.text)},
        follow_redirects=False,
    )
    assert done.status_code == 200
    assert "no-store" in done.headers["cache-control"]
    codes = [c.get_text() for c in soup(done.text).select(".portal-recovery-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10
    # Signed in now, under a new session token (the password-only one no longer works).
    assert client.cookies["portal_session"] != password_token
    assert client.get("/home", follow_redirects=False).status_code == 200
    old = TestClient(client.app)
    old.cookies.set("portal_session", password_token)
    assert old.get("/home", follow_redirects=False).headers["location"].startswith("/login")
    # Stored: the secret sealed, the codes only as hashes.
    db.expire_all()
    factor = db.scalar(select(UserFactor).where(UserFactor.user_id == user.id))
    assert factor.confirmed_at is not None
    assert secret.encode() not in bytes(factor.secret)
    hashes = set(db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert hashes == {tokens.token_hash(factors.normalise_recovery_code(c)) for c in codes}
    session = db.scalar(select(AuthSession).where(AuthSession.revoked_at.is_(None)))
    assert session.signed_in and session.factor_at is not None
    db.commit()
    # The codes page's own forms work with the new session (its CSRF token is the new one's).
    out = client.post("/logout", data={"csrf_token": csrf_from(done.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signed-out"


def test_a_code_works_once(client: TestClient, db) -> None:
    user = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    sign_in(client, user.username)  # sets up the app with a code: that code is now used
    code = totp.last_code(user.username)
    client.cookies.clear()
    sign_in_password_only(client, user.username)
    page = client.get("/second-factor")
    replayed = client.post(
        "/second-factor", data={"code": code, "csrf_token": csrf_from(page.text)}
    )
    assert replayed.status_code == 400
    assert "used already" in text_of(replayed.text)
    assert client.get("/home", follow_redirects=False).headers["location"] == "/second-factor"
    # The next step's code works (once).
    fresh = client.post(
        "/second-factor",
        data={"code": totp.unused_code(user.username), "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert fresh.status_code == 303


def test_a_recovery_code_works_once(client: TestClient, db) -> None:
    user = make_user(db, role=Role.VLU_OFFICER)
    db.commit()
    sign_in_password_only(client, user.username)
    codes = enrol(client, user.username, csrf_from(client.get("/second-factor").text))
    client.cookies.clear()
    sign_in_password_only(client, user.username)
    page = client.get("/second-factor/recovery-code")
    typed = codes[0].lower().replace("-", " ")  # case and separators do not matter
    ok = client.post(
        "/second-factor/recovery-code",
        data={"code": typed, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    home = client.get(ok.headers["location"])
    assert "Signed in with a recovery code. You have 9 left" in text_of(home.text)
    client.cookies.clear()
    sign_in_password_only(client, user.username)
    page = client.get("/second-factor/recovery-code")
    again = client.post(
        "/second-factor/recovery-code", data={"code": codes[0], "csrf_token": csrf_from(page.text)}
    )
    assert again.status_code == 400
    assert "used already" in text_of(again.text)


def test_wrong_codes_are_throttled_like_passwords(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    sign_in(client, user.username)
    client.cookies.clear()
    sign_in_password_only(client, user.username)
    token = csrf_from(client.get("/second-factor").text)
    for _ in range(10):
        wrong = client.post("/second-factor", data={"code": "000000", "csrf_token": token})
        assert wrong.status_code == 400
    # Over the limit even the right code is not evaluated,
    right = client.post(
        "/second-factor", data={"code": totp.code_now(user.username), "csrf_token": token}
    )
    assert "Too many codes" in text_of(right.text)
    # and signing in again with the password does not reset the count.
    client.cookies.clear()
    sign_in_password_only(client, user.username)
    token = csrf_from(client.get("/second-factor").text)
    still = client.post(
        "/second-factor", data={"code": totp.code_now(user.username), "csrf_token": token}
    )
    assert "Too many codes" in text_of(still.text)


def test_only_the_current_step_unless_the_setting_allows_one_more(settings, db) -> None:
    secret = factors.new_secret()
    factor = UserFactor(secret=b"", last_step=None)
    now = utc_now()
    step = factors.time_step(now)
    earlier = factors.code_at(secret, step - 1)

    class Plain:
        def open_internal(self, row, column):
            return secret.encode()

    assert not factors._accept_code(Plain(), factor, earlier, settings, now)  # type: ignore[arg-type]
    lenient = dataclasses.replace(settings, totp_previous_steps=1)
    assert factors._accept_code(Plain(), factor, earlier, lenient, now)  # type: ignore[arg-type]
    assert factor.last_step == step - 1
    assert not factors._accept_code(Plain(), factor, earlier, lenient, now)  # type: ignore[arg-type]
    two_back = factors.code_at(secret, step - 2)
    assert not factors._accept_code(Plain(), factor, two_back, lenient, now)  # type: ignore[arg-type]
    assert factors._accept_code(Plain(), factor, pyotp.TOTP(secret).at(now), settings, now)  # type: ignore[arg-type]
    assert factor.last_step == step
    later = now + timedelta(seconds=30)
    assert factors.code_at(secret, step + 1) == pyotp.TOTP(secret).at(later)


def test_an_unsafe_request_of_a_password_only_session_is_refused(client: TestClient, db) -> None:
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    sign_in_password_only(client, user.username)
    token = csrf_from(client.get("/second-factor").text)
    refused = client.post("/admin/users/new", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403
    pass_second_factor(client, user.username)
    assert client.get("/admin/users", follow_redirects=False).status_code == 200
