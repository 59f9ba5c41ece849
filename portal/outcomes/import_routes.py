"""Import victims' losses (the edge): CSV pasted into a box, every row checked, all or nothing
(portal.outcomes.service.loss_import). Problems are listed by row and column and the CSV is
shown again so it can be fixed there."""

from __future__ import annotations

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.cases.importer import RowError
from portal.cases.models import Case
from portal.outcomes.service import pages
from portal.outcomes.service.loss_import import COLUMNS
from portal.web.pages import form_page
from portal.web.routing import RequestContext, requires

IMPORTERS = requires(Permission.RECORD_LOSSES)
SHOWN = 50


def _describe(error: RowError) -> str:
    if error.row == 0:
        return error.message
    where = "Header row" if error.row == 1 else f"Row {error.row}"
    return f"{where}{', ' + error.column if error.column else ''}: {error.message}"


def _page(
    ctx: RequestContext, case: Case, text: str = "", errors: list[str] | None = None
) -> Response:
    problems = errors or []
    return ctx.render(
        "outcomes/import.html",
        {
            "case": case,
            "columns": COLUMNS,
            "csv_text": text,
            "problems": problems[:SHOWN],
            "more": max(0, len(problems) - SHOWN),
        },
        status_code=400 if problems else 200,
    )


def import_form(ctx: RequestContext) -> Response:
    return _page(ctx, pages.import_page(ctx.unit, ctx.path_id("case_id")))


def import_submit(ctx: RequestContext) -> Response:
    text = ctx.field("csv_text")
    result = pages.import_losses(ctx.unit, ctx.path_id("case_id"), text)
    if result.errors:
        return _page(ctx, result.case, text, [_describe(e) for e in result.errors])
    ctx.flash(f"Losses recorded: {result.count}")
    return ctx.redirect("outcomes_victims", case_id=result.case.id)


PATH = "/cases/{case_id}/outcomes/losses/import"
routes = form_page(PATH, import_form, import_submit, access=IMPORTERS, name="outcomes_import")
