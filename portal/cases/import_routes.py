"""The mass-victim import page: ``/cases/{case_id}/import``.

A CSV file is uploaded (or pasted), every row is checked, and either everyone is added to the case
or no one is (portal.cases.importer). Problems are listed by row and column, and the CSV is shown
again in the text box so it can be fixed there. The import runs within the request (in a worker
thread): 5,000 rows with encryption, blind indexes and audit take about 2 s, and the route commits
between steps (``manual_transactions``) so SQLite's write lock is held only while rows are
written. docs/csv-import.md has the measurements and a design for background jobs should larger
files be needed; files are capped at ``importer.MAX_ROWS`` rows.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import importer, repository
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case
from portal.web.routing import PortalRoute, RequestContext, allow

log = logging.getLogger(__name__)

IMPORTERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR)
ERRORS_IN_SUMMARY = 10  # the rest are in the table below the summary
ERRORS_IN_TABLE = 1_000
# After a failed import the CSV goes back into the text box only if it could be sent again from
# there (form fields are limited to 256 KiB in portal.web.routing); bigger files are fixed in the
# file and uploaded again.
PASTE_LIMIT = 256 * 1024
MAX_BODY_BYTES = importer.MAX_BYTES + 64 * 1024  # the file plus the form around it


def _case(ctx: RequestContext) -> Case:
    try:
        case_id = uuid.UUID(str(ctx.request.path_params["case_id"]))
    except ValueError:
        raise CaseNotFound(None) from None
    return repository.get_case(ctx.db, ctx.actor, case_id)


def _page(
    ctx: RequestContext,
    case: Case,
    *,
    csv_text: str = "",
    problem: importer.ImportRejected | None = None,
    field: str = "csv_file",
    filename: str = "",
    status_code: int = 200,
) -> Response:
    errors = problem.errors if problem else []
    summary = [
        {"href": f"#problem-{index}" if error.row else f"#{field}", "text": _describe(error)}
        for index, error in enumerate(errors[:ERRORS_IN_SUMMARY], start=1)
    ]
    if not errors:
        field_message = ""
    elif len(errors) == 1 and errors[0].row == 0:
        field_message = errors[0].message
    else:
        action = "upload the file again" if field == "csv_file" else "import again"
        field_message = f"Nobody has been imported: fix the problems listed and {action}"
    context: dict[str, Any] = {
        "case": case,
        "columns": COLUMN_HELP,
        "max_rows": importer.MAX_ROWS,
        "max_mb": importer.MAX_BYTES // (1024 * 1024),
        "csv_text": csv_text,
        "problem": problem,
        "problems": errors[:ERRORS_IN_TABLE],
        "problem_count": len(errors),
        "summary": summary,
        "more_in_summary": max(0, len(errors) - ERRORS_IN_SUMMARY),
        "field": field,
        "field_message": field_message,
        "filename": filename,
    }
    return ctx.render("cases/import.html", context, status_code=status_code)


def _describe(error: importer.RowError) -> str:
    if error.row == 0:
        return error.message
    if error.row == 1 and error.column:
        return f"Header row: {error.message}"
    where = f"Row {error.row}" + (f", {error.column}" if error.column else "")
    return f"{where}: {error.message}"


def _rejected(message: str) -> importer.ImportRejected:
    return importer.ImportRejected([importer.RowError(0, "", message)])


def import_form(ctx: RequestContext) -> Response:
    case = _case(ctx)
    return _page(ctx, case)


def import_submit(ctx: RequestContext) -> Response:
    case = _case(ctx)
    form = ctx.form
    upload = form.get("csv_file") if form is not None else None
    field = "csv_file" if form is not None and "csv_file" in form else "csv_text"
    filename = upload.filename[:100] if isinstance(upload, UploadFile) and upload.filename else ""
    try:
        if field == "csv_file":
            if not isinstance(upload, UploadFile) or not filename:
                raise _rejected("Select a CSV file")
            if not filename.lower().endswith(".csv"):
                raise _rejected("The selected file must be a CSV file")
            upload.file.seek(0)
            source = importer.decode(upload.file.read(importer.MAX_BYTES + 1))
        else:
            source = ctx.field("csv_text")
            if not source.strip():
                raise _rejected("Paste the CSV into the box, including the header row")
    except importer.ImportRejected as rejected:
        return _page(ctx, case, problem=rejected, field=field, filename=filename, status_code=400)
    try:
        # Commits between the steps keep SQLite's write lock for the checks and inserts only.
        result = importer.import_csv(
            ctx.db, ctx.vault, ctx.actor, case, source, release=ctx.checkpoint
        )
    except importer.ImportRejected as rejected:
        _audit_matches(ctx, case, rejected)
        kept = source if len(source.encode()) <= PASTE_LIMIT else ""
        return _page(
            ctx,
            case,
            csv_text=kept,
            problem=rejected,
            field=field,
            filename=filename,
            status_code=400,
        )
    log.info(
        "import.done case_id=%s people=%s seconds=%.2f", case.id, result.imported, result.seconds
    )
    noun = "person" if result.imported == 1 else "people"
    ctx.flash(f"{result.imported:,} {noun} imported into case {case.urn}")
    return ctx.redirect_to(f"/cases/{case.id}")


def _audit_matches(ctx: RequestContext, case: Case, rejected: importer.ImportRejected) -> None:
    """Saying someone is already in the case (by reference) consults their record: log it."""
    if rejected.matches:
        audit.record_consultations(
            ctx.db,
            actor=ctx.actor,
            action="person.import_match",
            subjects=rejected.matches,
            case_id=case.id,
        )


COLUMN_HELP: list[dict[str, str]] = [
    {
        "name": "full_name",
        "need": "Required",
        "format": "The person’s full name",
        "example": "Jane Smith",
    },
    {
        "name": "date_of_birth",
        "need": "Optional",
        "format": "YYYY-MM-DD or DD/MM/YYYY",
        "example": "1984-03-27",
    },
    {
        "name": "address",
        "need": "Optional",
        "format": "The whole address in one cell",
        "example": "1 High Street, Leeds LS1 1AA",
    },
    {
        "name": "phone",
        "need": "Optional",
        "format": "UK or international number",
        "example": "07700 900982",
    },
    {
        "name": "email",
        "need": "Optional",
        "format": "An email address",
        "example": "jane@example.com",
    },
    {"name": "role", "need": "Required", "format": "victim, witness or both", "example": "victim"},
    {
        "name": "report_fraud_ref",
        "need": "Optional",
        "format": "Report Fraud reference (from 4 December 2025)",
        "example": "RF2600012345",
    },
    {
        "name": "action_fraud_ref",
        "need": "Optional",
        "format": "Action Fraud reference (before 4 December 2025)",
        "example": "NFRC250112345",
    },
    {
        "name": "police_crn",
        "need": "Optional",
        "format": "Police crime reference number",
        "example": "01/23456/25",
    },
    {"name": "language", "need": "Optional", "format": "Preferred language", "example": "Polish"},
    {
        "name": "interpreter",
        "need": "Optional",
        "format": "yes or no (yes needs a language)",
        "example": "yes",
    },
    {
        "name": "safe_channels",
        "need": "Optional",
        "format": "Safe ways to make contact, separated by ;",
        "example": "letter;email",
    },
    {"name": "no_voicemail", "need": "Optional", "format": "yes or no", "example": "yes"},
]


routes = [
    PortalRoute("/cases/{case_id}/import", import_form, access=IMPORTERS, name="case_import"),
    PortalRoute(
        "/cases/{case_id}/import",
        import_submit,
        access=IMPORTERS,
        methods=["POST"],
        name="case_import_submit",
        max_files=1,
        max_body_bytes=MAX_BODY_BYTES,
        manual_transactions=True,
    ),
]
