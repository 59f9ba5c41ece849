"""Outcomes pages (the edge): a case's outcomes, its victims' losses and shares, the forms for
each order per defendant, a person's losses, and the quarterly performance review."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, Defendant
from portal.kit.csvsafe import CsvTable
from portal.outcomes import forms, repository
from portal.outcomes.models import Enforcement, Finalised, LossKind, OrderStatus
from portal.outcomes.money import pounds
from portal.outcomes.rules import outcomes_rules
from portal.outcomes.service import ancillary, compensation, confiscation, finalised, losses
from portal.outcomes.service import review as performance
from portal.web.downloads import csv_response
from portal.web.forms import Form, london_today, render_form
from portal.web.routing import PortalRoute, RequestContext, requires

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


def _uuid(ctx: RequestContext, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(ctx.request.path_params[name]))
    except ValueError:
        raise CaseNotFound(None) from None


def _case(ctx: RequestContext) -> Case:
    return cases_repo.get_case(ctx.db, ctx.actor, _uuid(ctx, "case_id"))


def _defendant(ctx: RequestContext) -> tuple[Case, Defendant]:
    case = _case(ctx)
    return case, repository.defendant_in_case(ctx.db, case, _uuid(ctx, "defendant_id"))


def _common(ctx: RequestContext, case: Case) -> dict[str, Any]:
    return {"case": case, "pounds": pounds, "labels": LABELS}


# --- the case's outcomes ------------------------------------------------------------------------


def case_outcomes(ctx: RequestContext) -> Response:
    case = _case(ctx)
    db = ctx.db
    orders = repository.compensation_orders(db, case)
    recorded, proven = repository.loss_summary(db, case)
    audit.record(
        db,
        actor=ctx.actor,
        category="consultation",
        action="outcomes.case.view",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    kinds = {k.code: k.title for k in outcomes_rules().ancillary}
    return ctx.render(
        "outcomes/case.html",
        {
            **_common(ctx, case),
            "defendants": repository.defendants_in(db, case),
            "finalised": repository.finalised_of(db, case),
            "orders": orders,
            "paid": repository.paid_by_order(db, [o.id for o in orders]),
            "confiscations": {c.defendant_id: c for c in repository.confiscation_orders(db, case)},
            "ancillary": repository.ancillary_orders(db, case),
            "ancillary_titles": kinds,
            "victims": repository.victim_count(db, case),
            "with_loss": recorded,
            "with_proven_loss": proven,
            "apportionments": repository.apportionments_of(db, case),
            "may_record": ctx.principal is not None
            and ctx.principal.can(Permission.RECORD_COURT_ORDERS),
        },
    )


def case_victims(ctx: RequestContext) -> Response:
    """One page of the case's victims with their losses and shares (2,000 in the big case)."""
    case = _case(ctx)
    page = cases_repo.parties_page(
        ctx.db, case, page=ctx.page_number(), per_page=PER_PAGE, role="victim"
    )
    parties = [party.id for party, _ in page.items]
    vault = ctx.vault
    vault.load({person.key_id for _, person in page.items})
    names = {person.id: vault.open(person, "full_name") for _, person in page.items}
    audit.record_consultations(
        ctx.db,
        actor=ctx.actor,
        action="outcomes.victims.view",
        subjects=[(person.id, person.reference) for _, person in page.items],
        case_id=case.id,
    )
    return ctx.render(
        "outcomes/victims.html",
        {
            **_common(ctx, case),
            "page": page,
            "names": names,
            "losses": losses.losses_of(ctx.db, vault, case, parties),
            "shares": compensation.shares_for(ctx.db, vault, case, parties),
            "apportionments": repository.apportionments_of(ctx.db, case),
            "withheld": vault.pseudonymised,
        },
    )


# --- a person's losses --------------------------------------------------------------------------


def _person_page(ctx: RequestContext, form: Form) -> Response:
    case, party, person = cases_repo.party_in_case(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "person_id")
    )
    vault = ctx.vault
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="outcomes.losses.view",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    return render_form(
        ctx,
        "outcomes/person.html",
        form,
        {
            **_common(ctx, case),
            "party": party,
            "person": person,
            "name": vault.open(person, "full_name"),
            "losses": losses.losses_of(ctx.db, vault, case, [party.id]).get(party.id, []),
            "shares": compensation.shares_for(ctx.db, vault, case, [party.id]).get(party.id, {}),
            "may_record": ctx.principal is not None
            and ctx.principal.can(Permission.RECORD_LOSSES)
            and party.is_victim,
            "withheld": vault.pseudonymised,
        },
    )


