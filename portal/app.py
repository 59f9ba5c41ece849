"""Application factory: middleware, the declared route table, static assets and error pages."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from portal import wiring
from portal.accounts.routes import routes as account_routes
from portal.anonymity.routes import routes as anonymity_routes
from portal.audit.routes import routes as audit_routes
from portal.breakglass.routes import routes as breakglass_routes
from portal.cases.import_routes import routes as import_routes
from portal.cases.routes import routes as case_routes
from portal.compliance.routes import routes as compliance_routes
from portal.db.session import WEB_STATEMENT_TIMEOUT_S, make_engine
from portal.documents.routes import routes as document_routes
from portal.home.routes import routes as home_routes
from portal.keys.keyring import Keyring
from portal.keys.ledger import ErasureLedger
from portal.keys.vault import KeyCache
from portal.logs import configure_logging
from portal.outcomes.import_routes import routes as outcomes_import_routes
from portal.outcomes.routes import routes as outcomes_routes
from portal.people.routes import routes as people_routes
from portal.search.routes import routes as search_routes
from portal.settings import Settings, SettingsError
from portal.special_measures.routes import routes as special_measures_routes
from portal.victims_code.routes import routes as work_routes
from portal.vlu.routes import routes as vlu_routes
from portal.web.errors import (
    make_domain_handlers,
    make_http_exception_handler,
    render_error_page,
)
from portal.web.faults import make_fault_handlers
from portal.web.protection import ProtectionMiddleware
from portal.web.routing import PortalRoute
from portal.web.templating import make_templates
from portal.web.urls import index_url_paths

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Front-end packages come from npm (package.json + package-lock.json) and are served from
# node_modules by the portal itself: nothing from a CDN, no third-party file in git.
VENDOR_MOUNTS = {
    "/assets": "govuk-frontend/dist/govuk/assets",
    "/vendor/govuk": "govuk-frontend/dist/govuk",
    "/vendor/moj": "@ministryofjustice/frontend/moj",
    "/vendor/htmx": "htmx.org/dist",
}


class StaticMount(Mount):
    """A static-file mount. Static assets are public by declaration and hold no data."""

    access_public = True


def _static_mounts(settings: Settings) -> list[BaseRoute]:
    mounts: list[BaseRoute] = [
        StaticMount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")
    ]
    for prefix, relative in VENDOR_MOUNTS.items():
        directory = settings.assets_dir / relative
        if not directory.is_dir():
            raise SettingsError(
                f"Front-end assets are missing ({directory}). Run `npm ci` in the project folder, "
                "or set PORTAL_ASSETS_DIR to a folder holding the installed npm packages."
            )
        mounts.append(
            StaticMount(prefix, app=StaticFiles(directory=directory), name=prefix.strip("/"))
        )
    return mounts


def all_routes() -> list[BaseRoute]:
    return [
        *home_routes,
        *account_routes,
        *case_routes,
        *people_routes,
        *work_routes,
        *document_routes,
        *audit_routes,
        *special_measures_routes,
        *compliance_routes,
        *anonymity_routes,
        *vlu_routes,
        *import_routes,
        *search_routes,
        *outcomes_routes,
        *outcomes_import_routes,
        *breakglass_routes,
    ]


def check_declared(routes: list[BaseRoute]) -> None:
    """Deny by default: refuse to start if any route lacks an access declaration."""
    for route in routes:
        if isinstance(route, PortalRoute | StaticMount):
            continue
        raise RuntimeError(f"route {route!r} has no access declaration; use PortalRoute")


def create_app(settings: Settings) -> Starlette:
    configure_logging()
    templates = make_templates()
    routes = [*all_routes(), *_static_mounts(settings)]
    check_declared(routes)
    engine = make_engine(settings, statement_timeout_s=WEB_STATEMENT_TIMEOUT_S)
    session_factory = wiring.session_factory(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    def render_error(status: int, scope: Scope) -> bytes:
        return render_error_page(templates.env, status, scope)

    upload_limits = [
        (route.path_regex, route.max_body_bytes)
        for route in routes
        if isinstance(route, PortalRoute) and route.max_body_bytes
    ]
    if upload_limits:
        # Keep uploaded files in memory (never spooled to a temporary file on disk, where
        # personal data would sit unencrypted): the spool limit is the largest upload allowed.
        MultiPartParser.spool_max_size = max(limit for _, limit in upload_limits)

    app = Starlette(
        debug=False,
        routes=routes,
        middleware=[
            Middleware(
                ProtectionMiddleware,
                settings=settings,
                render_error=render_error,
                upload_limits=upload_limits,
            ),
            Middleware(
                TrustedHostMiddleware,
                allowed_hosts=list(settings.allowed_hosts),
                www_redirect=False,
            ),
        ],
        exception_handlers={
            HTTPException: make_http_exception_handler(templates.env),
            **make_domain_handlers(templates.env),
            **make_fault_handlers(templates.env),  # database unavailable, disk full: 503
        },
        lifespan=lifespan,
    )
    index_url_paths(app.router)
    app.state.settings = settings
    app.state.templates = templates
    app.state.engine = engine
    app.state.session_factory = session_factory
    # Follows `portal keys rotate` without a restart (portal.keys.keyring).
    app.state.key_provider = Keyring(settings.current_key_provider, stamp=settings.key_file_stamp)
    app.state.key_cache = KeyCache()
    app.state.erasure_ledger = ErasureLedger.in_instance(settings.instance_dir)
    # A small pool of worker threads for database work (performance.md 2.4 and 7.4: capping the
    # pool at 4 cut the case page's p99 from 182 ms to 70 ms).
    app.state.db_limiter = anyio.CapacityLimiter(settings.db_threads)
    return app


def asgi_from_env() -> Starlette:
    """Entry point for ``uvicorn --factory portal.app:asgi_from_env`` (used by ``portal serve``).

    What the worker has built by now (modules, routes, templates) lives as long as it does, so
    it is moved out of the collector's sight: later collections walk only what requests make
    (about 5 % of the case page's CPU time, bench.profile_page)."""
    app = create_app(Settings.from_env())
    gc.collect()
    gc.freeze()
    return app
