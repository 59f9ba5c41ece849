"""VLU pages: the queue, a decision (reasons and bulk actions), a request (draft, check, send,
review, conversation), the printable letter and its PDF, and a bulk job's progress.

Access is declared per route (deny by default) and checked again by the state machine; every
decision, request and job is looked up inside the actor's case scope (404 otherwise), by the
services (``portal.vlu.service``: the steps, and the read models in ``pages`` and
``request_page``). Pages that show personal data are logged (ids and references only); nothing
personal goes in a URL: filters are codes, and letter text for the readability check is POSTed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.vlu.bulk_routes import routes as finishing_routes
from portal.vlu.forms import (
    BulkForm,
    CheckForm,
    DraftForm,
    MessageForm,
    ReasonsForm,
    ReviewForm,
    SendForm,
    queue_filters,
    queue_query,
)
from portal.vlu.readability import TARGET
from portal.vlu.service import (
    bulk,
    checking,
    conversation,
    drafting,
    reasons,
    review,
    sending,
)
from portal.vlu.service import pages as read
from portal.vlu.service import request_page as request_read
from portal.web.downloads import pdf_response
from portal.web.forms import FieldErrors, Form
from portal.web.pages import get, post, unprintable
from portal.web.routing import RequestContext, requires, requires_any

STALE_REQUEST = "Someone else updated this request while you were working: check it again"
STALE_DECISION = "Someone else updated this decision while you were working"


def _decision_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("decision_id")


def _request_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("request_id")


def _back_to_request(ctx: RequestContext) -> Response:
    case_id, request_id = _request_ids(ctx)
    return ctx.redirect("vlu_request", case_id=case_id, request_id=request_id)


# --- My work: letters waiting for the prosecutor's reasons -----------------------------------


def waiting_for_reasons(ctx: RequestContext) -> Response:
    return ctx.render(
        "vlu/waiting_for_reasons.html", read.waiting_page(ctx.unit).context(), block="vlu_work"
    )


# --- the queue -------------------------------------------------------------------------------


def queue(ctx: RequestContext) -> Response:
    params = ctx.request.query_params
    filters = queue_filters(
        params.get("due", ""),
        params.get("state", ""),
        params.get("area", ""),
        params.get("category", ""),
    )
    page = read.queue_page(ctx.unit, filters, page=ctx.page_number()).context()
    query = queue_query(filters)
    base = ctx.url_for("vlu_queue")
    return ctx.render("vlu/queue.html", {**page, "page_url": f"{base}?{query}" if query else base})


# --- a decision ------------------------------------------------------------------------------


def _render_decision(
    ctx: RequestContext, *, form: Form | None = None, typed_reasons: str | None = None
) -> Response:
    case_id, decision_id = _decision_ids(ctx)
    page = read.decision_page(
        ctx.unit,
        case_id,
        decision_id,
        page=ctx.page_number(),
        typed_reasons=typed_reasons,
        record_view=form is None,
    ).context()
    page_url = ctx.url_for("vlu_decision", case_id=case_id, decision_id=decision_id)
    context: dict[str, Any] = {**page, "page_url": page_url}
    if form is None:
        return ctx.render("vlu/decision.html", {**context, "errors": FieldErrors(), "values": {}})
    context.update(errors=form.errors, values=form.values)
    status = 409 if form.stale is not None else 400  # a stale edit keeps what was typed
    return ctx.render("vlu/decision.html", context, status_code=status)


def decision_view(ctx: RequestContext) -> Response:
    return _render_decision(ctx)


def decision_reasons(ctx: RequestContext) -> Response:
    form = ReasonsForm(ctx.form)
    saved = reasons.ReasonsSaved(edited=False)
    if form.valid:
        with form.service_errors(stale_field="reasons", stale_message=STALE_DECISION):
            saved = reasons.give_reasons(
                ctx.unit,
                *_decision_ids(ctx),
                reasons=form.reasons,
                meeting_offered=form.meeting_offered,
                no_meeting_reason=form.no_meeting_reason,
                expected_version=ctx.version() or 0,
            )
    if not form.valid:
        return _render_decision(ctx, form=form, typed_reasons=form.reasons)
    ctx.flash(_reasons_saved(saved))
    case_id, decision_id = _decision_ids(ctx)
    return ctx.redirect("vlu_decision", case_id=case_id, decision_id=decision_id)


def _reasons_saved(saved: reasons.ReasonsSaved) -> str:
    if not saved.edited:
        n = saved.moved
        return f"Reasons saved: {n} {'letter' if n == 1 else 'letters'} can now be drafted"
    n = saved.returned
    if not n:
        return "Reasons changed"
    goes = "letter goes" if n == 1 else "letters go"
    return f"Reasons changed: {n} drafted {goes} back for redrafting"


def decision_bulk(ctx: RequestContext) -> Response:
    form = BulkForm(ctx.form)
    if form.valid:
        with form.service_errors():
            job = bulk.start_bulk(
                ctx.unit, *_decision_ids(ctx), action=form.action, checklist=form.checklist
            )
    if not form.valid:
        form.values = {"action": form.action}
        return _render_decision(ctx, form=form)
    return ctx.redirect("vlu_job", job_id=job.id)


# --- a request -------------------------------------------------------------------------------


def _render_request(
    ctx: RequestContext,
    *,
    form: Form | None = None,
    show_typed: bool = True,
    status_code: int = 200,
    **kwargs: Any,
) -> Response:
    """The request's page; with ``form``, its errors (and what was typed, if ``show_typed``)."""
    page = request_read.request_page(ctx.unit, *_request_ids(ctx), **kwargs).context()
    errors = form.errors if form is not None else FieldErrors()
    values = form.values if form is not None and show_typed else {}
    return ctx.render(
        "vlu/request.html", {**page, "errors": errors, "values": values}, status_code=status_code
    )


