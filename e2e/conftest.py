"""Browser journeys: a real ``portal serve`` on a fresh demo database, driven by Chromium.

* The server (``portal_server``) is built once per session with ``portal demo`` and served with
  ``portal serve``; its output goes to ``portal_server.log_path`` (later scanned for personal data).
* Every page a test opens is watched by ``PageGuard`` (e2e/support/guard.py): after the test body
  the test fails if any page it loaded was not checked with axe (``check_a11y``, or the ``goto`` /
  ``submit`` helpers), if the page reported a Content Security Policy violation, threw an uncaught
  error or failed to load an asset.
* Every test in this folder is marked ``e2e``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, BrowserType, expect

from e2e.support.chromium import SYSTEM_ARGS, SYSTEM_CHROMIUM, system_chromium
from e2e.support.guard import PageGuard
from e2e.support.server import PortalServer, running_portal
from tests.support.database import fresh_database

E2E_DIR = Path(__file__).resolve().parent
# Generous, because the CI machine has 2 cores shared by two test workers, their portal servers
# and their browsers: one CI run saw a click wait over 10 s for a page still loading. A journey
# that is truly stuck still fails, only later.
DEFAULT_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 15_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
GUARD_KEY = pytest.StashKey[PageGuard]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
    # Journeys share one demo server per worker. One marked ``leaves_work_behind`` leaves the
    # demo's queues fuller than a journey expects (the bulk decision in the big case leaves
    # hundreds of letters unsent, as a real one would), so it runs after every other test:
    # collected last, it is also the last test xdist hands out.
    items.sort(key=lambda item: item.get_closest_marker("leaves_work_behind") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield  # a failing test body raises here, and its own failure is what is reported
    guard = item.stash.get(GUARD_KEY, None)
    if guard is not None:
        guard.verify()
    return result


# --- browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> dict[str, Any]:
    """Playwright's own Chromium if installed, else Debian's; never skip for want of a browser."""
    launch = dict(browser_type_launch_args)
    if browser_type.name != "chromium" or "channel" in launch or "executable_path" in launch:
        return launch
    if Path(browser_type.executable_path).exists():
        return launch
    system = system_chromium()  # /usr/bin/chromium, else `chromium` on PATH
    if system is not None:
        return {
            **launch,
            "executable_path": str(system),
            "args": [*launch.get("args", []), *SYSTEM_ARGS],
        }
    pytest.fail(
        "No Chromium for the browser tests: neither Playwright's Chromium "
        f"({browser_type.executable_path}) nor {SYSTEM_CHROMIUM} exists. Install one with "
        "`apt-get install -y chromium` or `playwright install chromium`.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def base_url(portal_server: PortalServer) -> str:
    """pytest-playwright gives every context this base URL, so ``page.goto("/login")`` works."""
    return portal_server.url


@pytest.fixture
def page_guard(browser: Browser, request: pytest.FixtureRequest) -> Iterator[PageGuard]:
    with PageGuard(browser) as guard:
        request.node.stash[GUARD_KEY] = guard
        yield guard


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext],
    page_guard: PageGuard,
    browser_context_args: dict[str, Any],
) -> Callable[..., BrowserContext]:
    """pytest-playwright's ``new_context``, with every context watched by the page guard.

    The ``context`` and ``page`` fixtures are built on this, so every page is covered.
    """

    def make(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        js_enabled = kwargs.get(
            "java_script_enabled", browser_context_args.get("java_script_enabled", True)
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page_guard.instrument(context, js_enabled=js_enabled is not False)
        return context

    return make


# --- server -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    """``portal demo`` then ``portal serve`` on a fresh database (SQLite, or PostgreSQL when
    PORTAL_TEST_DATABASE_URL is set), stopped when the session ends."""
    tmp_dir = tmp_path_factory.mktemp("e2e")
    with (
        fresh_database(tmp_dir, "e2e") as database_url,
        running_portal(tmp_dir, database_url) as server,
    ):
        yield server


@pytest.fixture
def server_log(portal_server: PortalServer) -> Path:
    """The file holding everything the server has written to stdout and stderr."""
    return portal_server.log_path
