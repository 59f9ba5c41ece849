"""VLU pages that finish a bulk decision: the letters a bulk send left unsent (the list, its
export, asking witness care for safe-contact details) and the second check of the batch (the
letters to read, each one read, the approval). Declared here, added to ``portal.vlu.routes``.
As there, each route parses, makes one service call and renders or redirects."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.vlu.forms import ApproveBatchForm, AskForm, ConfirmForm
from portal.vlu.service import bulk_check, unsent
from portal.web.downloads import csv_response
from portal.web.forms import FieldErrors, Form
from portal.web.pages import get, post
from portal.web.routing import RequestContext, requires
from portal.web.stepup import step_up


def _decision_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("decision_id")


# --- the letters a bulk send left unsent -----------------------------------------------------


def _unsent_reasons(ctx: RequestContext) -> list[str]:
    return unsent.reasons_of(ctx.request.query_params.getlist("reason"))


def _render_not_sent(
    ctx: RequestContext, *, errors: FieldErrors | None = None, status_code: int = 200
) -> Response:
    case_id, decision_id = _decision_ids(ctx)
    reasons = _unsent_reasons(ctx)
    page = unsent.not_sent_page(
        ctx.unit, case_id, decision_id, reasons=reasons, page=ctx.page_number()
    ).context()
    query = urlencode([("reason", code) for code in reasons])
    base = ctx.url_for("vlu_not_sent", case_id=case_id, decision_id=decision_id)
    csv = ctx.url_for("vlu_not_sent_csv", case_id=case_id, decision_id=decision_id)
    shown = {
        "page_url": f"{base}?{query}" if query else base,
        "csv_url": f"{csv}?{query}" if query else csv,
        "errors": errors or FieldErrors(),
        "values": {},
    }
    return ctx.render("vlu/not_sent.html", {**page, **shown}, status_code=status_code)


def not_sent_view(ctx: RequestContext) -> Response:
    return _render_not_sent(ctx)


@step_up
def not_sent_csv(ctx: RequestContext) -> Response:
    table = unsent.not_sent_csv(ctx.unit, *_decision_ids(ctx), reasons=_unsent_reasons(ctx))
    return csv_response(table, "letters-not-sent.csv")


def ask_witness_care(ctx: RequestContext) -> Response:
    form = AskForm(ctx.form)
    asked = 0
    if form.valid:
        with form.service_errors():
            asked = unsent.ask_witness_care(ctx.unit, *_decision_ids(ctx))
    if not form.valid:
        return _render_not_sent(ctx, errors=form.errors, status_code=400)
    ctx.flash(
        f"Witness care asked for the safe-contact details of {asked} "
        f"{'victim' if asked == 1 else 'victims'}"
    )
    case_id, decision_id = _decision_ids(ctx)
    return ctx.redirect("vlu_not_sent", case_id=case_id, decision_id=decision_id)


# --- the second check of a bulk decision --------------------------------------------------------


def _render_check(
    ctx: RequestContext, *, form: Form | None = None, status_code: int = 200
) -> Response:
    page = bulk_check.check_page(ctx.unit, *_decision_ids(ctx)).context()
    errors = form.errors if form is not None else FieldErrors()
    values = form.values if form is not None else {}
    return ctx.render(
        "vlu/bulk_check.html", {**page, "errors": errors, "values": values}, status_code=status_code
    )


def _check_letter_path(ctx: RequestContext, request_id: uuid.UUID) -> str:
    case_id, decision_id = _decision_ids(ctx)
    return ctx.url_for(
        "vlu_bulk_check_letter", case_id=case_id, decision_id=decision_id, request_id=request_id
    )


def check_view(ctx: RequestContext) -> Response:
    return _render_check(ctx)


def check_start(ctx: RequestContext) -> Response:
    form = ConfirmForm(ctx.form)
    if form.valid:
        with form.service_errors():
            bulk_check.start_check(ctx.unit, *_decision_ids(ctx))
    if not form.valid:
        return _render_check(ctx, form=form, status_code=400)
    case_id, decision_id = _decision_ids(ctx)
    return ctx.redirect("vlu_bulk_check", case_id=case_id, decision_id=decision_id)


def check_letter(ctx: RequestContext) -> Response:
    page = bulk_check.letter_to_read(ctx.unit, *_decision_ids(ctx), ctx.path_id("request_id"))
    return ctx.render("vlu/bulk_check_letter.html", page.context())


def check_read(ctx: RequestContext) -> Response:
    following = bulk_check.mark_read(ctx.unit, *_decision_ids(ctx), ctx.path_id("request_id"))
    if following is not None:
        return ctx.redirect_to(_check_letter_path(ctx, following))
    ctx.flash("Every letter in the check has been read: you can now approve them")
    case_id, decision_id = _decision_ids(ctx)
    return ctx.redirect("vlu_bulk_check", case_id=case_id, decision_id=decision_id)


def check_approve(ctx: RequestContext) -> Response:
    form = ApproveBatchForm(ctx.form)
    if form.valid:
        with form.service_errors():
            job = bulk_check.approve_checked(
                ctx.unit, *_decision_ids(ctx), checklist=set(form.checklist)
            )
    if not form.valid:
        return _render_check(ctx, form=form, status_code=400)
    return ctx.redirect("vlu_job", job_id=job.id)


BULK = requires(Permission.RUN_BULK_LETTERS)
DECISION = "/vlu/cases/{case_id}/decisions/{decision_id}"
LETTER = f"{DECISION}/check/letters/{{request_id}}"

routes = [
    get(f"{DECISION}/not-sent", not_sent_view, BULK, "vlu_not_sent"),
    get(f"{DECISION}/not-sent.csv", not_sent_csv, BULK, "vlu_not_sent_csv"),
    post(f"{DECISION}/not-sent/ask", ask_witness_care, BULK, "vlu_ask_witness_care"),
    get(f"{DECISION}/check", check_view, BULK, "vlu_bulk_check"),
    post(f"{DECISION}/check", check_start, BULK, "vlu_bulk_check_start"),
    post(f"{DECISION}/check/approve", check_approve, BULK, "vlu_bulk_check_approve"),
    get(LETTER, check_letter, BULK, "vlu_bulk_check_letter"),
    post(f"{LETTER}/read", check_read, BULK, "vlu_bulk_check_read"),
]