def _step_answer(ctx: RequestContext, form: Form, *, show_stale_typed: bool = True) -> Response:
    """A step refused by the form or the service: 409 after a stale edit, else 400."""
    if form.stale is not None:
        return _render_request(ctx, form=form, show_typed=show_stale_typed, status_code=409)
    return _render_request(ctx, form=form, status_code=400)


def _request_step(
    ctx: RequestContext,
    form: Form,
    service: Callable[..., object],
    stale_field: str,
    done: str,
    *,
    refused: Callable[[], Response] | None = None,
    **arguments: Any,
) -> Response:
    """A step on the request: when the form reads well, ``service(unit, case_id, request_id,
    expected_version=..., **arguments)``, its refusals becoming the form's errors (a stale edit
    against ``stale_field``). Refused, ``refused`` answers (by default the page again, without
    what was typed after a stale edit); taken, back to the request with ``done`` flashed."""
    if form.valid:
        with form.service_errors(stale_field=stale_field, stale_message=STALE_REQUEST):
            service(ctx.unit, *_request_ids(ctx), expected_version=ctx.version(), **arguments)
    if not form.valid:
        return refused() if refused else _step_answer(ctx, form, show_stale_typed=False)
    ctx.flash(done)
    return _back_to_request(ctx)


def request_view(ctx: RequestContext) -> Response:
    return _render_request(ctx, record_view=True)


def request_draft(ctx: RequestContext) -> Response:
    form = DraftForm(ctx.form)
    if form.intent == "readability":
        return _render_request(ctx, draft_text=form.typed)
    if form.intent == "template":
        return _render_request(ctx, use_template=True)
    return _request_step(
        ctx,
        form,
        drafting.draft_letter,
        "body",
        "Letter saved. It now needs checking by a second officer",
        refused=lambda: _render_request(
            ctx,
            form=form,
            draft_text=form.typed,
            status_code=409 if form.stale is not None else 400,
        ),
        body=form.body,
    )


def request_readability(ctx: RequestContext) -> Response:
    """The score for the text being typed (htmx): computed, never stored, nothing logged."""
    form = DraftForm(ctx.form)
    if not ctx.is_htmx:
        return _render_request(ctx, draft_text=form.typed)
    score = request_read.readability_of(ctx.unit, *_request_ids(ctx), form.typed)
    return ctx.render(
        "vlu/request.html", {"readability": score, "target": TARGET}, block="readability"
    )


def request_check(ctx: RequestContext) -> Response:
    form = CheckForm(ctx.form)
    done = "Letter approved: it can now be sent" if form.approved else "Letter returned for changes"
    return _request_step(
        ctx,
        form,
        checking.check_letter,
        "checklist",
        done,
        approved=form.approved,
        checklist=form.checklist,
        notes=form.notes,
    )


def request_send(ctx: RequestContext) -> Response:
    form = SendForm(ctx.form)
    return _request_step(
        ctx,
        form,
        sending.send_letter,
        "channel",
        "Letter sent. The Victims' Code entitlement is marked as met",
        channel=form.channel,
    )


