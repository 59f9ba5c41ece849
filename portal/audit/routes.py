"""The audit viewer and its CSV export, for auditors (read-only, pseudonymised)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.roles import Role
from portal.audit import repository
from portal.audit import service as audit
from portal.audit.models import S62_CATEGORIES
from portal.clock import format_london
from portal.kit.csvsafe import CsvTable
from portal.web.downloads import csv_response
from portal.web.forms import FieldErrors
from portal.web.params import MAX_SEQUENCE
from portal.web.routing import PortalRoute, RequestContext, allow

AUDITORS = allow(Role.AUDITOR)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter(
    ctx: RequestContext, source: dict[str, str]
) -> tuple[repository.AuditFilter, FieldErrors]:
    errors = FieldErrors()
    date_from, date_to = _date(source.get("from", "")), _date(source.get("to", ""))
    if source.get("from") and date_from is None:
        errors.add("from", "Enter the start date as YYYY-MM-DD")
    if source.get("to") and date_to is None:
        errors.add("to", "Enter the end date as YYYY-MM-DD")
    if date_from and date_to and date_to < date_from:
        errors.add("to", "The end date must be on or after the start date")
    category = source.get("category", "")
    return (
        repository.AuditFilter(
            username=source.get("user", "")[:64],
            person_ref=source.get("person", "")[:16],
            urn=source.get("urn", "")[:16],
            category=category if category in S62_CATEGORIES else "",
            action=source.get("action", "")[:64],
            date_from=date_from,
            date_to=date_to,
        ),
        errors,
    )


def audit_log(ctx: RequestContext) -> Response:
    params = dict(ctx.request.query_params)
    flt, errors = _filter(ctx, params)
    before = ctx.query_int("before", 0, low=0, high=MAX_SEQUENCE) or None
    rows, next_before = ([], None) if errors else repository.page(ctx.db, flt, before_seq=before)
    query = urlencode(flt.as_params())
    return ctx.render(
        "audit/index.html",
        {
            "rows": rows,
            "flt": flt,
            "errors": errors,
            "values": params,
            "categories": S62_CATEGORIES,
            "actions": repository.actions(ctx.db),
            "next_url": (
                f"{ctx.request.url.path}?{query}{'&' if query else ''}before={next_before}"
                if next_before
                else None
            ),
            "first_url": f"{ctx.request.url.path}?{query}" if before else None,
            "format_london": format_london,
        },
        block="results" if ctx.is_htmx else None,
    )


def audit_export(ctx: RequestContext) -> Response:
    source = {
        k: ctx.field(k) for k in ("user", "person", "urn", "category", "action", "from", "to")
    }
    flt, errors = _filter(ctx, source)
    if errors:
        return ctx.redirect_to(str(ctx.request.url_for("audit_log").path))
    table = CsvTable(
        [
            "seq",
            "time_utc",
            "staff_username",
            "staff_role",
            "category",
            "action",
            "object_type",
            "object_id",
            "case_urn",
            "person_reference",
            "fields",
            "recipient",
            "entry_hash",
        ]
    )
    for row in repository.stream(ctx.db, flt):
        e = row.event
        table.add(
            [
                e.seq,
                e.at.isoformat(),
                row.username,
                e.actor_role,
                e.category,
                e.action,
                e.object_type,
                e.object_id,
                row.urn,
                e.subject_ref,
                e.fields,
                e.recipient,
                e.entry_hash,
            ]
        )
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="disclosure",
        action="audit.export",
        object_type="audit_log",
        fields=sorted(flt.as_params()),
        recipient=f"user:{ctx.actor.user_id}",
    )
    return csv_response(table, "access-log.csv")


routes = [
    PortalRoute("/audit", audit_log, access=AUDITORS, name="audit_log"),
    PortalRoute(
        "/audit/export", audit_export, access=AUDITORS, methods=["POST"], name="audit_export"
    ),
]
