"""Home pages by role, health check, static information pages and the CSP report sink."""

from __future__ import annotations

import logging

from starlette.responses import PlainTextResponse, Response

from portal.accounts import repository
from portal.accounts.permissions import Permission
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
    context: dict[str, object] = {"role": role}
    if ctx.principal.can(Permission.ADMINISTER_ACCOUNTS):
        users = repository.list_users(ctx.db)
        context["user_count"] = len(users)
        context["active_count"] = sum(1 for u in users if u.is_active)
        context["pending_count"] = len(repository.pending_requests(ctx.db))
    return ctx.render(f"home/{role.value}.html", context)


def healthz(ctx: RequestContext) -> Response:
    return PlainTextResponse("ok")


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
