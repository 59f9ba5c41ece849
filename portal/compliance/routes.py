"""The compliance dashboard, its drill-down and CSV export, and quality sampling (auditors)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.cases.errors import CaseNotFound
from portal.compliance import quality, service
from portal.compliance.forms import DrawForm, ReportForm, ScoreForm
from portal.compliance.models import CHECKS
from portal.victims_code.forms import path_id
from portal.web.downloads import csv_response
from portal.web.forms import FieldErrors
from portal.web.pages import get, model_context, post
from portal.web.params import MAX_INTEGER
from portal.web.routing import RequestContext, requires
from portal.web.stepup import step_up


def dashboard(ctx: RequestContext) -> Response:
    form = ReportForm(ctx.request.query_params)
    page = service.dashboard(
        ctx.unit, dimension=form.by, period=form.period, breakdown_wanted=form.valid
    )
    return ctx.render(
        "compliance/index.html",
        {
            "dimension": form.by,
            "dimensions": service.DIMENSIONS,
            "lines": page.lines,
            "bars": page.bars,
            "overall": page.overall,
            "duties": page.duties,
            "buckets": service.BUCKETS,
            "bucket_labels": service.BUCKET_LABELS,
            "colours": service.COLOURS,
            "chart_width": service.CHART_WIDTH,
            "errors": form.errors,
            "values": form.values,
            "query": urlencode({k: v for k, v in form.values.items() if v and k != "by"}),
        },
    )


def drill(ctx: RequestContext) -> Response:
    form = ReportForm(ctx.request.query_params)
    if not form.valid:
        raise CaseNotFound(None)
    key = ctx.request.query_params.get("key", "")
    bucket = ctx.request.query_params.get("bucket", "")
    if form.by == "right" and bucket in service.BUCKETS:  # a right's number, or a 400
        ctx.query_int("key", 0, low=0, high=MAX_INTEGER)
    page = service.drill(
        ctx.unit,
        dimension=form.by,
        key=key,
        bucket=bucket,
        period=form.period,
        page=ctx.page_number(),
    )
    filters = {k: v for k, v in form.values.items() if v}
    base = urlencode({**filters, "key": key, "bucket": bucket})
    return ctx.render(
        "compliance/drill.html",
        {
            "rows": page.rows,
            "total": page.total,
            "label": page.label,
            "bucket_label": page.bucket_label,
            "titles": page.titles,
            "page": page.page,
            "next_url": f"?{base}&page={page.page + 1}" if page.has_next else None,
            "prev_url": f"?{base}&page={page.page - 1}" if page.has_prev else None,
            "back_url": ctx.url_for("compliance") + "?" + urlencode(filters),
        },
    )


@step_up
def export(ctx: RequestContext) -> Response:
    form = ReportForm(ctx.form)
    if not form.valid:
        return ctx.redirect("compliance")
    table = service.export(ctx.unit, dimension=form.by, period=form.period)
    return csv_response(table, f"compliance-by-{form.by}.csv")


def _quality(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, str], status: int
) -> Response:
    page = quality.page(ctx.unit)
    return ctx.render(
        "compliance/quality.html",
        model_context(page, checks=CHECKS, errors=errors, values=values),
        status_code=status,
    )


def quality_page(ctx: RequestContext) -> Response:
    return _quality(ctx, FieldErrors(), {}, 200)


def quality_draw(ctx: RequestContext) -> Response:
    form = DrawForm(ctx.form)
    with form.service_errors():
        quality.draw_sample(ctx.unit, size=form.size)
    if not form.valid:
        return _quality(ctx, form.errors, {"size": str(form.values["size"])}, form.status_code)
    ctx.flash("Sample drawn")
    return ctx.redirect("quality")


def quality_score(ctx: RequestContext) -> Response:
    sample_id = path_id(ctx, "sample_id")
    form = ScoreForm(ctx.form)
    with form.service_errors(
        stale_field="reviewed",
        stale_message="Someone else reviewed this sample while you were working",
    ):
        quality.score_sample(ctx.unit, sample_id, form.answers)
    if not form.valid:
        return _quality(ctx, form.errors_for(sample_id), {}, form.status_code)
    ctx.flash("Review saved")
    return ctx.redirect("quality")


VIEW = requires(Permission.VIEW_COMPLIANCE)
SAMPLE = requires(Permission.SAMPLE_QUALITY)
routes = [
    get("/compliance", dashboard, VIEW, "compliance"),
    get("/compliance/obligations", drill, VIEW, "compliance_drill"),
    post("/compliance/export", export, requires(Permission.EXPORT_COMPLIANCE), "compliance_export"),
    get("/compliance/quality", quality_page, SAMPLE, "quality"),
    post("/compliance/quality", quality_draw, SAMPLE, "quality_draw"),
    post("/compliance/quality/{sample_id}", quality_score, SAMPLE, "quality_score"),
]
