"""The search page's two forms, read and checked before any search: a URN (or the start of
one) from the query string, and a person's name, date of birth or reference number, posted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portal.cases.reference import normalise_urn
from portal.clock import utc_now
from portal.search.service import PersonQuery
from portal.web.dates import PartsDate
from portal.web.forms import FieldErrors, Form

URN_PART = re.compile(r"^[0-9A-Z]{2,16}$")
PERSON_FIELDS = (
    "name",
    "date_of_birth-day",
    "date_of_birth-month",
    "date_of_birth-year",
    "reference",
)


def parse_urn(raw: str) -> tuple[str, FieldErrors]:
    """The URN prefix as searched (normalised, at most 16 characters), and its errors."""
    urn = normalise_urn(raw)[:16]
    errors = FieldErrors()
    if not urn:
        errors.add("urn", "Enter a URN, or the start of one")
    elif not URN_PART.fullmatch(urn):
        errors.add("urn", "A URN has only letters and numbers, like 01AB1234526")
    return urn, errors


class BornForm(Form):
    """The search's date of birth, read by the form kit's GOV.UK date input."""

    date_of_birth = PartsDate("Date of birth", required=False)


def parse_person(
    data: Mapping[str, Any],
) -> tuple[dict[str, str], FieldErrors, PersonQuery]:
    """What was typed (``ctx.form``: for the form again), its errors, and the query once it
    has none."""
    typed = {name: data.get(name, "") for name in PERSON_FIELDS}
    values = {name: v.strip() if isinstance(v, str) else "" for name, v in typed.items()}
    values["name"] = " ".join(values["name"].split())
    errors = FieldErrors()
    born_form = BornForm(data)
    born = born_form.date_of_birth
    problem = born_form.errors.get("date_of_birth")
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
    query = PersonQuery(name=values["name"], date_of_birth=born, reference=values["reference"])
    return values, errors, query
