"""File downloads: one CSV response for every export (the cells are defused by portal.kit.csvsafe).

    table = CsvTable(["seq", "recipient"])
    table.extend(rows)
    audit.record(db, ..., category="disclosure")      # the export is logged in the same transaction
    return csv_response(table, "access-log.csv")

The file is built inside the request's transaction and sent as one body once it commits: the
database session ends with the handler, and the disclosure record must commit with the read.
Exports are bounded by the filters that produce them.
"""

from __future__ import annotations

import re

from starlette.responses import Response

from portal.kit.csvsafe import CsvTable

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value. Names are chosen by code, never typed by a user, so
    anything outside a plain ASCII name is a bug, refused rather than escaped."""
    if not _SAFE_NAME.fullmatch(filename):
        raise ValueError(f"not a safe download name: {filename!r}")
    return f'attachment; filename="{filename}"'


def csv_response(table: CsvTable, filename: str) -> Response:
    """The table as a CSV download: an attachment, never cached, never sniffed as HTML, with
    its data row count in ``X-Row-Count``."""
    if not filename.endswith(".csv"):
        raise ValueError("a CSV download's name ends in .csv")
    return Response(
        table.text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": attachment(filename),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Row-Count": str(table.rows),
        },
    )


def pdf_response(body: bytes, filename: str) -> Response:
    """A PDF made by portal.rendering (an application, a letter) as a download, never cached."""
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
