"""The audit viewer and its CSV export, for auditors (read-only, pseudonymised)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.audit import viewer
from portal.audit.forms import EXPORT_FIELDS, parse_filter
from portal.audit.models import S62_CATEGORIES
from portal.clock import format_london
from portal.web.downloads import csv_response
from portal.web.params import MAX_SEQUENCE
from portal.web.routing import PortalRoute, RequestContext, requires
from portal.web.stepup import step_up

VIEWERS = requires(Permission.VIEW_AUDIT_LOG)
EXPORTERS = requires(Permission.EXPORT_AUDIT_LOG)


def audit_log(ctx: RequestContext) -> Response:
    params = dict(ctx.request.query_params)
    flt, errors = parse_filter(params)
    before = ctx.query_int("before", 0, low=0, high=MAX_SEQUENCE) or None
    page = viewer.log_page(ctx.unit, flt, before=before, search=not errors)
    query = urlencode(flt.as_params())
    return ctx.render(
        "audit/index.html",
        {
            "entries": page.entries,
            "flt": flt,
            "errors": errors,
            "values": params,
            "categories": S62_CATEGORIES,
            "actions": page.actions,
            "next_url": (
                f"{ctx.request.url.path}?{query}{'&' if query else ''}before={page.next_before}"
                if page.next_before
                else None
            ),
            "first_url": f"{ctx.request.url.path}?{query}" if before else None,
            "format_london": format_london,
        },
        block="results",
    )


@step_up
def audit_export(ctx: RequestContext) -> Response:
    flt, errors = parse_filter({k: ctx.field(k) for k in EXPORT_FIELDS})
    if errors:
        return ctx.redirect("audit_log")
    return csv_response(viewer.export(ctx.unit, flt), "access-log.csv")


routes = [
    PortalRoute("/audit", audit_log, access=VIEWERS, name="audit_log"),
    PortalRoute(
        "/audit/export", audit_export, access=EXPORTERS, methods=["POST"], name="audit_export"
    ),
]
