"""Accessibility checks with axe-core, served from node_modules (nothing is downloaded).

axe is injected with ``page.evaluate(source)``: the portal's CSP allows only nonce-bearing
scripts, so ``add_script_tag`` would be blocked, while evaluation through the DevTools protocol
is not subject to the page's CSP.

A page in a context with JavaScript turned off cannot run axe there (its promises never settle),
so its document, exactly as that browser holds it, is replayed at the same URL in a fresh
JavaScript-enabled context whose CSP blocks the page's own scripts, and axe checks that copy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from e2e.support.guard import PageGuard

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# The replayed no-JavaScript copy keeps the portal's styles and images but runs none of its code.
REPLAY_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'"
)

RUN_AXE = """
async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  });
  return {
    version: window.axe.version,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)),
        summary: n.failureSummary || '',
      })),
    })),
  };
}
"""


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(
            f"axe-core is missing ({AXE_PATH}). Run `npm ci` in the project folder "
            "(axe-core is a devDependency in package.json)."
        )
    return AXE_PATH.read_text(encoding="utf-8")


def run_axe(page: Page) -> dict[str, Any]:
    """Run axe on the page's current document and return its version and violations."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(RUN_AXE, list(AXE_TAGS))
    return result


def _run_axe_on_replay(page: Page) -> dict[str, Any]:
    url = page.url.split("#", 1)[0]
    html = page.content()
    browser = page.context.browser
    assert browser is not None
    checker_context = browser.new_context(
        java_script_enabled=True, viewport=page.viewport_size or {"width": 1280, "height": 720}
    )
    try:

        def serve_copy(route: Route) -> None:
            route.fulfill(
                status=200,
                body=html,
                headers={
                    "content-type": "text/html; charset=utf-8",
                    "content-security-policy": REPLAY_CSP,
                },
            )

        checker = checker_context.new_page()
        checker.route(lambda candidate: candidate.split("#", 1)[0] == url, serve_copy)
        checker.goto(url, wait_until="load")
        return run_axe(checker)
    finally:
        checker_context.close()


def format_violations(url: str, result: dict[str, Any], *, replayed: bool) -> str:
    how = "; a no-JavaScript page, checked as a replayed copy" if replayed else ""
    lines = [
        f"Accessibility violations on {url} (axe-core {result.get('version')}, "
        f"tags {', '.join(AXE_TAGS)}{how}):"
    ]
    for violation in result["violations"]:
        lines.append(
            f"  - {violation['id']} [{violation['impact']}] {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"      {' '.join(node['target'])}: {summary[:300]}")
    return "\n".join(lines)


def check_a11y(page: Page) -> None:
    """Check the page's current document with axe and fail the test on any violation.

    Waits for the page to finish loading first. Call it after every navigation (the goto and
    submit helpers in e2e.support.journeys do), and again after any change made without one.
    """
    page.wait_for_load_state("load")
    guard = PageGuard.current()
    record = guard.record_for(page) if guard is not None else None
    replayed = record is not None and not record.js_enabled
    url = page.url
    result = _run_axe_on_replay(page) if replayed else run_axe(page)
    if record is not None:
        record.mark_checked(url)
    if result["violations"]:
        pytest.fail(format_violations(url, result, replayed=replayed), pytrace=False)
