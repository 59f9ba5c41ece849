"""HTTP helpers for web tests: sign in, pull the CSRF token out of a page, check HTML."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.support.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]


def page_csrf(client: TestClient, path: str = "/home") -> str:
    return csrf_from(client.get(path).text)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(html: str) -> str:
    return " ".join(soup(html).get_text(" ").split())
