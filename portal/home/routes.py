"""Home pages by role, health check, static information pages and the CSP report sink."""

from __future__ import annotations

import logging

import anyio
import anyio.to_thread
from starlette.responses import PlainTextResponse, Response

from portal.accounts.permissions import Permission
from portal.db.faults import HEALTH_TIMEOUT_S, probe
from portal.home import service
from portal.victims_code.routes import my_work
from portal.web.routing import PUBLIC, PortalRoute, RequestContext, requires

log = logging.getLogger("portal.csp")


def root(ctx: RequestContext) -> Response:
    return ctx.redirect("home" if ctx.principal else "login")


def home(ctx: RequestContext) -> Response:
    assert ctx.principal is not None
    role = ctx.principal.role
    if ctx.principal.can(Permission.VIEW_MY_WORK):
        return my_work(ctx)  # their home page is their work, most urgent first
    page = service.home_page(ctx.unit)
    return ctx.render(f"home/{role.value}.html", {"role": role, **page.context()})


async def healthz(ctx: RequestContext) -> Response:
    """Liveness and the database's state, cheaply: one ``SELECT 1`` on a pooled connection,
    bounded by a short deadline. 200 ``ok``, or 503 with the reason (no details of the
    server)."""
    engine = ctx.request.app.state.engine
    state = "unavailable (no answer)"
    with anyio.move_on_after(HEALTH_TIMEOUT_S):
        state = await anyio.to_thread.run_sync(probe, engine, abandon_on_cancel=True)
    healthy = state in {"ok", "slow"}
    return PlainTextResponse(
        f"{'ok' if healthy else 'unavailable'}\ndatabase: {state}\n",
        status_code=200 if healthy else 503,
    )


def accessibility(ctx: RequestContext) -> Response:
    return ctx.render("pages/accessibility.html")


def csp_report(ctx: RequestContext) -> Response:
    # Reports can carry URLs; record only that a violation happened and on which directive.
    log.warning("csp.violation reported")
    return Response(status_code=204)


routes = [
    PortalRoute("/", root, access=PUBLIC, name="root"),
    PortalRoute("/home", home, access=requires(Permission.VIEW_HOME), name="home"),
    PortalRoute("/healthz", healthz, access=PUBLIC, name="healthz", inline=True),
    PortalRoute("/accessibility", accessibility, access=PUBLIC, name="accessibility"),
    PortalRoute(
        "/csp-report",
        csp_report,
        access=PUBLIC,
        methods=["POST"],
        name="csp_report",
        csrf_exempt=True,
    ),
]
