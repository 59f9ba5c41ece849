"""My work, obligation pages and the victim's view of their rights."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.home import work as home_work
from portal.victims_code import rights as rights_service
from portal.victims_code import told_check as told_check_service
from portal.victims_code import work
from portal.victims_code.forms import STALE, CloseForm, MetForm, TriggerForm
from portal.victims_code.lifecycle import CHANNELS
from portal.victims_code.rights import RIGHTS
from portal.victims_code.work_filters import read_filters
from portal.web.forms import FieldErrors, Form, render_form
from portal.web.pages import get, model_context, post
from portal.web.routing import RequestContext, requires

__all__ = ["RIGHTS", "my_work", "routes"]


def my_work(ctx: RequestContext) -> Response:
    """The work queue; for htmx, only the counters (refreshed after a quick action) or the
    list (a filter or a page changed)."""
    filters = read_filters(ctx.request.query_params)
    if ctx.is_htmx and ctx.request.query_params.get("part") == "counters":
        counters = home_work.counters(ctx.unit, filters, ctx.settings)
        context = {"counters": counters, "filters": filters}
        return ctx.render("work/index.html", context, block="counters")
    page = home_work.my_work(ctx.unit, filters, page=ctx.page_number(), settings=ctx.settings)
    return ctx.render("work/index.html", {**model_context(page), "rows": page.rows}, block="work")


def obligation_detail(ctx: RequestContext) -> Response:
    page = work.obligation_page(ctx.unit, ctx.path_id("obligation_id"))
    return ctx.render(
        "work/obligation.html", {**page.context(), "errors": FieldErrors(), "values": {}}
    )


def _refused(ctx: RequestContext, obligation_id: uuid.UUID, form: Form) -> Response:
    """The obligation page again, with the form's errors (400, or 409 after a stale edit)."""
    page = work.obligation_view(ctx.unit, obligation_id)
    return render_form(ctx, "work/obligation.html", form, page.context())


def obligation_met(ctx: RequestContext) -> Response:
    obligation_id = ctx.path_id("obligation_id")
    form = MetForm(ctx.form)
    with form.service_errors(stale_field="channel", stale_message=STALE):
        done = work.mark_met(
            ctx.unit,
            obligation_id,
            met_on=form.met_on,
            date_problem=form.date_problem,
            channel=form.channel,
            evidence=form.evidence,
            expected_version=ctx.version() or 0,
            late_reason=form.late_reason,
            late_detail=form.late_detail,
        )
    if not form.valid:
        return _refused(ctx, obligation_id, form)
    from_work = ctx.field("from") == "work"
    if ctx.is_htmx and from_work:
        return ctx.render(
            "work/index.html",
            {"o": done.obligation, "status_now": done.status_now},
            block="done_row",
        )
    ctx.flash("Marked as met")
    if from_work:  # My work's quick action without JavaScript: back to the queue
        return ctx.redirect("my_work")
    return ctx.redirect("obligation_detail", obligation_id=obligation_id)


def obligation_close(ctx: RequestContext) -> Response:
    obligation_id = ctx.path_id("obligation_id")
    form = CloseForm(ctx.form)
    with form.service_errors(stale_field="state", stale_message=STALE):
        work.close(
            ctx.unit,
            obligation_id,
            state=form.state,
            reason_code=form.reason_code,
            reason=form.reason,
            expected_version=ctx.version() or 0,
        )
    if not form.valid:
        return _refused(ctx, obligation_id, form)
    ctx.flash("Updated")
    return ctx.redirect("obligation_detail", obligation_id=obligation_id)


def obligation_reopen(ctx: RequestContext) -> Response:
    obligation_id = ctx.path_id("obligation_id")
    if work.reopen(ctx.unit, obligation_id, expected_version=ctx.version() or 0):
        ctx.flash("Reopened: the entitlement is owed again")
    else:
        ctx.flash(STALE)
    return ctx.redirect("obligation_detail", obligation_id=obligation_id)


def told_check(ctx: RequestContext) -> Response:
    """The auditor's list of "told" records made through an unsafe channel (the data check)."""
    page = work.told_check_page(ctx.unit)
    return ctx.render(
        "work/told_check.html",
        model_context(page, problems=told_check_service.PROBLEMS, channel_labels=CHANNELS),
    )


def rights(ctx: RequestContext) -> Response:
    case_id, person_id = ctx.path_id("case_id"), ctx.path_id("person_id")
    page = rights_service.rights_page(ctx.unit, case_id, person_id)
    context = model_context(page, rights=RIGHTS, errors=FieldErrors(), values={})
    return ctx.render("work/rights.html", context)


def rights_record(ctx: RequestContext) -> Response:
    """Record what happened to this person (a VPS made, a complaint...): the duties it starts."""
    case_id, person_id = ctx.path_id("case_id"), ctx.path_id("person_id")
    form = TriggerForm(ctx.form)
    created = None
    if form.valid:
        with form.service_errors():
            created = rights_service.record_trigger(
                ctx.unit, case_id, person_id, trigger=form.trigger, happened_on=form.happened_on
            )
    if not form.valid:
        page = rights_service.rights_view(ctx.unit, case_id, person_id)
        return render_form(ctx, "work/rights.html", form, model_context(page, rights=RIGHTS))
    count = len(created or [])
    ctx.flash(
        f"Recorded: {count} {'duty' if count == 1 else 'duties'} now owed"
        if count
        else "Recorded before, or it starts no duty for this person: nothing new is owed"
    )
    return ctx.redirect("person_rights", case_id=case_id, person_id=person_id)


VIEW_CASES = requires(Permission.VIEW_CASES)
RECORD = requires(Permission.RECORD_OBLIGATION_OUTCOME)
OBLIGATION = "/obligations/{obligation_id}"
COMPLIANCE = requires(Permission.VIEW_COMPLIANCE)
RIGHTS_PATH = "/cases/{case_id}/people/{person_id}/rights"
routes = [
    get("/work", my_work, requires(Permission.VIEW_MY_WORK), "my_work"),
    get("/compliance/told-unsafely", told_check, COMPLIANCE, "told_check"),
    get(OBLIGATION, obligation_detail, VIEW_CASES, "obligation_detail"),
    post(OBLIGATION + "/met", obligation_met, RECORD, "obligation_met"),
    post(OBLIGATION + "/close", obligation_close, RECORD, "obligation_close"),
    post(OBLIGATION + "/reopen", obligation_reopen, RECORD, "obligation_reopen"),
    get(RIGHTS_PATH, rights, VIEW_CASES, "person_rights"),
    post(RIGHTS_PATH, rights_record, RECORD, "person_rights_record"),
]