def person_losses(ctx: RequestContext) -> Response:
    return _person_page(ctx, forms.LossForm())


def person_loss_add(ctx: RequestContext) -> Response:
    form = forms.LossForm(ctx.form)
    if form.valid:
        case, party, person = cases_repo.party_in_case(
            ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "person_id")
        )
        with form.service_errors():
            losses.record_loss(
                ctx.db,
                ctx.vault,
                ctx.actor,
                case,
                party,
                person,
                kind=form.kind,
                amount=form.amount,
                description=form.description,
                proven=form.proven,
            )
    if not form.valid:
        return _person_page(ctx, form)
    ctx.flash("Loss recorded")
    return ctx.redirect(
        "outcomes_person", case_id=ctx.request.path_params["case_id"], person_id=person.id
    )


# --- orders per defendant -----------------------------------------------------------------------


def _order_form(ctx: RequestContext, template: str, form: Form, **extra: Any) -> Response:
    case, defendant = _defendant(ctx)
    return render_form(
        ctx,
        f"outcomes/{template}.html",
        form,
        {**_common(ctx, case), "defendant": defendant, **extra},
    )


def _saved(ctx: RequestContext, message: str) -> Response:
    ctx.flash(message)
    return ctx.redirect("outcomes_case", case_id=ctx.request.path_params["case_id"])


def _save(
    ctx: RequestContext,
    form: Form,
    template: str,
    message: str,
    call: Callable[[Case, Defendant], object],
) -> Response:
    if form.valid:
        case, defendant = _defendant(ctx)
        with form.service_errors():
            call(case, defendant)
    if not form.valid:
        return _order_form(ctx, template, form)
    return _saved(ctx, message)


def compensation_new(ctx: RequestContext) -> Response:
    return _order_form(ctx, "compensation", forms.CompensationForm())


def compensation_save(ctx: RequestContext) -> Response:
    form = forms.CompensationForm(ctx.form)
    return _save(
        ctx,
        form,
        "compensation",
        "Compensation order recorded",
        lambda case, defendant: compensation.record_order(
            ctx.db, ctx.vault, ctx.actor, case, defendant, form.command()
        ),
    )


def confiscation_edit(ctx: RequestContext) -> Response:
    _, defendant = _defendant(ctx)
    row = repository.confiscation_of(ctx.db, defendant)
    return _order_form(ctx, "confiscation", forms.ConfiscationForm.of(row))


def confiscation_save(ctx: RequestContext) -> Response:
    form = forms.ConfiscationForm(ctx.form)
    return _save(
        ctx,
        form,
        "confiscation",
        "Confiscation recorded",
        lambda case, defendant: confiscation.record(
            ctx.db, ctx.vault, ctx.actor, case, defendant, form.command()
        ),
    )


def ancillary_new(ctx: RequestContext) -> Response:
    return _order_form(ctx, "ancillary", forms.AncillaryForm())


def ancillary_save(ctx: RequestContext) -> Response:
    form = forms.AncillaryForm(ctx.form)
    return _save(
        ctx,
        form,
        "ancillary",
        "Ancillary order recorded",
        lambda case, defendant: ancillary.record_order(
            ctx.db, ctx.vault, ctx.actor, case, defendant, form.command()
        ),
    )


def finalise_new(ctx: RequestContext) -> Response:
    return _order_form(ctx, "finalise", forms.FinaliseForm())


def finalise_save(ctx: RequestContext) -> Response:
    form = forms.FinaliseForm(ctx.form)
    return _save(
        ctx,
        form,
        "finalise",
        "Outcome recorded",
        lambda case, defendant: finalised.record(
            ctx.db,
            ctx.actor,
            case,
            defendant,
            outcome=form.outcome,
            finalised_on=form.finalised_on,
            today=london_today(),
        ),
    )


def _order_page(ctx: RequestContext, form: Form) -> Response:
    case = _case(ctx)
    order = repository.compensation_order(ctx.db, case, _uuid(ctx, "order_id"))
    defendant = repository.defendant_in_case(ctx.db, case, order.defendant_id)
    return render_form(
        ctx,
        "outcomes/order.html",
        form,
        {
            **_common(ctx, case),
            "order": order,
            "defendant": defendant,
            "reason": ctx.vault.open(order, "reason"),
            "payments": repository.payments_of(ctx.db, [order.id]),
            "paid": repository.paid_by_order(ctx.db, [order.id]).get(order.id, 0),
            "may_record": ctx.principal is not None
            and ctx.principal.can(Permission.RECORD_COURT_ORDERS),
        },
    )


