"""Deny by default: every declared route, every role, anonymous, with and without HX-Request.

The matrix comes from the route table itself, so a new route is covered the moment it is added.
A route declared with ``requires(Permission.X)`` is read through the permission table
(portal.accounts.permissions): who may use it is whoever holds one of its permissions.
"""

from __future__ import annotations

import re
import uuid

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.accounts.permissions import role_can
from portal.accounts.roles import Role
from portal.app import check_declared
from portal.web.routing import PortalRoute
from tests.support.factories import make_session_token, make_user
from tests.support.web import csrf_from

SUBJECTS: list[Role | None] = [None, *Role]


def declared_routes(app: Starlette) -> list[tuple[PortalRoute, str]]:
    pairs = []
    for route in app.routes:
        if isinstance(route, PortalRoute):
            for method in sorted(route.methods or []):
                if method != "HEAD":
                    pairs.append((route, method))
    return pairs


def concrete_path(route: PortalRoute) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), route.path)


def client_for(app: Starlette, db, role: Role | None) -> tuple[TestClient, str]:
    client = TestClient(app, base_url="http://testserver")
    if role is None:
        token = csrf_from(client.get("/login").text)
        return client, token
    user = make_user(db, role=role)
    client.cookies.set("portal_session", make_session_token(db, user))
    db.commit()
    return client, csrf_from(client.get("/home").text)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_every_route_answers_exactly_as_declared(app: Starlette, db, htmx: bool) -> None:
    checked = 0
    for subject in SUBJECTS:
        for route, method in declared_routes(app):
            client, token = client_for(app, db, subject)
            headers = {"HX-Request": "true"} if htmx else {}
            path = concrete_path(route)
            if method == "GET":
                response = client.get(path, headers=headers, follow_redirects=False)
            else:
                response = client.request(
                    method,
                    path,
                    data={"csrf_token": token},
                    headers=headers,
                    follow_redirects=False,
                )
            allowed = route.access.allows(subject)
            label = f"{method} {route.path} as {subject or 'anonymous'} (htmx={htmx})"
            if allowed:
                assert response.status_code not in (401, 403), label
                assert "/login" not in response.headers.get("location", "/x") or route.name in {
                    "root",
                    "logout",
                }, label
            else:
                assert not 200 <= response.status_code < 300, label
                if subject is None:
                    if htmx:
                        assert response.status_code == 401, label
                        assert response.headers["HX-Redirect"].startswith("/login"), label
                    else:
                        assert response.status_code == 303, label
                        assert response.headers["location"].startswith("/login"), label
                else:
                    assert response.status_code == 403, label
            checked += 1
            client.close()
    assert checked == len(SUBJECTS) * len(declared_routes(app))


def test_every_route_in_the_table_is_declared(app: Starlette) -> None:
    check_declared(list(app.routes))  # the real table passes
    assert declared_routes(app), "no declared routes found"


def test_an_undeclared_route_is_refused() -> None:
    def endpoint(request):  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(RuntimeError, match="no access declaration"):
        check_declared([Route("/sneaky", endpoint)])


def test_public_routes_are_the_expected_few(app: Starlette) -> None:
    public = {route.name for route, _ in declared_routes(app) if route.access.public}
    assert public == {
        "root",
        "login",
        "login_submit",
        "signed_out",
        "account_setup",
        "account_setup_submit",
        "healthz",
        "accessibility",
        "csp_report",
    }


def test_routes_declared_by_permission_let_in_exactly_its_holders(app: Starlette) -> None:
    declared = [route for route, _ in declared_routes(app) if route.access.permissions]
    assert declared, "no route is declared by permission yet"
    for route in declared:
        for subject in SUBJECTS:
            holds = subject is not None and any(
                role_can(subject, p) for p in route.access.permissions
            )
            assert route.access.allows(subject) is holds, (route.name, subject)


FACTOR_STEP_ROUTES = {
    "logout",
    "extend",  # the time-out warning shows on the factor pages too
    "second_factor",
    "second_factor_submit",
    "recovery_code",
    "recovery_code_submit",
    "second_factor_passkey",
    "second_factor_passkey_submit",
    "factor_enrol_start",
    "factor_enrol",
    "factor_enrol_submit",
}


def test_the_factor_step_is_the_expected_few(app: Starlette) -> None:
    step = {route.name for route, _ in declared_routes(app) if route.factor_step}
    assert step == FACTOR_STEP_ROUTES


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_password_only_session_gets_no_route_but_the_factor_step(
    app: Starlette, db, htmx: bool
) -> None:
    """Issue 18 point 1: a password alone is not signed in. Every route that is neither public
    nor the factor step refuses such a session: 0 answer 2xx, pages go to the factor step."""
    answered = []
    checked = 0
    for role in Role:
        user = make_user(db, role=role)
        token = make_session_token(db, user, second_factor=False)
        db.commit()
        client = TestClient(app, base_url="http://testserver")
        client.cookies.set("portal_session", token)
        csrf = csrf_from(client.get("/second-factor").text)
        headers = {"HX-Request": "true"} if htmx else {}
        for route, method in declared_routes(app):
            if route.access.public or route.name in FACTOR_STEP_ROUTES:
                continue
            path = concrete_path(route)
            if method == "GET":
                response = client.get(path, headers=headers, follow_redirects=False)
            else:
                response = client.request(
                    method, path, data={"csrf_token": csrf}, headers=headers, follow_redirects=False
                )
            label = f"{method} {route.path} as password-only {role} (htmx={htmx})"
            checked += 1
            if 200 <= response.status_code < 300:
                answered.append(label)
            elif method == "GET" and route.access.allows(role):
                where = response.headers.get("HX-Redirect" if htmx else "location", "")
                assert where.startswith("/second-factor"), label
                assert response.status_code == (401 if htmx else 303), label
            elif method != "GET":
                assert response.status_code == 403, label
        client.close()
    assert checked > 100
    assert answered == []
