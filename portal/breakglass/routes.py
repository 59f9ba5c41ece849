"""Break-glass pages: asking for emergency access to a case, and the auditor's review queue."""

from __future__ import annotations

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.breakglass import service
from portal.breakglass.forms import RequestForm, ReviewForm
from portal.breakglass.models import DETAIL_MAX, NOTE_MAX, Outcome
from portal.web.forms import render_form
from portal.web.pages import form_page, get
from portal.web.routing import RequestContext, requires
from portal.web.stepup import step_up

REQUESTERS = requires(Permission.SEE_PERSONAL_DETAILS)
REVIEWERS = requires(Permission.REVIEW_BREAK_GLASS)


def _request_page(ctx: RequestContext, form: RequestForm) -> Response:
    page = service.request_page(ctx.unit, ctx.settings)
    return render_form(ctx, "breakglass/request.html", form, {**page, "detail_max": DETAIL_MAX})


def request_access(ctx: RequestContext) -> Response:
    return _request_page(ctx, RequestForm.initial())


@step_up
def request_access_save(ctx: RequestContext) -> Response:
    form = RequestForm(ctx.form)
    if form.valid:
        with form.service_errors():
            opened = service.break_glass(
                ctx.unit,
                ctx.active_session,
                ctx.settings,
                urn=form.urn,
                reason=form.reason,
                detail=form.detail,
            )
    if not form.valid:
        return _request_page(ctx, form)
    if opened.by_break_glass:
        ctx.flash("Emergency access opened: every page you view in this case is logged")
    return ctx.redirect("case_detail", case_id=opened.case_id)


def review_queue(ctx: RequestContext) -> Response:
    return ctx.render("breakglass/queue.html", {"uses": service.review_queue(ctx.unit)})


def _review_page(ctx: RequestContext, form: ReviewForm) -> Response:
    use = service.review_page(ctx.unit, ctx.path_id("use_id"))
    context = {"use": use, "outcomes": Outcome.choices(), "note_max": NOTE_MAX}
    return render_form(ctx, "breakglass/review.html", form, context)


def review(ctx: RequestContext) -> Response:
    return _review_page(ctx, ReviewForm.initial())


def review_save(ctx: RequestContext) -> Response:
    form = ReviewForm(ctx.form)
    if form.valid:
        with form.service_errors():
            service.review(ctx.unit, ctx.path_id("use_id"), outcome=form.outcome, note=form.note)
    if not form.valid:
        return _review_page(ctx, form)
    ctx.flash("Review recorded")
    return ctx.redirect("breakglass_queue")


routes = [
    *form_page(
        "/break-glass", request_access, request_access_save, REQUESTERS, "breakglass_request"
    ),
    get("/break-glass/reviews", review_queue, REVIEWERS, "breakglass_queue"),
    *form_page(
        "/break-glass/reviews/{use_id}", review, review_save, REVIEWERS, "breakglass_review"
    ),
]
