"""Import, stage 5: the report. What the import page shows: the columns it accepts, and after a
rejected file every problem by row and column (a summary of the first few, linking to a table of
them all). Presentation only: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.cases.import_rows import MAX_BYTES, MAX_ROWS, ImportRejected, RowError
from portal.cases.models import Case

ERRORS_IN_SUMMARY = 10  # the rest are in the table below the summary
ERRORS_IN_TABLE = 1_000


def describe(error: RowError) -> str:
    """One problem in words: "Row 4, email: ...", "Header row: ..." or the file's own."""
    if error.row == 0:
        return error.message
    if error.row == 1 and error.column:
        return f"Header row: {error.message}"
    where = f"Row {error.row}" + (f", {error.column}" if error.column else "")
    return f"{where}: {error.message}"


@dataclass(frozen=True, slots=True)
class ImportPage:
    """The import page (``cases/import.html``), empty or after a rejected file."""

    case: Case
    csv_text: str = ""
    problem: ImportRejected | None = None
    field: str = "csv_file"  # the input the problems are against: csv_file or csv_text
    filename: str = ""

    def context(self) -> dict[str, Any]:
        errors = self.problem.errors if self.problem else []
        summary = [
            {
                "href": f"#problem-{index}" if error.row else f"#{self.field}",
                "text": describe(error),
            }
            for index, error in enumerate(errors[:ERRORS_IN_SUMMARY], start=1)
        ]
        if not errors:
            field_message = ""
        elif len(errors) == 1 and errors[0].row == 0:
            field_message = errors[0].message
        else:
            action = "upload the file again" if self.field == "csv_file" else "import again"
            field_message = f"Nobody has been imported: fix the problems listed and {action}"
        return {
            "case": self.case,
            "columns": COLUMN_HELP,
            "max_rows": MAX_ROWS,
            "max_mb": MAX_BYTES // (1024 * 1024),
            "csv_text": self.csv_text,
            "problem": self.problem,
            "problems": errors[:ERRORS_IN_TABLE],
            "problem_count": len(errors),
            "summary": summary,
            "more_in_summary": max(0, len(errors) - ERRORS_IN_SUMMARY),
            "field": self.field,
            "field_message": field_message,
            "filename": self.filename,
        }


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
