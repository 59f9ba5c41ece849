"""The GOV.UK date input as a form field, and the one parser of its three boxes.

``parse_parts`` is what every date form in the portal goes through: ``DateField`` (strict:
ASCII digits, bounded lengths) and ``portal.web.forms.parse_date_parts`` (the older helper,
lenient as it always was, for the pages not yet converted).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, TypedDict, TypeVar, Unpack, overload

from portal.web.fields import Field, Needed, Options, Raw, Source, Unneeded, text_of

T = TypeVar("T")
When = Literal["any", "past", "today_or_past", "future", "today_or_future"]

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
LEGACY_LATEST = date(9000, 12, 31)


class Placement(TypedDict, total=False):
    when: When
    earliest: date
    latest: date


class NeededDate(Placement, Needed):
    pass


class UnneededDate(Placement, Unneeded):
    pass


class DateField(Field[T]):
    """A GOV.UK date input: three boxes named ``<name>-day``, ``-month`` and ``-year``, the
    day box carrying the id the error summary links to. ``when`` says where the date may fall
    against ``today`` (given at binding); ``earliest`` and ``latest`` bound it either way."""

    @overload
    def __init__(self: DateField[date], label: str, **kw: Unpack[NeededDate]) -> None: ...
    @overload
    def __init__(self: DateField[date | None], label: str, **kw: Unpack[UnneededDate]) -> None: ...
    def __init__(
        self,
        label: str,
        *,
        when: When = "any",
        earliest: date = EARLIEST,
        latest: date = LATEST,
        **kw: Unpack[Options],
    ) -> None:
        super().__init__(label, **kw)
        self.when = when
        self.earliest = earliest
        self.latest = latest

    def bind(self, source: Source, today: date) -> tuple[T, Raw, str | None]:
        parts = [text_of(source, f"{self.name}-{part}").strip()[:10] for part in PARTS]
        raw: Raw = {f"{self.name}-{part}": text for part, text in zip(PARTS, parts, strict=True)}
        found, problem = parse_parts(*parts, label=self.label, strict=True)
        empty: Any = None
        if found is None:
            if problem:
                return empty, raw, problem
            return empty, raw, self.missing if self.required else None
        misplaced = self._placement(found, today)
        value: Any = found
        return (empty, raw, misplaced) if misplaced else (value, raw, None)

    def _placement(self, value: date, today: date) -> str | None:
        label = self.label
        outside = out_of_range(value, label=label, earliest=self.earliest, latest=self.latest)
        if outside:
            return outside
        refused = {
            "past": (value >= today, "must be in the past"),
            "today_or_past": (value > today, "must be today or in the past"),
            "future": (value <= today, "must be in the future"),
            "today_or_future": (value < today, "must be today or in the future"),
        }.get(self.when)
        if refused and refused[0]:
            return f"{label} {refused[1]}"
        return None

    def raw(self, value: T) -> Raw:
        if not isinstance(value, date):
            return {f"{self.name}-{part}": "" for part in PARTS}
        numbers = (value.day, value.month, value.year)
        return {f"{self.name}-{p}": str(n) for p, n in zip(PARTS, numbers, strict=True)}


PARTS = ("day", "month", "year")


def _long(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def out_of_range(
    value: date, *, label: str, earliest: date = EARLIEST, latest: date = LATEST
) -> str | None:
    """The GOV.UK message for a date outside ``earliest..latest``, or None. Year 1 and 9999
    are real dates to Python, but a deadline counted from them overflows."""
    if value < earliest:
        return f"{label} must be on or after {_long(earliest)}"
    if value > latest:
        return f"{label} must be on or before {_long(latest)}"
    return None


def parse_parts(
    day: str, month: str, year: str, *, label: str, strict: bool
) -> tuple[date | None, str]:
    """Three typed parts -> (date, "") or (None, GOV.UK error message); all empty gives
    (None, ""). ``strict`` takes ASCII digits only, at most 2 for the day and month."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        return None, ""
    missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    parts = (day, month, year)
    if strict:
        digits = all(p.isascii() and p.isdigit() for p in parts)
        digits = digits and len(day) <= 2 and len(month) <= 2
    else:
        digits = all(p.isdigit() for p in parts)
    if not digits or len(year) != 4:
        return None, f"{label} must be a real date"
    try:
        return date(int(year), int(month), int(day)), ""
    except (ValueError, OverflowError):
        return None, f"{label} must be a real date"


def parse_date_parts(day: str, month: str, year: str, *, label: str) -> tuple[date | None, str]:
    """A GOV.UK date input (day, month, year) -> (date, "") or (None, error message).

    All three empty gives (None, ""): the caller decides whether the date is required. Pages not
    yet on ``Form`` use this; ``DateField`` is its strict successor (ASCII digits only). Both
    refuse dates before 1900 (``portal.web.dates.EARLIEST``: year 1 minus a few days overflows);
    this one allows up to the year 9000, far from ``date.max``, so each page's own rule ("must
    be in the past") answers a mistyped future year.
    """
    found, problem = parse_parts(day, month, year, label=label, strict=True)
    outside = out_of_range(found, label=label, latest=LEGACY_LATEST) if found else None
    return (None, outside) if outside else (found, problem)


def date_parts(value: date | None) -> dict[str, str]:
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


class PartsDate(Field["date | None"]):
    """A GOV.UK date input read as the older pages read it (``parse_date_parts``: the text as
    typed, up to the year 9000); ``message`` when required and empty. Shown back as typed."""

    def parts(self, source: Source) -> dict[str, str]:
        return {f"{self.name}-{p}": text_of(source, f"{self.name}-{p}") for p in PARTS}

    def bind(self, source: Source, today: date) -> tuple[date | None, Raw, str | None]:
        parts = self.parts(source)
        found, problem = parse_date_parts(*parts.values(), label=self.label)
        if problem:
            return None, dict(parts), problem
        if found is None and self.required:
            return None, dict(parts), self.missing
        return found, dict(parts), None

    def raw(self, value: date | None) -> Raw:
        return {f"{self.name}-{p}": "" for p in PARTS}


def iso_date(typed: str) -> date | None:
    """A date typed as YYYY-MM-DD, or None (empty, or not such a date)."""
    try:
        return date.fromisoformat(typed) if typed else None
    except ValueError:
        return None


class IsoDate(Field["date | None"]):
    """A date typed as YYYY-MM-DD (a filter's), optional; shown back as typed."""

    def bind(self, source: Source, today: date) -> tuple[date | None, Raw, str | None]:
        typed = text_of(source, self.name)
        found = iso_date(typed)
        error = f"Enter the {self.label} date as YYYY-MM-DD" if typed and found is None else None
        return found, {self.name: typed}, error
