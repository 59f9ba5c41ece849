"""Special measures pages (the edge): the case at a glance, each witness's eligibility, the
application's forms (identify and request; draft, serve, decide, vary), the printable
application and the applications waiting in My work.

Each handler parses (``portal.special_measures.forms``), makes one service call through
``ctx.unit`` and renders or redirects. Access is declared per route (deny by default) and
checked again by the services and the state machine; every case, witness and application is
looked up inside the actor's case scope (404 otherwise), and every page that shows personal
data is logged by its service (ids and references only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.cases.reference import CourtType
from portal.special_measures import forms
from portal.special_measures.eligibility import MEASURES
from portal.special_measures.service import (
    assessing,
    deciding,
    document,
    drafting,
    identifying,
    pages,
    serving,
    worklist,
)
from portal.special_measures.states import PENDING, Outcome, State
from portal.web.downloads import pdf_response
from portal.web.forms import Form
from portal.web.pages import form_page, get, model_context, post, show_form, unprintable
from portal.web.routing import RequestContext, requires

P = Permission
PER_PAGE = 25
VIEW, PRINT = requires(P.VIEW_SPECIAL_MEASURES), requires(P.PRINT_SPECIAL_MEASURES)
ASSESS, IDENTIFY = requires(P.ASSESS_SPECIAL_MEASURES), requires(P.IDENTIFY_SPECIAL_MEASURES_NEED)
REQUEST, DRAFT = requires(P.REQUEST_SPECIAL_MEASURES), requires(P.DRAFT_SPECIAL_MEASURES)
SERVE, DECIDE = requires(P.SERVE_SPECIAL_MEASURES), requires(P.RECORD_SPECIAL_MEASURES_DECISION)


def _witness_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("person_id")


def _application_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("application_id")


def _context(page: Any) -> dict[str, Any]:
    """A read model's fields as the template's names, with the labels every page uses."""
    return model_context(
        page,
        skip=("initial",),
        court=CourtType(page.case.court_type).label,
        measure_labels=MEASURES,
        states=State.labels(),
        outcomes=Outcome.labels(),
    )


def _show(
    ctx: RequestContext, template: str, page: Any, form: Form | None, kind: type[Form]
) -> Response:
    """A form page: the form as sent back (``form``), or first shown from stored values."""
    return show_form(
        ctx, f"special_measures/{template}.html", form, kind, page.initial, _context(page)
    )


def _to_application(ctx: RequestContext) -> Response:
    case_id, application_id = _application_ids(ctx)
    return ctx.redirect("sm_application", case_id=case_id, application_id=application_id)


# --- the reading pages ----------------------------------------------------------------------


def case_view(ctx: RequestContext) -> Response:
    page = pages.case_page(
        ctx.unit, ctx.path_id("case_id"), page=ctx.page_number(), per_page=PER_PAGE
    )
    page_url = ctx.url_for("sm_case", case_id=page.case.id)
    return ctx.render(
        "special_measures/case.html", {**_context(page), "page_url": page_url}, block="witnesses"
    )


def witness_view(ctx: RequestContext) -> Response:
    page = pages.witness_page(ctx.unit, *_witness_ids(ctx))
    return ctx.render("special_measures/witness.html", _context(page))


def application_view(ctx: RequestContext) -> Response:
    page = pages.application_page(ctx.unit, *_application_ids(ctx))
    return ctx.render("special_measures/application.html", _context(page))


# --- the form pages ------------------------------------------------------------------------
#
# Each form page is one ``_<page>(ctx, form=None)``: the page first shown (``form`` None, so
# from stored values) or shown again with the form as sent back. Its save parses, makes the
# service call and ends in ``_saved``.

Again = Callable[[RequestContext, Any], Response]


class Shown(Protocol):
    """A form page's handler: first shown (``form`` None), or again with the form sent back."""

    def __call__(self, ctx: RequestContext, form: Form | None = None) -> Response: ...


def _form_page(
    template: str,
    kind: type[Form],
    read: Callable[..., Any],
    ids: Callable[[RequestContext], tuple[uuid.UUID, uuid.UUID]],
    /,
    **options: Any,
) -> Shown:
    """The handler of a form page: its read model ``read(unit, *ids, first=..., **options)``
    rendered through ``template`` with a ``kind`` form."""

    def shown(ctx: RequestContext, form: Form | None = None) -> Response:
        page = read(ctx.unit, *ids(ctx), first=form is None, **options)
        return _show(ctx, template, page, form, kind)

    return shown


def _to_witness(ctx: RequestContext) -> Response:
    case_id, person_id = _witness_ids(ctx)
    return ctx.redirect("sm_witness", case_id=case_id, person_id=person_id)


def _saved(
    ctx: RequestContext,
    form: Form,
    again: Again,
    message: str,
    then: Callable[[RequestContext], Response] = _to_application,
) -> Response:
    """After a save: the form again with its errors, or ``message`` and the page ``then``
    (by default the application)."""
    if not form.valid:
        return again(ctx, form)
    ctx.flash(message)
    return then(ctx)


# --- the eligibility assessment -------------------------------------------------------------


_assessment = _form_page(
    "assessment", forms.AssessmentForm, assessing.assessment_page, _witness_ids
)


def assessment_save(ctx: RequestContext) -> Response:
    form = forms.AssessmentForm(ctx.form)
    with form.saving():
        assessing.record_assessment(
            ctx.unit, *_witness_ids(ctx), form.command(), refused=form.refused()
        )
    return _saved(ctx, form, _assessment, "Eligibility assessment saved", _to_witness)


# --- identify and request (witness care officers) -------------------------------------------


_identify = _form_page("identify", forms.IdentifyForm, identifying.identify_page, _witness_ids)


