"""No state change is accepted without a valid CSRF token from the same session (T26)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.models import AccountRequest
from portal.accounts.roles import Role
from tests.support.factories import PASSWORD, make_session_token, make_user
from tests.support.web import csrf_from


@pytest.fixture
def admin_client(app: Starlette, db) -> TestClient:
    admin = make_user(db, role=Role.ADMIN)
    token = make_session_token(db, admin)
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return client


def new_user_form(token: str | None) -> dict[str, str]:
    form = {
        "username": "new.person",
        "display_name": "New Person",
        "role": "prosecutor",
        "area": "london-north",
        "unit": "ccu",
    }
    if token is not None:
        form["csrf_token"] = token
    return form


def user_count(db) -> int:
    """Account requests: what the new-user form creates (a second administrator approves)."""
    count = int(db.scalar(select(func.count()).select_from(AccountRequest)))
    db.commit()  # end the read: SQLite transactions here take the write lock (BEGIN IMMEDIATE)
    return count


def test_valid_token_is_accepted(admin_client: TestClient, db) -> None:
    token = csrf_from(admin_client.get("/admin/users/new").text)
    before = user_count(db)
    response = admin_client.post("/admin/users/new", data=new_user_form(token))
    assert response.status_code == 200
    assert user_count(db) == before + 1


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, {}),
        ("not-a-token", {}),
        ("", {}),
        ("VALID", {"Sec-Fetch-Site": "cross-site"}),
        ("VALID", {"Sec-Fetch-Site": "same-site"}),
        ("VALID", {"Origin": "https://evil.example"}),
        ("VALID", {"Origin": "null"}),
    ],
    ids=["missing", "wrong", "empty", "cross-site", "same-site", "foreign-origin", "null-origin"],
)
def test_forged_requests_are_refused(admin_client: TestClient, db, token, headers) -> None:
    real = csrf_from(admin_client.get("/admin/users/new").text)
    before = user_count(db)
    form = new_user_form(real if token == "VALID" else token)
    response = admin_client.post("/admin/users/new", data=form, headers=headers)
    assert response.status_code == 403
    assert user_count(db) == before


def test_another_sessions_token_is_refused(app: Starlette, admin_client: TestClient, db) -> None:
    other = make_user(db, role=Role.ADMIN)
    other_token = make_session_token(db, other)
    db.commit()
    with TestClient(app) as other_client:
        other_client.cookies.set("portal_session", other_token)
        foreign = csrf_from(other_client.get("/home").text)
    before = user_count(db)
    response = admin_client.post("/admin/users/new", data=new_user_form(foreign))
    assert response.status_code == 403
    assert user_count(db) == before


def test_htmx_header_token_is_accepted(admin_client: TestClient, db) -> None:
    token = csrf_from(admin_client.get("/home").text)
    response = admin_client.post(
        "/admin/users/new",
        data=new_user_form(None),
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/admin/users"


def test_login_form_needs_its_pre_session_token(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    client.get("/login")
    refused = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert refused.status_code == 403
    # A token minted for a different pre-session cookie does not work either.
    with TestClient(client.app) as other:
        foreign = csrf_from(other.get("/login").text)
    refused = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": foreign}
    )
    assert refused.status_code == 403


def test_get_requests_change_nothing(admin_client: TestClient, db) -> None:
    before = user_count(db)
    for path in ("/admin/users/new", "/admin/users", "/home", "/logout"):
        admin_client.get(path)
    assert user_count(db) == before
    assert admin_client.get("/home").status_code == 200  # GET /logout did not sign out
