"""The mass-victim import page: ``/cases/{case_id}/import``.

A CSV file is uploaded (or pasted), every row is checked, and either everyone is added to the case
or no one is (portal.cases.importer). Problems are listed by row and column, and the CSV is shown
again in the text box so it can be fixed there. The import runs within the request (in a worker
thread): 5,000 rows with encryption, blind indexes and audit take one to two seconds, and the
route commits between steps (``manual_transactions``) so SQLite's write lock is held only while
rows are written. docs/csv-import.md has the measurements and a design for background jobs should
larger files be needed; files are capped at ``importer.MAX_ROWS`` rows.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.cases import importer
from portal.web.pages import get, post
from portal.web.routing import RequestContext, requires

# After a failed import the CSV goes back into the text box only if it could be sent again from
# there (form fields are limited to 256 KiB in portal.web.routing); bigger files are fixed in the
# file and uploaded again.
PASTE_LIMIT = 256 * 1024
MAX_BODY_BYTES = importer.MAX_BYTES + 64 * 1024  # the file plus the form around it


def _rejected(message: str) -> importer.ImportRejected:
    return importer.ImportRejected([importer.RowError(0, "", message)])


def import_form(ctx: RequestContext) -> Response:
    page = importer.import_page(ctx.unit, ctx.path_id("case_id"))
    return ctx.render("cases/import.html", page.context())


def _source(ctx: RequestContext, field: str, upload: object, filename: str) -> str:
    """The CSV's text from the upload or the box; ``ImportRejected`` if there is none."""
    if field == "csv_text":
        source = ctx.field("csv_text")
        if not source.strip():
            raise _rejected("Paste the CSV into the box, including the header row")
        return source
    if not isinstance(upload, UploadFile) or not filename:
        raise _rejected("Select a CSV file")
    if not filename.lower().endswith(".csv"):
        raise _rejected("The selected file must be a CSV file")
    upload.file.seek(0)
    return importer.decode(upload.file.read(importer.MAX_BYTES + 1))


def import_submit(ctx: RequestContext) -> Response:
    form = ctx.form
    upload = form.get("csv_file") if form is not None else None
    field = "csv_file" if form is not None and "csv_file" in form else "csv_text"
    filename = upload.filename[:100] if isinstance(upload, UploadFile) and upload.filename else ""
    source: str | importer.ImportRejected
    try:
        source = _source(ctx, field, upload, filename)
    except importer.ImportRejected as rejected:
        source = rejected
    # Commits between the steps keep SQLite's write lock for the checks and inserts only.
    outcome = importer.import_into_case(
        ctx.unit, ctx.path_id("case_id"), source, release=ctx.checkpoint
    )
    if outcome.rejected is not None:
        kept = ""
        if isinstance(source, str) and len(source.encode()) <= PASTE_LIMIT:
            kept = source
        page = importer.ImportPage(
            outcome.case, csv_text=kept, problem=outcome.rejected, field=field, filename=filename
        )
        return ctx.render("cases/import.html", page.context(), status_code=400)
    ctx.flash(outcome.message)
    return ctx.redirect("case_detail", case_id=outcome.case.id)


IMPORT, IMPORTERS = "/cases/{case_id}/import", requires(Permission.IMPORT_PEOPLE)
UPLOAD = {"max_files": 1, "max_body_bytes": MAX_BODY_BYTES, "manual_transactions": True}
routes = [
    get(IMPORT, import_form, IMPORTERS, "case_import"),
    post(IMPORT, import_submit, IMPORTERS, "case_import_submit", **UPLOAD),
]
