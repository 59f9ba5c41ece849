"""The audit viewer's filter, from the query string (the page) or the export form: dates as
YYYY-MM-DD, lengths capped, an unknown category ignored."""

from __future__ import annotations

from collections.abc import Mapping

from portal.audit.models import S62_CATEGORIES
from portal.audit.repository import AuditFilter
from portal.web.dates import iso_date
from portal.web.forms import FieldErrors

EXPORT_FIELDS = ("user", "person", "urn", "category", "action", "from", "to")


def parse_filter(source: Mapping[str, str]) -> tuple[AuditFilter, FieldErrors]:
    errors = FieldErrors()
    date_from, date_to = iso_date(source.get("from", "")), iso_date(source.get("to", ""))
    if source.get("from") and date_from is None:
        errors.add("from", "Enter the start date as YYYY-MM-DD")
    if source.get("to") and date_to is None:
        errors.add("to", "Enter the end date as YYYY-MM-DD")
    if date_from and date_to and date_to < date_from:
        errors.add("to", "The end date must be on or after the start date")
    category = source.get("category", "")
    return (
        AuditFilter(
            username=source.get("user", "")[:64],
            person_ref=source.get("person", "")[:16],
            urn=source.get("urn", "")[:16],
            category=category if category in S62_CATEGORIES else "",
            action=source.get("action", "")[:64],
            date_from=date_from,
            date_to=date_to,
        ),
        errors,
    )
