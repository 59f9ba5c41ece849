"""Outcomes pages (the edge): a case's outcomes, its victims' losses and shares, the forms for
each order per defendant, a person's losses, and the quarterly performance review."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.outcomes import forms
from portal.outcomes.models import Enforcement, Finalised, LossKind, OrderStatus
from portal.outcomes.money import pounds
from portal.outcomes.service import ancillary, compensation, confiscation, pages, review_pages
from portal.outcomes.service import review as performance
from portal.web.downloads import csv_response
from portal.web.forms import Form, london_today, render_form
from portal.web.pages import form_page, get, model_context
from portal.web.routing import Handler, RequestContext, requires
from portal.web.stepup import step_up

VIEW = requires(Permission.VIEW_OUTCOMES)
RECORD = requires(Permission.RECORD_COURT_ORDERS)
REVIEW = requires(Permission.VIEW_PERFORMANCE_REVIEW)
PER_PAGE = 50
LABELS: dict[str, Any] = {
    "status": OrderStatus.labels(),
    "enforcement": Enforcement.labels(),
    "finalised": Finalised.labels(),
    "loss": LossKind.labels(),
}


def _ids(ctx: RequestContext, *names: str) -> list[uuid.UUID]:
    return [ctx.path_id(name) for name in names]


def _context(page: Any) -> dict[str, Any]:
    """A read model's fields as the template's names, with the money helpers every page uses."""
    return model_context(page, pounds=pounds, labels=LABELS)


def _form_page_of(
    child: str, read: Callable[[Unit, uuid.UUID, uuid.UUID], object], template: str
) -> Callable[[RequestContext, Form], Response]:
    """The page of one thing of the case (the path's ``case_id`` and ``child`` ids) with its
    form: shown blank on GET, and again with the errors of a POST."""

    def page(ctx: RequestContext, form: Form) -> Response:
        found = read(ctx.unit, *_ids(ctx, "case_id", child))
        return render_form(ctx, template, form, _context(found))

    return page


# --- the case's outcomes ------------------------------------------------------------------------


def case_outcomes(ctx: RequestContext) -> Response:
    page = pages.case_outcomes(ctx.unit, ctx.path_id("case_id"))
    return ctx.render("outcomes/case.html", _context(page))


def case_victims(ctx: RequestContext) -> Response:
    """One page of the case's victims with their losses and shares (2,000 in the big case)."""
    page = pages.case_victims(
        ctx.unit, ctx.path_id("case_id"), page=ctx.page_number(), per_page=PER_PAGE
    )
    return ctx.render("outcomes/victims.html", _context(page))


def _post(
    ctx: RequestContext,
    form: Form,
    call: Callable[[], object],
    again: Callable[[RequestContext, Form], Response],
    message: str,
    back: str,
    **params: object,
) -> Response:
    """A form's POST: the use case when the form is valid; the page again with the errors (the
    form's or the service's); else ``message`` and back to the page named ``back``."""
    if form.valid:
        with form.service_errors():
            call()
    if not form.valid:
        return again(ctx, form)
    ctx.flash(message)
    return ctx.redirect(back, **params)


def _record(
    ctx: RequestContext,
    form: Form,
    child: str,
    call: Callable[[uuid.UUID, uuid.UUID], object],
    again: Callable[[RequestContext, Form], Response],
    message: str,
    back: str,
    **params: object,
) -> Response:
    """A form's POST on one thing of the case (the path's ``case_id`` and ``child`` ids, given
    to ``call``), then back to the page ``back`` of the same case."""
    return _post(
        ctx,
        form,
        lambda: call(*_ids(ctx, "case_id", child)),
        again,
        message,
        back,
        case_id=ctx.request.path_params["case_id"],
        **params,
    )


# --- a person's losses --------------------------------------------------------------------------


def _child_form(
    child: str,
    page: Callable[[RequestContext, Form], Response],
    form_class: type[Form],
    call: Callable[[Unit, uuid.UUID, uuid.UUID, Any], object],
    message: str,
    back: str,
    *,
    name: str,
    back_to_child: bool = True,
) -> tuple[Handler, Handler]:
    """The GET and POST handlers of a ``page`` about one thing of the case (the path's
    ``case_id`` and ``child`` ids) with its form: shown blank on GET; on POST the use case
    ``call`` gets the unit, the ids and the valid form, then ``message`` and back to the page
    named ``back`` (of the same thing, with ``back_to_child``, else of the case)."""

    def show(ctx: RequestContext) -> Response:
        return page(ctx, form_class())

    def save(ctx: RequestContext) -> Response:
        form = form_class(ctx.form)
        # the path's id, as the service found the thing by it
        params = {child: ctx.path_id(child)} if back_to_child else {}
        return _record(
            ctx,
            form,
            child,
            lambda case_id, child_id: call(ctx.unit, case_id, child_id, form),
            page,
            message,
            back,
            **params,
        )

    show.__name__, save.__name__ = name, f"{name}_save"
    return show, save


person_losses, person_loss_add = _child_form(
    "person_id",
    _form_page_of("person_id", pages.person_losses, "outcomes/person.html"),
    forms.LossForm,
    lambda unit, case_id, person_id, form: pages.add_loss(
        unit,
        case_id,
        person_id,
        kind=form.kind,
        amount=form.amount,
        description=form.description,
        proven=form.proven,
    ),
    "Loss recorded",
    "outcomes_person",
    name="person_losses",
)


# --- orders per defendant -----------------------------------------------------------------------


def _render_order_form(
    ctx: RequestContext, template: str, form: Form, page: pages.DefendantForm
) -> Response:
    return render_form(
        ctx,
        f"outcomes/{template}.html",
        form,
        {"case": page.case, "pounds": pounds, "labels": LABELS, "defendant": page.defendant},
    )


def _order(
    template: str,
    form_class: type[Form],
    message: str,
    call: Callable[[Unit, uuid.UUID, uuid.UUID, Any], object],
) -> tuple[Handler, Handler]:
    """The form ``template`` for an order against one defendant, then back to the case."""

    def page(ctx: RequestContext, form: Form) -> Response:
        found = pages.defendant_form(ctx.unit, *_ids(ctx, "case_id", "defendant_id"))
        return _render_order_form(ctx, template, form, found)

    return _child_form(
        "defendant_id",
        page,
        form_class,
        call,
        message,
        "outcomes_case",
        name=template,
        back_to_child=False,
    )


def _command_to(
    record: Callable[..., object],
) -> Callable[[Unit, uuid.UUID, uuid.UUID, Any], object]:
    """Record an order with ``record``, the form's ``command()`` its input."""
    return lambda unit, case_id, defendant_id, form: pages.record_order(
        unit, case_id, defendant_id, record, form.command()
    )


compensation_new, compensation_save = _order(
    "compensation",
    forms.CompensationForm,
    "Compensation order recorded",
    _command_to(compensation.record_order),
)


def confiscation_edit(ctx: RequestContext) -> Response:
    page = pages.confiscation_form(ctx.unit, *_ids(ctx, "case_id", "defendant_id"))
    form = forms.ConfiscationForm.of(page.confiscation)
    return _render_order_form(ctx, "confiscation", form, page)


_, confiscation_save = _order(
    "confiscation",
    forms.ConfiscationForm,
    "Confiscation recorded",
    _command_to(confiscation.record),
)
ancillary_new, ancillary_save = _order(
    "ancillary",
    forms.AncillaryForm,
    "Ancillary order recorded",
    _command_to(ancillary.record_order),
)
finalise_new, finalise_save = _order(
    "finalise",
    forms.FinaliseForm,
    "Outcome recorded",
    lambda unit, case_id, defendant_id, form: pages.record_finalised(
        unit,
        case_id,
        defendant_id,
        outcome=form.outcome,
        finalised_on=form.finalised_on,
        today=london_today(),
    ),
)


compensation_order, payment_add = _child_form(
    "order_id",
    _form_page_of("order_id", pages.order_page, "outcomes/order.html"),
    forms.PaymentForm,
    lambda unit, case_id, order_id, form: pages.record_payment(
        unit, case_id, order_id, amount=form.payment, received_on=form.received_on
    ),
    "Payment recorded",
    "outcomes_order",
    name="compensation_order",
)


# --- the performance review ---------------------------------------------------------------------


def _review_params(ctx: RequestContext) -> tuple[str, int | None]:
    by = ctx.request.query_params.get("by", "quarter")
    if by not in performance.DIMENSIONS:
        by = "quarter"
    this_year = performance.financial_year(london_today())
    year = ctx.query_int("year", this_year, low=this_year - 9, high=this_year)
    return by, (None if by == "year" else year)


def review_page(ctx: RequestContext) -> Response:
    by, year = _review_params(ctx)
    result = review_pages.review_page(ctx.unit, by=by, year=year, today=london_today())
    return ctx.render(
        "outcomes/review.html",
        {
            "review": result,
            "by": by,
            "year": year,
            "dimensions": performance.DIMENSIONS,
            "measures": performance.MEASURES,
            "finalised_labels": Finalised.labels(),
            "year_label": performance.year_label,
            "pounds": pounds,
        },
    )


@step_up
def review_csv(ctx: RequestContext) -> Response:
    by, year = _review_params(ctx)
    table = review_pages.review_csv(ctx.unit, by=by, year=year, today=london_today())
    return csv_response(table, f"performance-review-{by}.csv")


def review_cases(ctx: RequestContext) -> Response:
    by, year = _review_params(ctx)
    key = ctx.request.query_params.get("key", "")[:60]
    cases = review_pages.review_cases(ctx.unit, by=by, year=year, key=key, today=london_today())
    return ctx.render(
        "outcomes/review_cases.html",
        {"cases": cases, "by": by, "year": year, "dimensions": performance.DIMENSIONS, "key": key},
    )


CASE = "/cases/{case_id}/outcomes"
DEFENDANT = CASE + "/defendants/{defendant_id}"


LOSSES = "/cases/{case_id}/people/{person_id}/losses"
RECORD_LOSSES = requires(Permission.RECORD_LOSSES)
# The defendant's order forms, each a page and its POST: /{kind} under the defendant.
ORDER_FORMS: dict[str, tuple[Handler, Handler]] = {
    "compensation": (compensation_new, compensation_save),
    "confiscation": (confiscation_edit, confiscation_save),
    "ancillary": (ancillary_new, ancillary_save),
    "finalise": (finalise_new, finalise_save),
}
ORDER = CASE + "/compensation/{order_id}"
routes = [
    get(CASE, case_outcomes, VIEW, "outcomes_case"),
    get(CASE + "/victims", case_victims, VIEW, "outcomes_victims"),
    *form_page(
        LOSSES, person_losses, person_loss_add, VIEW, "outcomes_person", save_access=RECORD_LOSSES
    ),
    *(
        route
        for kind, (show, save) in ORDER_FORMS.items()
        for route in form_page(f"{DEFENDANT}/{kind}", show, save, RECORD, f"outcomes_{kind}")
    ),
    *form_page(ORDER, compensation_order, payment_add, VIEW, "outcomes_order", save_access=RECORD),
    get("/outcomes/review", review_page, REVIEW, "outcomes_review"),
    get("/outcomes/review.csv", review_csv, REVIEW, "outcomes_review_csv"),
    get("/outcomes/review/cases", review_cases, REVIEW, "outcomes_review_cases"),
]
