"""HTTP helpers for web tests: sign in, pull the CSRF token out of a page, check HTML."""

from __future__ import annotations

import re
import time

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.support import totp
from tests.support.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Both steps: the password, then the second factor (set up on the user's first sign-in)."""
    sign_in_password_only(client, username, password)
    pass_second_factor(client, username)


def sign_in_password_only(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"].startswith("/second-factor"), response.headers


def pass_second_factor(client: TestClient, username: str) -> None:
    """The factor step of a password-only session: enrol (first time), else a code."""
    page = client.get("/second-factor")
    assert page.status_code == 200, page.text[:500]
    if "Set up your authenticator app" in page.text:
        enrol(client, username, csrf_from(page.text))
        return
    code = totp.next_code(username)
    if code is None:  # this step's code is used already: a recovery code, as a user would
        response = client.post(
            "/second-factor/recovery-code",
            data={"code": totp.recovery_code(username), "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
    else:
        response = client.post(
            "/second-factor",
            data={"code": code, "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
    assert response.status_code == 303, response.text[:800]


def enrol(client: TestClient, username: str, token: str) -> list[str]:
    """Set up the authenticator for ``username`` through the pages; returns the recovery codes."""
    started = client.post(
        "/second-factor/set-up/start", data={"csrf_token": token}, follow_redirects=True
    )
    assert started.status_code == 200, started.text[:500]
    secret = "".join(soup(started.text).select_one("#factor-secret").get_text().split())
    totp.remember(username, secret)
    code = totp.next_code(username)
    while code is None:  # pragma: no cover - a new secret has no used step
        time.sleep(1)
        code = totp.next_code(username)
    done = client.post(
        "/second-factor/set-up",
        data={"code": code, "csrf_token": csrf_from(started.text)},
        follow_redirects=False,
    )
    assert done.status_code == 200, done.text[:800]
    codes = [item.get_text() for item in soup(done.text).select(".portal-recovery-codes code")]
    assert len(codes) == 10, done.text[:800]
    totp.remember_recovery(username, codes)
    return codes


def page_csrf(client: TestClient, path: str = "/home") -> str:
    return csrf_from(client.get(path).text)


def soup(html: str) -> BeautifulSoup:
    # lxml's parser (installed with the portal: python-docx needs it): Python's html.parser
    # took over half of every page crawl's time.
    return BeautifulSoup(html, "lxml")


def text_of(html: str) -> str:
    return " ".join(soup(html).get_text(" ").split())