def request_review(ctx: RequestContext) -> Response:
    form = ReviewForm(ctx.form)
    return _request_step(
        ctx,
        form,
        review.review_step,
        "on",
        f"{form.step.label}: recorded" if form.step else "",
        refused=lambda: _render_request(ctx, form=form, status_code=400),
        action=form.step,  # None only when the form has an error: then nothing is taken
        on=form.on,
        outcome=form.outcome,
        reviewer=form.reviewer,
        late_reason=form.late_reason,
        letter=form.letter,
        notes=form.notes,
    )


def request_message(ctx: RequestContext) -> Response:
    form = MessageForm(ctx.form)
    if form.valid:
        with form.service_errors():
            conversation.message_on_request(ctx.unit, *_request_ids(ctx), body=form.message)
    if ctx.is_htmx:  # htmx swaps only 2xx answers: the fragment carries any error
        page = request_read.request_page(ctx.unit, *_request_ids(ctx)).context()
        shown: dict[str, Any] = {"errors": FieldErrors(), "values": {}}
        if not form.valid:
            shown = {"errors": form.errors, "values": form.values}
        return ctx.render("vlu/request.html", {**page, **shown}, block="conversation")
    if not form.valid:
        return _render_request(ctx, form=form, status_code=400)
    ctx.flash("Message posted")
    return _back_to_request(ctx)


# --- the letter, printable and as a PDF ------------------------------------------------------


def _withheld(ctx: RequestContext, letter: request_read.LetterPage) -> Response:
    return ctx.render("vlu/letter_withheld.html", letter.context(), status_code=409)


def letter_view(ctx: RequestContext) -> Response:
    letter = request_read.letter_page(ctx.unit, *_request_ids(ctx))
    if letter.withheld:
        return _withheld(ctx, letter)
    return ctx.render("vlu/letter.html", letter.context())


def letter_pdf(ctx: RequestContext) -> Response:
    pdf = request_read.letter_pdf(ctx.unit, *_request_ids(ctx))
    if pdf.page.withheld:
        return _withheld(ctx, pdf.page)
    if pdf.unprintable:
        case_id, request_id = _request_ids(ctx)
        back = ctx.url_for("vlu_request", case_id=case_id, request_id=request_id)
        return unprintable(ctx, pdf.unprintable, back, "Back to the letter's page")
    return pdf_response(pdf.pdf, pdf.filename)


# --- a bulk job's progress -------------------------------------------------------------------


def job_view(ctx: RequestContext) -> Response:
    return ctx.render(
        "vlu/job.html", read.job_page(ctx.unit, ctx.path_id("job_id")).context(), block="progress"
    )


P = Permission
VIEW = requires(P.VIEW_LETTER_REQUESTS)
REASONS, BULK = requires(P.SUPPLY_REASONS), requires(P.RUN_BULK_LETTERS)
DRAFT, READ = requires(P.DRAFT_LETTER), requires(P.READ_LETTER)
REVIEW = requires_any(P.RECORD_REVIEW_REQUEST, P.HANDLE_REVIEW)
DECISION = "/vlu/cases/{case_id}/decisions/{decision_id}"
REQUEST = "/vlu/cases/{case_id}/requests/{request_id}"

routes = [
    get("/vlu", queue, VIEW, "vlu_queue"),
    get("/vlu/waiting-for-reasons", waiting_for_reasons, REASONS, "vlu_work"),
    get(DECISION, decision_view, VIEW, "vlu_decision"),
    post(f"{DECISION}/reasons", decision_reasons, REASONS, "vlu_reasons"),
    post(f"{DECISION}/bulk", decision_bulk, BULK, "vlu_bulk"),
    get(REQUEST, request_view, VIEW, "vlu_request"),
    post(f"{REQUEST}/draft", request_draft, DRAFT, "vlu_draft"),
    post(f"{REQUEST}/readability", request_readability, DRAFT, "vlu_readability"),
    post(f"{REQUEST}/check", request_check, requires(P.CHECK_LETTER), "vlu_check"),
    post(f"{REQUEST}/send", request_send, requires(P.SEND_LETTER), "vlu_send"),
    post(f"{REQUEST}/review", request_review, REVIEW, "vlu_review"),
    post(f"{REQUEST}/messages", request_message, requires(P.MESSAGE_ON_REQUEST), "vlu_message"),
    get(f"{REQUEST}/letter", letter_view, READ, "vlu_letter"),
    get(f"{REQUEST}/letter.pdf", letter_pdf, READ, "vlu_letter_pdf"),
    get("/vlu/jobs/{job_id}", job_view, BULK, "vlu_job"),
    *finishing_routes,
]
