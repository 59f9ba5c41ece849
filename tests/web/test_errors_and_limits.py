"""Error pages leak nothing; request limits answer 4xx before doing work (T29, T32)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.app import create_app
from portal.web.routing import PortalRoute, allow
from tests.support.factories import make_session_token, make_user
from tests.support.web import soup


def test_not_found_page_is_gov_uk_style(client: TestClient) -> None:
    response = client.get("/does/not/exist")
    assert response.status_code == 404
    page = soup(response.text)
    assert page.select_one("h1").get_text(strip=True) == "Page not found"
    assert page.select_one(".govuk-generic-header")


def test_method_not_allowed(client: TestClient) -> None:
    response = client.put("/login")
    assert response.status_code == 405
    assert "not available" in response.text


def test_unhandled_error_shows_a_generic_page_and_reference(settings, engine) -> None:
    def explode(ctx):
        raise RuntimeError("SELECT secret FROM victims WHERE name='Jane Canary'")

    app: Starlette = create_app(settings)
    app.router.routes.insert(
        0, PortalRoute("/explode", explode, access=allow(Role.PROSECUTOR), name="explode")
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        from portal.db.session import make_session_factory, unit_of_work

        with unit_of_work(make_session_factory(engine)) as db:
            token = make_session_token(db, make_user(db, role=Role.PROSECUTOR))
        client.cookies.set("portal_session", token)
        response = client.get("/explode")
    assert response.status_code == 500
    assert "Jane Canary" not in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert "quote reference" in response.text
    assert "content-security-policy" in response.headers


def test_oversized_body_is_refused(client: TestClient) -> None:
    response = client.post("/login", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "too large" in response.text


def test_too_many_form_fields_are_refused(client: TestClient) -> None:
    client.get("/login")
    body = "&".join(f"f{n}=x" for n in range(300))
    response = client.post(
        "/login", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400


def test_unknown_host_is_refused(client: TestClient) -> None:
    assert client.get("/login", headers={"host": "attacker.example"}).status_code == 400


def test_health_check_answers_without_data(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text.splitlines() == ["ok", "database: ok"]
