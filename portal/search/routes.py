"""The search page, ``/search``.

A URN is not personal data, so the case search is a GET (bookmarkable, paginated by query
string). Names, dates of birth and reference numbers are: that search is a POST, so they never
appear in a URL, a browser history or an access log, and its pages are POSTs too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.cases.reference import AREAS
from portal.search import forms, service
from portal.web.forms import FieldErrors
from portal.web.params import MAX_PAGE
from portal.web.routing import PortalRoute, RequestContext, requires

SEARCHERS = requires(Permission.SEARCH)
PER_PAGE = 25


def _context(ctx: RequestContext, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "errors": FieldErrors(),
        "urn": "",
        "values": {},
        "cases_page": None,
        "people_page": None,
        "names": {},
        "births": {},
        "pseudonymised": ctx.vault.pseudonymised,  # layout only: the vault hides the names
        "areas": AREAS,
        "page_url": "",
        "searched": None,
    }
    base.update(values)
    return base


def search_page(ctx: RequestContext) -> Response:
    raw = ctx.request.query_params.get("urn")
    if raw is None:
        return ctx.render("search/index.html", _context(ctx))
    urn, errors = forms.parse_urn(raw)
    if errors:
        return ctx.render(
            "search/index.html",
            _context(ctx, errors=errors, urn=raw[:40], searched="urn"),
            status_code=400,
        )
    page = service.search_cases(ctx.unit, urn, page=ctx.page_number())
    return ctx.render(
        "search/index.html",
        _context(
            ctx,
            urn=urn,
            cases_page=page,
            searched="urn",
            page_url=ctx.url_for("search") + "?" + urlencode({"urn": urn}),
        ),
        block="results",
    )


def search_people_submit(ctx: RequestContext) -> Response:
    values, errors, query = forms.parse_person(ctx.form or FormData())
    if errors:
        return ctx.render(
            "search/index.html",
            _context(ctx, errors=errors, values=values, searched="people"),
            status_code=400,
        )
    found = service.search_people_page(
        ctx.unit,
        query,
        page=ctx.form_int("page", 1, low=1, high=MAX_PAGE),
        per_page=PER_PAGE,
    )
    return ctx.render(
        "search/index.html",
        _context(
            ctx,
            values=values,
            people_page=found.page,
            names=found.names,
            births=found.births,
            searched="people",
        ),
    )


routes = [
    PortalRoute("/search", search_page, access=SEARCHERS, name="search"),
    PortalRoute(
        "/search", search_people_submit, access=SEARCHERS, methods=["POST"], name="search_submit"
    ),
]
