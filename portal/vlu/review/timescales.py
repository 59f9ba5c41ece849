"""The Right to Review's windows and timescales, from the Victims' Code rules data (the
``[settings]`` of the version in force), counted on the England and Wales working-day calendar.

Sources disagree on the request window and the CPS completion targets are UNCONFIRMED
(domain-rules.md 1.9, 10, 11), so every number here is data (docs/victims-code-rules.md), and
what an officer sees never says how sure the data is.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from portal.victims_code.calendar import ENGLAND_AND_WALES, WorkingDayCalendar
from portal.victims_code.rules import RulesError, RulesVersion, Settings, load_all, rules_in_force


@dataclass(frozen=True, slots=True)
class Timescales:
    """The numbers of one rules version (working days unless named months)."""

    version: str
    request_window: int | None
    longstop_months: int
    local_resolution: int | None
    independent_request_window: int | None
    independent_review: int | None
    trigger_day_counts: bool = False

    @classmethod
    def of(cls, rules: RulesVersion) -> Timescales:
        s: Settings = rules.settings
        return cls(
            version=rules.version,
            request_window=s.vrr_request_window_working_days,
            longstop_months=s.vrr_request_longstop_months,
            local_resolution=s.vrr_local_resolution_working_days,
            independent_request_window=s.vrr_independent_request_working_days,
            independent_review=s.vrr_independent_review_working_days,
            trigger_day_counts=s.trigger_day_counts,
        )


def timescales_on(day: date) -> Timescales:
    """The timescales of the rules version in force on ``day`` (a day before every version:
    the oldest, so an old decision's page still shows)."""
    try:
        return Timescales.of(rules_in_force(day))
    except RulesError:
        return Timescales.of(load_all()[0])


def after(
    start: date, days: int | None, t: Timescales, calendar: WorkingDayCalendar | None = None
) -> date | None:
    """The ``days``-th working day after ``start`` (None: no limit in the rules data). With the
    rules' ``trigger_day_counts``, a working ``start`` is itself day 1."""
    if days is None:
        return None
    cal = calendar or ENGLAND_AND_WALES
    if t.trigger_day_counts and cal.is_working_day(start):
        return start if days == 1 else cal.add_working_days(start, days - 1)
    return cal.add_working_days(start, days)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Window:
    """Where a request falls against its window: ``late`` past the "should" date, ``exceptional``
    past the long-stop too (only exceptional circumstances justify it)."""

    opened_on: date
    ends_on: date | None
    longstop_on: date | None
    late: bool
    exceptional: bool


def request_window(communicated_on: date, requested_on: date, t: Timescales) -> Window:
    """The first request, against the window counted from the day the decision letter was sent."""
    ends = after(communicated_on, t.request_window, t)
    longstop = add_months(communicated_on, t.longstop_months)
    late = ends is not None and requested_on > ends
    return Window(communicated_on, ends, longstop, late, requested_on > longstop)


def independent_window(letter_sent_on: date, requested_on: date, t: Timescales) -> Window:
    """The request for an independent review, against its window from the local resolution
    letter (no long-stop is known: a late request needs its reason)."""
    ends = after(letter_sent_on, t.independent_request_window, t)
    late = ends is not None and requested_on > ends
    return Window(letter_sent_on, ends, None, late, False)
