"""The browser guards themselves: axe, CSP and unchecked-page detection must really fail tests.

These use a made-up origin served by ``page.route`` (nothing leaves the browser), with the
portal's kind of strict CSP, and their own ``PageGuard`` so the deliberate problems do not fail
the test through the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Route

from e2e.support.a11y import check_a11y
from e2e.support.guard import PageGuard

pytestmark = pytest.mark.e2e

ORIGIN = "http://guard-selftest.invalid"
CSP = "default-src 'none'; script-src 'nonce-abc'; style-src 'self'; img-src 'self' data:"

GOOD = """<!DOCTYPE html><html lang="en"><head><title>Good</title></head>
<body><main><h1>Good page</h1><p>Nothing wrong here.</p></main></body></html>"""

BAD = """<!DOCTYPE html><html lang="en"><head><title>Bad</title></head>
<body><main><h1>Bad page</h1><p style="font-weight: bold">Styled inline.</p>
<form><input id="unlabelled" type="text"></form>
<script>document.title = 'inline script ran';</script></main></body></html>"""


def _serve(route: Route) -> None:
    body = BAD if route.request.url.endswith("/bad") else GOOD
    route.fulfill(
        status=200,
        body=body,
        headers={"content-type": "text/html; charset=utf-8", "content-security-policy": CSP},
    )


@pytest.fixture
def guarded(browser: Browser) -> Iterator[tuple[PageGuard, Browser]]:
    with PageGuard(browser) as guard:
        yield guard, browser


def _context(guard: PageGuard, browser: Browser, *, js: bool = True) -> BrowserContext:
    context = browser.new_context(java_script_enabled=js)
    guard.instrument(context, js_enabled=js)
    context.route(f"{ORIGIN}/**", _serve)
    return context


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_axe_violations_fail_the_test(guarded: tuple[PageGuard, Browser], js: bool) -> None:
    guard, browser = guarded
    context = _context(guard, browser, js=js)
    try:
        page = context.new_page()
        page.goto(f"{ORIGIN}/good")
        check_a11y(page)  # passes

        page.goto(f"{ORIGIN}/bad")
        with pytest.raises(pytest.fail.Exception) as failure:
            check_a11y(page)
        message = str(failure.value)
        assert "label [critical]" in message
        assert "#unlabelled" in message

        problems = "\n".join(guard.problems())
        assert "Content Security Policy violations" in problems
        assert "style-src" in problems  # reported with or without JavaScript
        if js:
            assert "script-src" in problems
        assert "never checked" not in problems
    finally:
        context.close()


def test_unchecked_pages_and_unwatched_contexts_are_reported(
    guarded: tuple[PageGuard, Browser],
) -> None:
    guard, browser = guarded
    context = _context(guard, browser)
    unwatched = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{ORIGIN}/good")
        check_a11y(page)
        page.goto(f"{ORIGIN}/good?again")  # a new document, never checked
        problems = "\n".join(guard.problems())
        assert "never checked with axe" in problems
        assert f"{ORIGIN}/good?again" in problems
        assert "without the `new_context` fixture" in problems
        assert "Content Security Policy" not in problems
    finally:
        unwatched.close()
        context.close()
