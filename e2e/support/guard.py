"""Watch every page a test opens: what it loaded, whether axe checked it, and what went wrong.

A ``PageGuard`` instruments each browser context the ``new_context`` fixture creates (and so the
``context`` and ``page`` fixtures). For every page it records:

* each new document the page loads (``domcontentloaded``; a back/forward-cache restore is recorded
  too), which ``check_a11y`` must then check: a test fails if any document went unchecked;
* Content Security Policy violations, from a ``securitypolicyviolation`` listener installed with
  ``add_init_script`` (not subject to the page's CSP) and from Chromium's console messages, which
  also cover contexts with JavaScript turned off;
* uncaught JavaScript errors, and static assets that answered 400 or more.

``verify()`` runs after the test body (see ``pytest_runtest_call`` in e2e/conftest.py) and fails
the test with a readable list if anything was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Response

BINDING = "__e2eReport"

INIT_SCRIPT = """
(() => {
  window.__cspViolations = [];
  const report = (kind, detail) => {
    try { window.__BINDING__(kind, detail); } catch (err) { /* binding not ready */ }
  };
  document.addEventListener('securitypolicyviolation', (event) => {
    const violation = {
      directive: event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
    };
    window.__cspViolations.push(violation);
    report('csp', JSON.stringify(violation));
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) report('bfcache', location.href);
  });
})();
""".replace("__BINDING__", BINDING)


@dataclass
class Visit:
    url: str
    checked: bool = False


@dataclass
class PageRecord:
    page: Page
    js_enabled: bool
    visits: list[Visit] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)

    def visited(self, url: str) -> None:
        if url and url != "about:blank":
            self.visits.append(Visit(url))

    def mark_checked(self, url: str) -> None:
        """Mark the latest document, the one axe has just looked at, as checked."""
        latest = self.visits[-1] if self.visits else None
        if latest is not None and _document(latest.url) == _document(url):
            latest.checked = True
        else:
            # Its load event has not arrived yet: record it now. An earlier unchecked document
            # stays unchecked and is reported.
            self.visits.append(Visit(url, checked=True))


def _document(url: str) -> str:
    return url.split("#", 1)[0]


class PageGuard:
    """Per-test record of every instrumented context and page."""

    _active: ClassVar[PageGuard | None] = None

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.records: dict[int, PageRecord] = {}

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def current(cls) -> PageGuard | None:
        return cls._active

    def __enter__(self) -> PageGuard:
        PageGuard._active = self
        return self

    def __exit__(self, *exc: object) -> None:
        PageGuard._active = None
        self.records.clear()
        self.contexts.clear()

    # -- instrumentation -------------------------------------------------------------------

    def instrument(self, context: BrowserContext, *, js_enabled: bool) -> None:
        self.contexts.append(context)
        context.expose_binding(BINDING, self._on_binding)
        context.add_init_script(INIT_SCRIPT)
        context.on("page", lambda page: self._watch(page, js_enabled))
        for page in context.pages:
            self._watch(page, js_enabled)

    def _watch(self, page: Page, js_enabled: bool) -> None:
        if id(page) in self.records:
            return
        record = PageRecord(page=page, js_enabled=js_enabled)
        self.records[id(page)] = record
        page.on("domcontentloaded", lambda p: record.visited(p.url))
        page.on("console", lambda message: self._on_console(record, message))
        page.on("pageerror", lambda error: record.errors.append(f"{page.url}: {error}"))
        page.on("response", lambda response: self._on_response(record, response))

    def record_for(self, page: Page) -> PageRecord | None:
        return self.records.get(id(page))

    def _on_binding(self, source: dict[str, Any], kind: str, detail: str) -> None:
        page = source.get("page")
        record = self.records.get(id(page)) if page is not None else None
        if record is None:
            return
        if kind == "csp":
            data = json.loads(detail)
            record.csp.append(
                f"{record.page.url}: {data.get('directive')} blocked {data.get('blocked')!r}"
                f" (source {data.get('source') or '-'}:{data.get('line')},"
                f" sample {data.get('sample')!r})"
            )
        elif kind == "bfcache":
            record.visited(detail)

    @staticmethod
    def _on_console(record: PageRecord, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            record.csp.append(f"{record.page.url}: console: {message.text}")

    @staticmethod
    def _on_response(record: PageRecord, response: Response) -> None:
        request = response.request
        if response.status >= 400 and not request.is_navigation_request():
            record.broken_assets.append(f"{response.status} {request.method} {response.url}")

    # -- verification ----------------------------------------------------------------------

    def _settle(self) -> None:
        """Let pending loads finish so their events (and any violations) are recorded."""
        for record in list(self.records.values()):
            if record.page.is_closed():
                continue
            try:
                record.page.wait_for_load_state("load", timeout=5_000)
                record.page.evaluate("0")  # a round trip: queued events are delivered first
            except Error:
                pass

    def problems(self) -> list[str]:
        self._settle()
        found: list[str] = []
        for context in self.browser.contexts:
            if context not in self.contexts:
                found.append(
                    "A browser context was made without the `new_context` fixture, so its pages "
                    "are not checked for accessibility or CSP violations. Use `new_context(...)`."
                )
        for record in self.records.values():
            unchecked = [visit.url for visit in record.visits if not visit.checked]
            if unchecked:
                found.append(
                    "Pages loaded but never checked with axe (call check_a11y(page) after each "
                    "navigation, or use the goto/submit helpers in e2e.support.journeys):\n"
                    + "\n".join(f"      {url}" for url in unchecked)
                )
            if record.csp:
                found.append(
                    "Content Security Policy violations:\n"
                    + "\n".join(f"      {line}" for line in record.csp)
                )
            if record.errors:
                found.append(
                    "Uncaught JavaScript errors:\n"
                    + "\n".join(f"      {line}" for line in record.errors)
                )
            if record.broken_assets:
                found.append(
                    "Assets that failed to load:\n"
                    + "\n".join(f"      {line}" for line in record.broken_assets)
                )
        return found

    def verify(self) -> None:
        found = self.problems()
        if found:
            pytest.fail("Browser guard found problems:\n  - " + "\n  - ".join(found), pytrace=False)
