"""Shared form helpers: collect field errors in the order the fields appear on the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from portal.web.params import whole_number


class FieldErrors:
    """Errors by field id, kept in insertion order for the GOV.UK error summary."""

    def __init__(self) -> None:
        self._errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, message)

    def get(self, field: str) -> str | None:
        return self._errors.get(field)

    def items(self) -> Iterator[tuple[str, str]]:
        return iter(self._errors.items())

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)


def parse_date_parts(day: str, month: str, year: str, *, label: str) -> tuple[date | None, str]:
    """A GOV.UK date input (day, month, year) -> (date, "") or (None, error message).

    All three empty gives (None, ""): the caller decides whether the date is required.
    """
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        return None, ""
    missing = [
        name for name, value in (("day", day), ("month", month), ("year", year)) if not value
    ]
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    year_number = whole_number(year, low=1000, high=9999)
    month_number = whole_number(month, low=1, high=12)
    day_number = whole_number(day, low=1, high=31)
    if year_number is None or month_number is None or day_number is None:
        return None, f"{label} must be a real date"
    try:
        return date(year_number, month_number, day_number), ""
    except ValueError:  # 30 February
        return None, f"{label} must be a real date"


def date_parts(value: date | None) -> dict[str, str]:
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
