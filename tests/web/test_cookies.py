"""Issue 12 point 10: cookies are set and deleted with the same attributes, once a response.

Browsers ignore a ``Set-Cookie`` for a ``__Host-`` name unless it has ``Secure`` and ``Path=/``
and no ``Domain`` (RFC 6265bis 4.1.3.2), deletions included; and when one response sets a cookie
twice, the last header wins.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts import service as accounts
from portal.accounts.roles import Role
from portal.app import create_app
from portal.clock import utc_now
from tests.conftest import make_settings
from tests.support.factories import PASSWORD, make_user
from tests.support.web import csrf_from, pass_second_factor


def cookie_headers(response, name: str) -> list[dict[str, str]]:
    """Every Set-Cookie header for ``name``, as {attribute (lower case): value}, '' = value."""
    found = []
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        key, _, value = first.partition("=")
        if key != name:
            continue
        parsed = {"": value.strip('"')}
        for attribute in attributes:
            attr, _, attr_value = attribute.partition("=")
            parsed[attr.lower()] = attr_value
        found.append(parsed)
    return found


def assert_browser_accepts(response) -> None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("__Host-"):
            lowered = [part.strip().lower() for part in header.split(";")]
            assert "secure" in lowered, header
            assert "path=/" in lowered, header
            assert not any(part.startswith("domain=") for part in lowered), header


def is_deletion(cookie: dict[str, str]) -> bool:
    return cookie[""] == "" and cookie.get("max-age") == "0"


@pytest.fixture(params=["true", "false"], ids=["https", "http"])
def scheme_app(request, database_url, instance_dir, engine) -> Iterator[tuple[Starlette, bool]]:
    https = request.param == "true"
    application = create_app(make_settings(database_url, instance_dir, PORTAL_HTTPS=request.param))
    yield application, https
    application.state.engine.dispose()


def open_client(application: Starlette, https: bool) -> TestClient:
    return TestClient(application, base_url=f"{'https' if https else 'http'}://testserver")


def login(client: TestClient, username: str):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )


def names(https: bool) -> tuple[str, str]:
    prefix = "__Host-" if https else ""
    return f"{prefix}portal_session", f"{prefix}portal_pre"


def test_cookies_are_deleted_with_the_attributes_they_were_set_with(scheme_app, db) -> None:
    application, https = scheme_app
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    session_name, pre_name = names(https)
    with open_client(application, https) as client:
        signed_in = login(client, user.username)
        assert signed_in.status_code == 303
        assert_browser_accepts(signed_in)
        [set_session] = cookie_headers(signed_in, session_name)
        [deleted_pre] = cookie_headers(signed_in, pre_name)
        assert is_deletion(deleted_pre)
        token = csrf_from(client.get("/home").text)
        signed_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert_browser_accepts(signed_out)
        [deleted_session] = cookie_headers(signed_out, session_name)
    assert set_session[""] and is_deletion(deleted_session)
    for cookie in (deleted_session, deleted_pre):
        for attribute in ("path", "samesite", "httponly", "secure"):
            assert (attribute in cookie) == (attribute in set_session), (attribute, cookie)
            assert cookie.get(attribute) == set_session.get(attribute), attribute
    assert ("secure" in set_session) is https


def test_sign_out_tells_the_browser_to_clear_cookies_storage_and_cache(scheme_app, db) -> None:
    application, https = scheme_app
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    with open_client(application, https) as client:
        login(client, user.username)
        token = csrf_from(client.get("/home").text)
        response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    directives = {d.strip() for d in response.headers["clear-site-data"].split(",")}
    assert directives == {'"cache"', '"cookies"', '"storage"'}


def test_signing_in_with_a_stale_cookie_ends_with_only_the_new_session(scheme_app, db) -> None:
    """The sign-in form is submitted while the browser still holds the cookie of a session that
    has ended meanwhile (revoked by an administrator, or past its limit)."""
    application, https = scheme_app
    user = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    session_name, _ = names(https)
    with open_client(application, https) as client:
        assert login(client, user.username).status_code == 303
        stale = client.cookies[session_name]
        with application.state.session_factory() as session, session.begin():
            found = accounts.load_session(
                session, settings=application.state.settings, token=stale, now=utc_now()
            )
            assert found is not None
            accounts.end_session(session, session=found.session, now=utc_now())
        client.cookies.delete(session_name)
        token = csrf_from(client.get("/login").text)  # the form, with its pre-session cookie
        client.cookies.set(session_name, stale, domain="testserver.local")
        response = client.post(
            "/login",
            data={"username": user.username, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert_browser_accepts(response)
        [only] = cookie_headers(response, session_name)  # exactly one, and it is the new one
        assert only[""] and only[""] != stale
        assert client.cookies[session_name] == only[""]
        pass_second_factor(client, user.username)
        assert client.get("/home", follow_redirects=False).status_code == 200


def test_a_stale_cookie_is_cleared_so_a_browser_drops_it(scheme_app, db) -> None:
    application, https = scheme_app
    session_name, _ = names(https)
    with open_client(application, https) as client:
        client.cookies.set(session_name, "not-a-live-session-token", domain="testserver.local")
        response = client.get("/login")
        assert_browser_accepts(response)
        [cleared] = cookie_headers(response, session_name)
        assert is_deletion(cleared)
        assert ("secure" in cleared) is https
