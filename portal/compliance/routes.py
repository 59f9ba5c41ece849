"""The compliance dashboard, its drill-down and CSV export, and quality sampling (auditors)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, StaleEdit, ValidationFailed
from portal.clock import LONDON, utc_now
from portal.compliance import quality, service
from portal.compliance.models import CHECKS
from portal.kit.csvsafe import CsvTable
from portal.victims_code.rules import rules_in_force
from portal.web.downloads import csv_response
from portal.web.forms import FieldErrors
from portal.web.params import MAX_INTEGER, whole_number
from portal.web.routing import PortalRoute, RequestContext, allow

AUDITORS = allow(Role.AUDITOR)
CHART_WIDTH = 480
COLOURS = {
    "met_on_time": "#00703c",
    "met_late": "#f47738",
    "overdue": "#d4351c",
    "due": "#505a5f",
    "declined": "#1d70b8",
    "not_met_good_reason": "#4c2c92",
    "not_applicable": "#b1b4b6",
}


def _today() -> date:
    return utc_now().astimezone(LONDON).date()


def _params(source: dict[str, str]) -> tuple[str, service.Period, FieldErrors, dict[str, str]]:
    errors = FieldErrors()
    dimension = source.get("by", "entitlement")
    if dimension not in service.DIMENSIONS:
        dimension = "entitlement"
    dates: dict[str, date | None] = {}
    for name, label in (("from", "start"), ("to", "end")):
        raw = source.get(name, "")
        try:
            dates[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            dates[name] = None
            errors.add(name, f"Enter the {label} date as YYYY-MM-DD")
    if dates["from"] and dates["to"] and dates["to"] < dates["from"]:
        errors.add("to", "The end date must be on or after the start date")
    values = {"by": dimension, "from": source.get("from", ""), "to": source.get("to", "")}
    return dimension, service.Period(dates["from"], dates["to"]), errors, values


def _titles() -> dict[str, str]:
    return {e.code: e.title for e in rules_in_force(_today()).entitlements}


def _bars(lines: list[service.Line]) -> list[dict[str, Any]]:
    """Bar segments for the SVG chart, computed here so the template stays declarative."""
    biggest = max((line.total for line in lines), default=0) or 1
    bars = []
    for line in lines:
        x = 0.0
        segments = []
        for name in service.BUCKETS:
            width = CHART_WIDTH * line.counts[name] / biggest
            if width > 0:
                segments.append(
                    {
                        "x": round(x, 1),
                        "width": round(width, 1),
                        "colour": COLOURS[name],
                        "label": service.BUCKET_LABELS[name],
                        "count": line.counts[name],
                    }
                )
            x += width
        bars.append({"line": line, "segments": segments})
    return bars


def dashboard(ctx: RequestContext) -> Response:
    dimension, period, errors, values = _params(dict(ctx.request.query_params))
    today = _today()
    lines = (
        []
        if errors
        else service.breakdown(
            ctx.db, dimension=dimension, period=period, today=today, titles=_titles()
        )
    )
    overall = service.overall(ctx.db, period=period, today=today)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="compliance.view",
        object_type="compliance",
        fields=[f"by={dimension}"],
    )
    return ctx.render(
        "compliance/index.html",
        {
            "dimension": dimension,
            "dimensions": service.DIMENSIONS,
            "lines": lines,
            "bars": _bars(lines),
            "overall": overall,
            "buckets": service.BUCKETS,
            "bucket_labels": service.BUCKET_LABELS,
            "colours": COLOURS,
            "chart_width": CHART_WIDTH,
            "errors": errors,
            "values": values,
            "query": urlencode({k: v for k, v in values.items() if v and k != "by"}),
        },
    )


def drill(ctx: RequestContext) -> Response:
    source = dict(ctx.request.query_params)
    dimension, period, errors, values = _params(source)
    bucket = source.get("bucket", "")
    if errors or bucket not in service.BUCKETS:
        raise CaseNotFound(None)
    key = source.get("key", "")
    if dimension == "right":  # a right's number: nothing else reaches the query
        ctx.query_int("key", 0, low=0, high=MAX_INTEGER)
    today = _today()
    rows, total = service.drill_down(
        ctx.db,
        dimension=dimension,
        key=key,
        bucket=bucket,
        period=period,
        today=today,
        page=ctx.page_number(),
    )
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="compliance.drill_down",
        object_type="obligation",
        fields=[f"by={dimension}", f"bucket={bucket}"],
    )
    page = ctx.page_number()
    base = urlencode({**{k: v for k, v in values.items() if v}, "key": key, "bucket": bucket})
    return ctx.render(
        "compliance/drill.html",
        {
            "rows": rows,
            "total": total,
            "label": service.label_for(dimension, _key_value(dimension, key), _titles()),
            "bucket_label": service.BUCKET_LABELS[bucket],
            "titles": _titles(),
            "page": page,
            "next_url": f"?{base}&page={page + 1}" if page * 50 < total else None,
            "prev_url": f"?{base}&page={page - 1}" if page > 1 else None,
            "back_url": str(ctx.request.url_for("compliance").path)
            + "?"
            + urlencode({k: v for k, v in values.items() if v}),
        },
    )


def _key_value(dimension: str, key: str) -> object:
    if dimension in {"enhanced", "child"}:
        return None if key == "" else key == "True"
    return key


def export(ctx: RequestContext) -> Response:
    dimension, period, errors, values = _params({k: ctx.field(k) for k in ("by", "from", "to")})
    if errors:
        return ctx.redirect("compliance")
    lines = service.breakdown(
        ctx.db, dimension=dimension, period=period, today=_today(), titles=_titles()
    )
    table = CsvTable([service.DIMENSIONS[dimension], *service.BUCKETS, "on_time_rate"])
    for line in lines:
        rate = "" if line.on_time_rate is None else f"{line.on_time_rate:.4f}"
        table.add([line.label, *(line.counts[b] for b in service.BUCKETS), rate])
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="disclosure",
        action="compliance.export",
        object_type="compliance",
        fields=[f"by={dimension}"],
        recipient=f"user:{ctx.actor.user_id}",
    )
    return csv_response(table, f"compliance-by-{dimension}.csv")


def quality_page(ctx: RequestContext) -> Response:
    return _quality(ctx, FieldErrors(), {}, 200)


def _quality(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, str], status: int
) -> Response:
    return ctx.render(
        "compliance/quality.html",
        {
            "summary": quality.summary(ctx.db),
            "samples": quality.samples(ctx.db),
            "checks": CHECKS,
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


def quality_draw(ctx: RequestContext) -> Response:
    raw = ctx.field("size").strip()
    errors = FieldErrors()
    try:
        size = whole_number(raw, low=1, high=quality.MAX_SAMPLE) or 0  # 0: the size message
        quality.draw(ctx.db, ctx.actor, size=size)
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
        return _quality(ctx, errors, {"size": raw}, 400)
    ctx.flash("Sample drawn")
    return ctx.redirect("quality")


def quality_score(ctx: RequestContext) -> Response:
    try:
        sample_id = uuid.UUID(str(ctx.request.path_params["sample_id"]))
    except ValueError:
        raise CaseNotFound(None) from None
    answers = {
        name: ctx.field(name) == "yes" for name in CHECKS if ctx.field(name) in {"yes", "no"}
    }
    try:
        quality.score(ctx.db, ctx.actor, sample_id, answers)
    except ValidationFailed as exc:
        errors = FieldErrors()
        for name, message in exc.errors.items():
            errors.add(f"{name}-{sample_id}", message)
        return _quality(ctx, errors, {}, 400)
    except StaleEdit:
        errors = FieldErrors()
        errors.add("reviewed", "Someone else reviewed this sample while you were working")
        return _quality(ctx, errors, {}, 409)
    ctx.flash("Review saved")
    return ctx.redirect("quality")


routes = [
    PortalRoute("/compliance", dashboard, access=AUDITORS, name="compliance"),
    PortalRoute("/compliance/obligations", drill, access=AUDITORS, name="compliance_drill"),
    PortalRoute(
        "/compliance/export", export, access=AUDITORS, methods=["POST"], name="compliance_export"
    ),
    PortalRoute("/compliance/quality", quality_page, access=AUDITORS, name="quality"),
    PortalRoute(
        "/compliance/quality", quality_draw, access=AUDITORS, methods=["POST"], name="quality_draw"
    ),
    PortalRoute(
        "/compliance/quality/{sample_id}",
        quality_score,
        access=AUDITORS,
        methods=["POST"],
        name="quality_score",
    ),
]
