"""Signing in and out: generic failures, throttling, rehashing, session limits and revocation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from starlette.testclient import TestClient

from portal.accounts.models import AuthSession, LoginAttempt, User
from portal.accounts.roles import Role
from portal.clock import utc_now
from portal.security import tokens
from tests.support import totp
from tests.support.factories import PASSWORD, make_session_token, make_user
from tests.support.web import csrf_from, sign_in, soup, text_of


def attempt(client: TestClient, username: str, password: str, **extra: str):
    token = csrf_from(client.get("/login").text)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data, follow_redirects=False)


def done(db) -> None:
    db.commit()


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR, username="known.user")
    done(db)
    wrong = attempt(client, user.username, "not the right password at all")
    unknown = attempt(client, "nobody.here", "not the right password at all")
    assert wrong.status_code == unknown.status_code == 400
    for response, typed in ((wrong, "known.user"), (unknown, "nobody.here")):
        page = soup(response.text)
        summary = page.select_one(".govuk-error-summary")
        assert summary is not None
        assert "Enter a correct username and password" in summary.get_text()
        assert summary.select_one("a")["href"] == "#username"
        assert page.select_one("#username")["value"] == typed  # what was typed is kept
        assert page.select_one("#password").get("value") is None  # the password is not
    assert len(wrong.text.replace("known.user", "")) == len(unknown.text.replace("nobody.here", ""))


def test_successful_sign_in_goes_to_next_page_only_if_local(client: TestClient, db) -> None:
    user = make_user(db, role=Role.ADMIN)
    done(db)
    sign_in(client, user.username)  # sets up the second factor
    client.cookies.clear()
    ok = attempt(client, user.username, PASSWORD, next="/admin/users")
    # the password leads to the second factor, which keeps where the user was going
    assert ok.status_code == 303
    assert ok.headers["location"] == "/second-factor?next=/admin/users"
    page = client.get(ok.headers["location"])
    data = {"code": totp.unused_code(user.username), "csrf_token": csrf_from(page.text)}
    data["next"] = soup(page.text).select_one("input[name=next]")["value"]
    passed = client.post("/second-factor", data=data, follow_redirects=False)
    assert passed.status_code == 303 and passed.headers["location"] == "/admin/users"
    client.cookies.clear()
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = attempt(client, user.username, PASSWORD, next=evil)
        assert response.headers["location"] == "/second-factor", evil
        page = client.get("/second-factor")
        data = {"code": "000000", "csrf_token": csrf_from(page.text), "next": evil}
        refused = client.post("/second-factor", data=data, follow_redirects=False)
        assert refused.status_code == 400  # a wrong code: no redirect at all
        client.cookies.clear()


def test_eleven_wrong_guesses_lock_out_even_the_right_password(client: TestClient, db) -> None:
    user = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    done(db)
    for _ in range(11):
        assert attempt(client, user.username, "wrong guess number one two").status_code == 400
    refused = attempt(client, user.username, PASSWORD)
    assert refused.status_code == 400
    assert "Too many attempts" in text_of(refused.text)
    evaluated = db.scalar(select(LoginAttempt.id).where(LoginAttempt.succeeded.is_(True)).limit(1))
    assert evaluated is None
    done(db)
    # Once the window has passed the right password works again.
    db.execute(update(LoginAttempt).values(attempted_at=utc_now() - timedelta(minutes=6)))
    done(db)
    assert attempt(client, user.username, PASSWORD).status_code == 303


def test_throttle_counts_guesses_not_just_failures_shown(client: TestClient, db) -> None:
    user = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    done(db)
    for _ in range(10):
        attempt(client, user.username, "another wrong password here")
    attempts = db.scalars(select(LoginAttempt)).all()
    done(db)
    assert len(attempts) == 10  # the 10 evaluated guesses
    attempt(client, user.username, "one more wrong password guess")
    assert len(db.scalars(select(LoginAttempt)).all()) == 10  # the 11th was never evaluated
    done(db)


TEST_CLIENT = "testclient"  # the address Starlette's TestClient connects from
# From an address over its limit, each account may still be tried this often (security.md 1.3).
GUESSES_PER_ACCOUNT_FROM_A_BUSY_ADDRESS = 3


def failures_from(settings, db, address: str, usernames: list[str]) -> None:
    """Record failed attempts as if typed from ``address`` (quicker than argon2 each time)."""
    now = utc_now()
    key = settings.secret_key.reveal().encode()
    for name in usernames:
        db.add(
            LoginAttempt(
                id=uuid.uuid4(),
                account_key=tokens.keyed_hash(key, "login-account", name.casefold()),
                client_key=tokens.keyed_hash(key, "login-client", address),
                attempted_at=now,
                succeeded=False,
            )
        )
    done(db)


@pytest.fixture
def busy_address(db, settings) -> None:
    """30 failures from the test client's address (one office behind a proxy, or one infected
    machine), none of them on the accounts the tests then use."""
    failures_from(settings, db, TEST_CLIENT, [f"someone{n}" for n in range(30)])


def test_a_busy_address_never_blocks_a_correct_password_for_another_account(
    client: TestClient, db, busy_address
) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    done(db)
    # The address's failures do not lock out a colleague there who types their password right,
    response = attempt(client, user.username, PASSWORD)
    assert response.status_code == 303, text_of(response.text)[:300]
    # and a mistake of theirs is still evaluated and reported as a mistake, not as a lock-out.
    client.cookies.clear()
    wrong = attempt(client, user.username, "not my password after all")
    assert wrong.status_code == 400
    assert "Enter a correct username and password" in text_of(wrong.text)


def test_a_busy_address_gets_few_guesses_at_any_one_account(
    client: TestClient, db, busy_address
) -> None:
    target = make_user(db, role=Role.PROSECUTOR)
    done(db)
    for _ in range(GUESSES_PER_ACCOUNT_FROM_A_BUSY_ADDRESS):
        wrong = attempt(client, target.username, "guessing from a hostile address")
        assert "Enter a correct username and password" in text_of(wrong.text)
    refused = attempt(client, target.username, PASSWORD)
    assert "Too many attempts" in text_of(refused.text)
    assert refused.status_code == 400
    # The account itself is not locked (3 failures are under its own limit of 10): from an
    # address with no record of failures, the right password works.
    elsewhere = TestClient(client.app, client=("203.0.113.9", 50000))
    assert attempt(elsewhere, target.username, PASSWORD).status_code == 303


def test_old_parameters_are_rehashed_after_a_successful_sign_in(client: TestClient, db) -> None:
    user = make_user(db, role=Role.AUDITOR)
    weak = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    done(db)
    attempt(client, user.username, "wrong password for the rehash")
    assert db.get(User, user.id).password_hash == weak  # unchanged after a failure
    done(db)
    assert attempt(client, user.username, PASSWORD).status_code == 303
    db.expire_all()
    upgraded = db.get(User, user.id).password_hash
    done(db)
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_session_token_is_new_at_each_sign_in_and_logout_revokes_it(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    done(db)
    sign_in(client, user.username)
    first = client.cookies["portal_session"]
    sign_in(client, user.username)
    second = client.cookies["portal_session"]
    assert first != second
    assert len(second) >= 43  # 256 bits, URL-safe
    old = TestClient(client.app)
    old.cookies.set("portal_session", first)
    assert old.get("/home", follow_redirects=False).status_code == 303  # the old one is dead
    token = csrf_from(client.get("/home").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/signed-out"
    assert '"cache"' in response.headers["clear-site-data"]
    replay = TestClient(client.app)
    replay.cookies.set("portal_session", second)
    assert replay.get("/home", follow_redirects=False).status_code == 303
    assert db.scalar(select(AuthSession.revoked_at).where(AuthSession.user_id == user.id))


def test_session_cookie_flags(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    done(db)
    response = attempt(client, user.username, PASSWORD)
    cookies = response.headers.get_list("set-cookie")
    cookie = next(c for c in cookies if c.startswith("portal_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()  # a browser session


def test_idle_and_absolute_limits_end_the_session(client: TestClient, db) -> None:
    user = make_user(db, role=Role.VLU_OFFICER)
    done(db)
    sign_in(client, user.username)
    assert client.get("/home", follow_redirects=False).status_code == 200
    db.execute(update(AuthSession).values(last_seen_at=utc_now() - timedelta(minutes=15)))
    done(db)
    assert client.get("/home", follow_redirects=False).status_code == 303
    sign_in(client, user.username)
    db.execute(
        update(AuthSession)
        .where(AuthSession.revoked_at.is_(None))
        .values(expires_at=utc_now() - timedelta(seconds=1))
    )
    done(db)
    assert client.get("/home", follow_redirects=False).status_code == 303


def test_extending_the_session_resets_the_idle_clock(client: TestClient, db) -> None:
    user = make_user(db, role=Role.VLU_OFFICER)
    done(db)
    sign_in(client, user.username)
    db.execute(update(AuthSession).values(last_seen_at=utc_now() - timedelta(minutes=14)))
    done(db)
    token = csrf_from(client.get("/accessibility").text)  # public page, no touch
    response = client.post("/session/extend", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert response.status_code == 204
    seen = db.scalar(select(AuthSession.last_seen_at).where(AuthSession.revoked_at.is_(None)))
    done(db)
    assert utc_now() - seen < timedelta(seconds=30)


def test_deactivating_an_account_signs_it_out_everywhere(app, client: TestClient, db) -> None:
    admin = make_user(db, role=Role.ADMIN)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    # The administrator's session has just used a passkey, as deactivating an account asks.
    client.cookies.set("portal_session", make_session_token(db, admin))
    done(db)
    other = TestClient(app)
    sign_in(other, officer.username)
    assert other.get("/home", follow_redirects=False).status_code == 200
    token = csrf_from(client.get("/admin/users").text)
    client.post(
        f"/admin/users/{officer.id}/deactivate",
        data={"csrf_token": token, "reason": "left", "confirm": "yes"},
    )
    assert other.get("/home", follow_redirects=False).status_code == 303
    assert attempt(TestClient(app), officer.username, PASSWORD).status_code == 400


def test_back_button_after_sign_out_shows_nothing(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR, display_name="Visible Name")
    done(db)
    sign_in(client, user.username)
    home = client.get("/home")
    assert "no-store" in home.headers["cache-control"]
    client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    again = client.get("/home")
    assert "Visible Name" not in again.text
    assert soup(again.text).select_one("h1").get_text(strip=True).startswith("Sign in")
