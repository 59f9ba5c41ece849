"""Sign-in cannot starve the portal (issue 14, deliverable 5): argon2 runs outside the database
limiter under its own, a deep queue is answered at once with a 503, and /healthz never waits for
a database slot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from portal.accounts.models import LoginAttempt
from portal.accounts.roles import Role
from portal.security import passwords
from tests.support.factories import PASSWORD, make_user
from tests.support.web import csrf_from, text_of


def test_the_hashing_limiter_uses_at_most_half_the_cores() -> None:
    import os

    assert passwords.HASHING.slots <= max(1, (os.cpu_count() or 2) // 2)
    assert 1 <= passwords.HASHING.max_waiting <= 8


def test_a_deep_hashing_queue_is_answered_at_once_with_a_503(app, db, monkeypatch) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    monkeypatch.setattr(passwords, "HASHING", passwords.HashLimiter(slots=1, max_waiting=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": user.username,
                "password": PASSWORD,
                "csrf_token": csrf_from(form.text),
            },
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(passwords.RETRY_AFTER_SECONDS)
    assert "Try again in a moment" in text_of(response.text)
    assert "portal_session" not in response.cookies
    assert db.scalar(select(func.count()).select_from(LoginAttempt)) == 0  # nothing counted


def test_a_full_limiter_refuses_rather_than_queueing() -> None:
    limiter = passwords.HashLimiter(slots=1, max_waiting=0, timeout=0.01)
    with limiter:
        try:
            with limiter:
                raise AssertionError("a second hash got a slot")
        except passwords.HashingBusy:
            pass
    with limiter:  # the slot came back
        assert limiter.waiting == 0


def test_sign_in_hashes_without_holding_a_database_slot(app, db, monkeypatch) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    limiter = app.state.db_limiter
    seen: list[float] = []
    real_verify = passwords.verify_password

    def watching_verify(*args: Any) -> Any:
        seen.append(limiter.borrowed_tokens)
        return real_verify(*args)

    monkeypatch.setattr(passwords, "verify_password", watching_verify)
    with TestClient(app) as client:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": user.username,
                "password": PASSWORD,
                "csrf_token": csrf_from(form.text),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert seen == [0]  # the request's slot was handed back while argon2 ran
        assert limiter.borrowed_tokens == 0


def test_healthz_answers_while_every_database_slot_is_taken(app) -> None:
    with TestClient(app) as client:
        limiter = app.state.db_limiter
        holders = [object() for _ in range(int(limiter.total_tokens))]
        for holder in holders:
            client.portal.call(limiter.acquire_on_behalf_of, holder)
        try:
            assert limiter.available_tokens == 0
            response = client.get("/healthz")
            assert response.status_code == 200
        finally:
            for holder in holders:
                client.portal.call(limiter.release_on_behalf_of, holder)