def identify_save(ctx: RequestContext) -> Response:
    form = forms.IdentifyForm(ctx.form)
    if form.valid:
        with form.service_errors():
            application = identifying.identify_need(
                ctx.unit, *_witness_ids(ctx), measures=form.measures, request_now=form.request_now
            )
    if not form.valid:
        return _identify(ctx, form)
    ctx.flash(
        "Special measures requested of the prosecutor"
        if form.request_now
        else "Need for special measures recorded"
    )
    return ctx.redirect(
        "sm_application", case_id=application.case_id, application_id=application.id
    )


def request_save(ctx: RequestContext) -> Response:
    form = forms.RequestForm(ctx.form)
    with form.saving():
        identifying.request_application(
            ctx.unit, *_application_ids(ctx), expected_version=form.version
        )
    ctx.flash(forms.UPDATED if form.stale else "Special measures requested of the prosecutor")
    return _to_application(ctx)


# --- draft, serve, decide, vary (prosecutors) -----------------------------------------------


def _draft(ctx: RequestContext, form: forms.DraftForm | None = None) -> Response:
    chosen = None if form is None else [m for m in form.measures if m in MEASURES]
    page = drafting.draft_page(ctx.unit, *_application_ids(ctx), chosen=chosen)
    return _show(ctx, "draft", page, form, forms.DraftForm)


def draft_save(ctx: RequestContext) -> Response:
    form = forms.DraftForm(ctx.form)
    with form.saving():
        drafting.draft_application(
            ctx.unit, *_application_ids(ctx), form.draft(), refused=form.refused()
        )
    return _saved(ctx, form, _draft, "Application drafted")


_serve = _form_page("serve", forms.ServeForm, serving.serve_page, _application_ids)


def serve_save(ctx: RequestContext) -> Response:
    form = forms.ServeForm(ctx.form)
    if form.valid:
        with form.saving():
            serving.serve_application(
                ctx.unit,
                *_application_ids(ctx),
                served_on=form.served_on,
                late_reason=form.late_reason,
                expected_version=form.version,
            )
    return _saved(ctx, form, _serve, "Application served")


_decision = _form_page(
    "decision", forms.DecisionForm, deciding.decision_page, _application_ids, kind="decision"
)
_variation = _form_page(
    "decision", forms.VariationForm, deciding.decision_page, _application_ids, kind="variation"
)


def decision_save(ctx: RequestContext) -> Response:
    form = forms.DecisionForm(ctx.form)
    created: list[Any] = []
    if form.valid:
        with form.saving():
            record = form.build(deciding.CourtRecord)
            created = deciding.record_decision(
                ctx.unit, *_application_ids(ctx), form.outcome, record
            )
    message = (
        "Decision recorded: the witness care unit must tell the witness"
        if created
        else "Decision recorded"
    )
    return _saved(ctx, form, _decision, message)


def variation_save(ctx: RequestContext) -> Response:
    form = forms.VariationForm(ctx.form)
    if form.valid:
        with form.saving():
            record = form.build(deciding.CourtRecord)
            deciding.record_variation(ctx.unit, *_application_ids(ctx), form.action, record)
    message = "Direction discharged" if form.action == "discharge" else "Direction varied"
    return _saved(ctx, form, _variation, message)


# --- the application document ---------------------------------------------------------------


def document_view(ctx: RequestContext) -> Response:
    context = document.document_page(ctx.unit, *_application_ids(ctx))
    return ctx.render("special_measures/document.html", context)


def document_pdf(ctx: RequestContext) -> Response:
    printed = document.document_pdf(ctx.unit, *_application_ids(ctx))
    if printed.body is None:
        back = ctx.url_for(
            "sm_application", case_id=printed.case_id, application_id=printed.application_id
        )
        return unprintable(ctx, printed.refused, back, "Back to the application")
    return pdf_response(printed.body, printed.filename)


# --- My work --------------------------------------------------------------------------------


def work_page(ctx: RequestContext) -> Response:
    page = worklist.work_page(ctx.unit)
    return ctx.render(
        "special_measures/work.html",
        {
            "items": page.items,
            "names": page.names,
            "states": State.labels(),
            "measure_labels": MEASURES,
            "pending": {s.value for s in PENDING},
        },
        block="sm_work",
    )


CASE = "/cases/{case_id}/special-measures"
WITNESS = CASE + "/witnesses/{person_id}"
APPLICATION = CASE + "/applications/{application_id}"

routes = [
    get("/special-measures", work_page, requires(P.VIEW_SPECIAL_MEASURES_WORK), "sm_work"),
    get(CASE, case_view, VIEW, "sm_case"),
    get(WITNESS, witness_view, VIEW, "sm_witness"),
    *form_page(WITNESS + "/assessment", _assessment, assessment_save, ASSESS, "sm_assessment"),
    *form_page(WITNESS + "/identify", _identify, identify_save, IDENTIFY, "sm_identify"),
    get(APPLICATION, application_view, VIEW, "sm_application"),
    post(APPLICATION + "/request", request_save, REQUEST, "sm_request"),
    *form_page(APPLICATION + "/draft", _draft, draft_save, DRAFT, "sm_draft"),
    *form_page(APPLICATION + "/serve", _serve, serve_save, SERVE, "sm_serve"),
    *form_page(APPLICATION + "/decision", _decision, decision_save, DECIDE, "sm_decision"),
    *form_page(APPLICATION + "/variation", _variation, variation_save, DECIDE, "sm_variation"),
    get(APPLICATION + "/document", document_view, PRINT, "sm_document"),
    get(APPLICATION + "/document.pdf", document_pdf, PRINT, "sm_document_pdf"),
]
