"""England and Wales working days and CrimPR business days.

Working day (Victims' Code): Monday to Friday, excluding England and Wales bank holidays,
including substitute days (28 Dec 2026; 27-28 Dec 2027; 3 Jan 2028) and one-off proclaimed
days (19 Sep 2022, 8 May 2023). The Code itself defines no "working day"; this convention is a
design assumption (domain-rules.md section 8, UNCONFIRMED). Day 1 is the first working day
*after* the start date.

Bank holidays come from the ``holidays`` package (country "GB", subdivision "ENG"; England and
Wales share one list). Confirm against https://www.gov.uk/bank-holidays.json at build time and
inject any newly proclaimed day with ``extra_holidays``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays

from portal.clock import LONDON, utc_now

NonWorkingKind = Literal["weekend", "bank_holiday"]


@dataclass(frozen=True)
class NonWorkingDay:
    day: date
    kind: NonWorkingKind
    name: str


def _plain_name(name: str) -> str:
    """'Boxing Day (observed)' -> 'Boxing Day (substitute day)', as on gov.uk."""
    parts = [p.strip() for p in name.split(";")]
    return " and ".join(p.replace(" (observed)", " (substitute day)") for p in parts)


class WorkingDayCalendar:
    """Weekends plus England and Wales bank holidays, with optional one-off extra holidays."""

    kind_label = "working day"
    default_name = "england-and-wales-working-days"

    def __init__(
        self, name: str | None = None, extra_holidays: Mapping[date, str] | None = None
    ) -> None:
        """``name`` defaults to the kind's own (``default_name``)."""
        self.name = self.default_name if name is None else name
        self._extra: dict[date, str] = dict(extra_holidays or {})
        self._bank = holidays.country_holidays("GB", subdiv="ENG")

    def with_extra_holidays(self, extra: Mapping[date, str]) -> WorkingDayCalendar:
        """A copy of this calendar with more one-off holidays (e.g. a newly proclaimed day)."""
        return type(self)(self.name, {**self._extra, **extra})

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name if ``day`` is a holiday in this calendar (weekends included)."""
        if day in self._extra:
            return self._extra[day]
        found = self._bank.get(day)
        return _plain_name(str(found)) if found else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (day 1 is the first working day after it)."""
        if n < 0:
            raise ValueError("the number of working days must not be negative")
        current = start
        remaining = n
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def non_working_days(self, start: date, end: date) -> tuple[NonWorkingDay, ...]:
        """Non-working days strictly between ``start`` and ``end``, with their names."""
        found: list[NonWorkingDay] = []
        current = start + timedelta(days=1)
        while current < end:
            if current.weekday() >= 5:
                found.append(NonWorkingDay(current, "weekend", f"{current:%A}"))
            else:
                name = self.holiday_name(current)
                if name is not None:
                    found.append(NonWorkingDay(current, "bank_holiday", name))
            current += timedelta(days=1)
        return tuple(found)


class BusinessDayCalendar(WorkingDayCalendar):
    """Criminal Procedure Rules "business day" calendar.

    CrimPR: any day except Saturday, Sunday, Christmas Day, Boxing Day, Good Friday, Easter
    Monday or a bank holiday. UNCONFIRMED ([R], domain-rules.md section 8): verify against
    CrimPR 2025 Part 2. In England and Wales these days are all in the bank-holiday list, so the
    result equals the working-day calendar; it is kept as a distinct, named calendar so CrimPR
    deadlines never silently depend on the Victims' Code convention.
    """

    kind_label = "business day"
    default_name = "crimpr-business-days"

    def holiday_name(self, day: date) -> str | None:
        found = super().holiday_name(day)
        if found is not None:
            return found
        if (day.month, day.day) == (12, 25):
            return "Christmas Day"
        if (day.month, day.day) == (12, 26):
            return "Boxing Day"
        return None


ENGLAND_AND_WALES = WorkingDayCalendar()


def today_in_england_and_wales() -> date:
    """The date now in England and Wales (the day deadlines and reports count from)."""
    return utc_now().astimezone(LONDON).date()


CRIMPR_BUSINESS_DAYS = BusinessDayCalendar()


def is_working_day(day: date, calendar: WorkingDayCalendar | None = None) -> bool:
    return (calendar or ENGLAND_AND_WALES).is_working_day(day)


def add_working_days(start: date, n: int, calendar: WorkingDayCalendar | None = None) -> date:
    """The ``n``-th working day after ``start``; day 1 is the first working day after it."""
    return (calendar or ENGLAND_AND_WALES).add_working_days(start, n)


def non_working_days(
    start: date, end: date, calendar: WorkingDayCalendar | None = None
) -> tuple[NonWorkingDay, ...]:
    """Weekends and holidays strictly between ``start`` and ``end``, for explanations."""
    return (calendar or ENGLAND_AND_WALES).non_working_days(start, end)
