"""Case pages: the list, opening a case, the case page and recording case events.

Each handler parses (a form, query parameters), makes one call to ``portal.cases.pages`` and
renders or redirects.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.cases import pages
from portal.cases.forms import EventForm, NewCaseForm
from portal.cases.reference import EventKind
from portal.web.forms import render_form
from portal.web.pages import form_page, get
from portal.web.routing import RequestContext, requires


def case_id_of(ctx: RequestContext) -> uuid.UUID:
    return ctx.path_id("case_id")


# --- list -----------------------------------------------------------------------------------


def case_list(ctx: RequestContext) -> Response:
    query = ctx.request.query_params
    found = pages.case_list(
        ctx.unit,
        page=ctx.page_number(),
        category=query.get("category", ""),
        urn=query.get("urn", ""),
    )
    base_url = ctx.url_for("case_list")
    filters = found.filters
    return ctx.render(
        "cases/index.html",
        {
            "page": found.page,
            "offences": found.offences,
            "enhanced": found.enhanced,
            "urn": found.urn,
            "category": found.category,
            "categories": found.categories,
            "areas": found.areas,
            "page_url": base_url + ("?" + urlencode(filters) if filters else ""),
            "may_open": found.may_open,
        },
        block="results",
    )


# --- opening a case -------------------------------------------------------------------------


def case_new(ctx: RequestContext) -> Response:
    form = NewCaseForm.initial(area=ctx.actor.area or "", unit=ctx.actor.unit or "", offences=[])
    return render_form(ctx, "cases/new.html", form, pages.new_case_options())


def case_create(ctx: RequestContext) -> Response:
    form = NewCaseForm(ctx.form)
    with form.service_errors():
        case = pages.open_new_case(ctx.unit, form.command(), form_invalid=not form.valid)
    if not form.valid:
        return render_form(ctx, "cases/new.html", form, pages.new_case_options())
    ctx.flash(f"Case {case.urn} opened")
    return ctx.redirect("case_detail", case_id=case.id)


# --- the case page --------------------------------------------------------------------------


def case_detail(ctx: RequestContext) -> Response:
    query = ctx.request.query_params
    page = pages.case_page(
        ctx.unit, case_id_of(ctx), page=ctx.page_number(), role=query.get("role", "")
    )
    base_url = ctx.url_for("case_detail", case_id=page.case.id)
    role = page.role_filter
    return ctx.render(
        "cases/detail.html",
        {
            **page.context(),
            "people_url": base_url + (f"?role={role}" if role else ""),
            "people_anchor": "#people",
        },
        block="people" if "page" in query or "role" in query else None,
    )


# --- case events ----------------------------------------------------------------------------


def event_new(ctx: RequestContext) -> Response:
    kind = ctx.request.query_params.get("kind", "")
    chosen = EventKind(kind) if kind in {k.value for k in EventKind} else None
    form = EventForm.initial(kind=chosen)
    return render_form(
        ctx, "cases/event_new.html", form, pages.event_form(ctx.unit, case_id_of(ctx))
    )


def event_create(ctx: RequestContext) -> Response:
    form = EventForm(ctx.form)
    case_id = case_id_of(ctx)
    with form.service_errors():
        recorded = pages.record_case_event(
            ctx.unit, case_id, form.command(), form_invalid=not form.valid
        )
    if not form.valid:
        return render_form(ctx, "cases/event_new.html", form, pages.event_form(ctx.unit, case_id))
    ctx.flash(recorded.message)
    return ctx.redirect("case_detail", case_id=recorded.case_id)


VIEW, OPEN = requires(Permission.VIEW_CASES), requires(Permission.OPEN_CASE)
EVENTS, RECORD = "/cases/{case_id}/events/new", requires(Permission.RECORD_CASE_EVENT)
routes = [
    get("/cases", case_list, VIEW, "case_list"),
    *form_page("/cases/new", case_new, case_create, OPEN, "case_new", save_name="case_create"),
    get("/cases/{case_id}", case_detail, VIEW, "case_detail"),
    *form_page(EVENTS, event_new, event_create, RECORD, "event_new", save_name="event_create"),
]
