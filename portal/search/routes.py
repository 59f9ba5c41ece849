"""The search page, ``/search``.

A URN is not personal data, so the case search is a GET (bookmarkable, paginated by query
string). Names, dates of birth and reference numbers are: that search is a POST, so they never
appear in a URL, a browser history or an access log, and its pages are POSTs too.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.reference import AREAS, normalise_urn
from portal.cases.repository import Page
from portal.clock import utc_now
from portal.search import service
from portal.web.forms import FieldErrors, parse_date_parts
from portal.web.params import MAX_PAGE
from portal.web.routing import PortalRoute, RequestContext, allow

SEARCHERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR)
PER_PAGE = 25
URN_PART = re.compile(r"^[0-9A-Z]{2,16}$")
PERSON_FIELDS = (
    "name",
    "date_of_birth-day",
    "date_of_birth-month",
    "date_of_birth-year",
    "reference",
)


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
    urn = normalise_urn(raw)[:16]
    errors = FieldErrors()
    if not urn:
        errors.add("urn", "Enter a URN, or the start of one")
    elif not URN_PART.fullmatch(urn):
        errors.add("urn", "A URN has only letters and numbers, like 01AB1234526")
    if errors:
        return ctx.render(
            "search/index.html",
            _context(ctx, errors=errors, urn=raw[:40], searched="urn"),
            status_code=400,
        )
    page = cases_repo.list_cases(ctx.db, ctx.actor, page=ctx.page_number(), urn_prefix=urn)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="case.search",
        object_type="search",
        fields=["urn"],
    )
    return ctx.render(
        "search/index.html",
        _context(
            ctx,
            urn=urn,
            cases_page=page,
            searched="urn",
            page_url=str(ctx.request.url_for("search").path) + "?" + urlencode({"urn": urn}),
        ),
        block="results",
    )


def search_people_submit(ctx: RequestContext) -> Response:
    values = {name: ctx.field(name).strip() for name in PERSON_FIELDS}
    values["name"] = " ".join(values["name"].split())
    errors = FieldErrors()
    born, problem = parse_date_parts(
        values["date_of_birth-day"],
        values["date_of_birth-month"],
        values["date_of_birth-year"],
        label="Date of birth",
    )
    typed_date = any(values[f"date_of_birth-{part}"] for part in ("day", "month", "year"))
    if not (values["name"] or values["reference"] or typed_date):
        errors.add("name", "Enter a name, date of birth or reference number")
    if len(values["name"]) > 200:
        errors.add("name", "Name must be 200 characters or fewer")
    if problem:
        errors.add("date_of_birth", problem)
    elif born is not None and born >= utc_now().date():
        errors.add("date_of_birth", "Date of birth must be in the past")
    if len(values["reference"]) > 40:
        errors.add("reference", "Reference number must be 40 characters or fewer")
    if errors:
        return ctx.render(
            "search/index.html",
            _context(ctx, errors=errors, values=values, searched="people"),
            status_code=400,
        )
    matches = service.find_people(
        ctx.db,
        ctx.vault,
        ctx.actor,
        service.PersonQuery(name=values["name"], date_of_birth=born, reference=values["reference"]),
    )
    page_number = _posted_page(ctx, len(matches))
    start = (page_number - 1) * PER_PAGE
    shown = matches[start : start + PER_PAGE]
    page: Page[service.Match] = Page(shown, len(matches), page_number, PER_PAGE)
    names: dict[uuid.UUID, Any] = {}
    births: dict[uuid.UUID, date | None] = {}
    ctx.vault.load({m.person.key_id for m in shown})
    for match in shown:  # an auditor's vault opens the reference and no date of birth
        names[match.person.id] = ctx.vault.open(match.person, "full_name")
        born_text = ctx.vault.open_text(match.person, "date_of_birth")
        births[match.person.id] = date.fromisoformat(born_text) if born_text else None
    service.log_shown(ctx.db, ctx.actor, list(shown))
    return ctx.render(
        "search/index.html",
        _context(
            ctx,
            values=values,
            people_page=page,
            names=names,
            births=births,
            searched="people",
        ),
    )


def _posted_page(ctx: RequestContext, total: int) -> int:
    """The page button pressed; past the last page (the results shrank) shows the last."""
    last = max(1, -(-total // PER_PAGE))
    return min(ctx.form_int("page", 1, low=1, high=MAX_PAGE), last)


routes = [
    PortalRoute("/search", search_page, access=SEARCHERS, name="search"),
    PortalRoute(
        "/search", search_people_submit, access=SEARCHERS, methods=["POST"], name="search_submit"
    ),
]