def compensation_order(ctx: RequestContext) -> Response:
    return _order_page(ctx, forms.PaymentForm())


def payment_add(ctx: RequestContext) -> Response:
    form = forms.PaymentForm(ctx.form)
    if form.valid:
        case = _case(ctx)
        order = repository.compensation_order(ctx.db, case, _uuid(ctx, "order_id"))
        with form.service_errors():
            compensation.record_payment(
                ctx.db, ctx.actor, case, order, amount=form.payment, received_on=form.received_on
            )
    if not form.valid:
        return _order_page(ctx, form)
    ctx.flash("Payment recorded")
    return ctx.redirect(
        "outcomes_order",
        case_id=ctx.request.path_params["case_id"],
        order_id=ctx.request.path_params["order_id"],
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
    result = performance.review(ctx.db, ctx.actor, dimension=by, year=year, today=london_today())
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="outcomes.review.view",
        object_type="performance_review",
        fields=[f"by={by}", f"year={year}"],
    )
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


def review_csv(ctx: RequestContext) -> Response:
    by, year = _review_params(ctx)
    result = performance.review(ctx.db, ctx.actor, dimension=by, year=year, today=london_today())
    table = CsvTable(performance.CSV_HEADER)
    for row in performance.csv_rows(result):
        table.add(row)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="disclosure",
        action="outcomes.review.export",
        object_type="performance_review",
        fields=[f"by={by}", f"year={year}", f"rows={table.rows}"],
    )
    return csv_response(table, f"performance-review-{by}.csv")


def review_cases(ctx: RequestContext) -> Response:
    by, year = _review_params(ctx)
    key = ctx.request.query_params.get("key", "")[:60]
    cases = performance.drill_down(
        ctx.db, ctx.actor, dimension=by, year=year, key=key, today=london_today()
    )
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="outcomes.review.cases",
        object_type="performance_review",
        fields=[f"by={by}", f"year={year}", f"cases={len(cases)}"],
    )
    return ctx.render(
        "outcomes/review_cases.html",
        {"cases": cases, "by": by, "year": year, "dimensions": performance.DIMENSIONS, "key": key},
    )


CASE = "/cases/{case_id}/outcomes"
DEFENDANT = CASE + "/defendants/{defendant_id}"


def _form(path: str, show: Any, save: Any, name: str, see: Any, act: Any) -> list[PortalRoute]:
    """A page with a form (GET) and where it posts (POST ``name``_save)."""
    return [
        PortalRoute(path, show, access=see, name=name),
        PortalRoute(path, save, access=act, methods=["POST"], name=f"{name}_save"),
    ]


routes = [
    PortalRoute(CASE, case_outcomes, access=VIEW, name="outcomes_case"),
    PortalRoute(CASE + "/victims", case_victims, access=VIEW, name="outcomes_victims"),
    *_form(
        "/cases/{case_id}/people/{person_id}/losses",
        person_losses,
        person_loss_add,
        "outcomes_person",
        VIEW,
        requires(Permission.RECORD_LOSSES),
    ),
    *_form(
        DEFENDANT + "/compensation",
        compensation_new,
        compensation_save,
        "outcomes_compensation",
        RECORD,
        RECORD,
    ),
    *_form(
        DEFENDANT + "/confiscation",
        confiscation_edit,
        confiscation_save,
        "outcomes_confiscation",
        RECORD,
        RECORD,
    ),
    *_form(
        DEFENDANT + "/ancillary",
        ancillary_new,
        ancillary_save,
        "outcomes_ancillary",
        RECORD,
        RECORD,
    ),
    *_form(
        DEFENDANT + "/finalise", finalise_new, finalise_save, "outcomes_finalise", RECORD, RECORD
    ),
    *_form(
        CASE + "/compensation/{order_id}",
        compensation_order,
        payment_add,
        "outcomes_order",
        VIEW,
        RECORD,
    ),
    PortalRoute("/outcomes/review", review_page, access=REVIEW, name="outcomes_review"),
    PortalRoute("/outcomes/review.csv", review_csv, access=REVIEW, name="outcomes_review_csv"),
    PortalRoute(
        "/outcomes/review/cases", review_cases, access=REVIEW, name="outcomes_review_cases"
    ),
]
