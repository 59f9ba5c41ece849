"""Security headers on every response: pages, fragments, errors, static files (test plan T27)."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from tests.conftest import make_settings
from tests.support.factories import make_session_token, make_user
from tests.web.test_route_access import concrete_path, declared_routes

NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9_\-]+)' 'strict-dynamic'")


def assert_protected(response, *, static: bool = False) -> str:
    headers = response.headers
    csp = headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    match = NONCE.search(csp)
    assert match, csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "server" not in headers
    if static:
        assert headers["cache-control"] == "no-cache"
    else:
        assert "no-store" in headers["cache-control"]
        assert "HX-Request" in headers["vary"]
    return match.group(1)


def test_every_route_and_error_carries_the_headers(app: Starlette, db) -> None:
    admin = make_user(db, role=Role.ADMIN)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    tokens = {Role.ADMIN: make_session_token(db, admin)}
    tokens[Role.WITNESS_CARE_OFFICER] = make_session_token(db, officer)
    db.commit()
    seen = 0
    for route, method in declared_routes(app):
        if method != "GET":
            continue
        for token in tokens.values():
            with TestClient(app) as client:
                client.cookies.set("portal_session", token)
                for htmx in (False, True):
                    headers = {"HX-Request": "true"} if htmx else {}
                    response = client.get(
                        concrete_path(route), headers=headers, follow_redirects=False
                    )
                    assert_protected(response)
                    seen += 1
    with TestClient(app) as client:
        assert_protected(client.get("/no-such-page"))
        assert_protected(client.delete("/login"))
        assert_protected(client.get("/static/css/portal.css"), static=True)
        assert_protected(client.get("/vendor/govuk/govuk-frontend.min.css"), static=True)
        assert_protected(client.get("/healthz", headers={"host": "evil.example"}))
    assert seen >= 10


def test_html_pages_put_the_nonce_on_every_script(client: TestClient) -> None:
    response = client.get("/login")
    nonce = assert_protected(response)
    scripts = re.findall(r"<script[^>]*>", response.text)
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag
    assert "style=" not in response.text
    assert re.search(r"\son[a-z]+=", response.text) is None


def test_every_response_gets_a_fresh_nonce(client: TestClient) -> None:
    nonces = {assert_protected(client.get("/login")) for _ in range(200)}
    assert len(nonces) == 200
    assert all(len(n) >= 22 for n in nonces)  # 18 random bytes -> 24 url-safe characters


def test_hsts_only_over_https(database_url, instance_dir, engine) -> None:
    from portal.app import create_app

    secure = create_app(make_settings(database_url, instance_dir, PORTAL_HTTPS="true"))
    with TestClient(secure, base_url="https://testserver") as client:
        response = client.get("/login")
        assert "max-age=63072000" in response.headers["strict-transport-security"]
        assert "includeSubDomains" in response.headers["strict-transport-security"]
        assert "__Host-portal_pre" in response.headers["set-cookie"]
        assert "Secure" in response.headers["set-cookie"]
    with TestClient(create_app(make_settings(database_url, instance_dir))) as client:
        assert "strict-transport-security" not in client.get("/login").headers


@pytest.mark.parametrize("path", ["/login", "/home", "/healthz", "/accessibility"])
def test_framing_is_forbidden(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
