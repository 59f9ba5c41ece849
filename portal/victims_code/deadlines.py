"""Due dates for Victims' Code entitlements and related CrimPR limits. Pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Literal

from portal.victims_code.calendar import (
    CRIMPR_BUSINESS_DAYS,
    ENGLAND_AND_WALES,
    NonWorkingDay,
    WorkingDayCalendar,
)
from portal.victims_code.rules import ClockStart, Entitlement, Kind, Settings

# How a trigger event reads in an explanation; other events read as their name with spaces.
_DECISIONS = "no_investigation_decision charge_decision no_charge_decision out_of_court_disposal"
_DECISIONS += " discontinuance substantial_alteration offer_no_evidence"
_EVENT_WORDS = dict.fromkeys(_DECISIONS.split(), "decision recorded") | {
    "suspect_arrested": "arrest",
    "suspect_interviewed": "interview under caution",
    "police_bail_changed": "bail conditions changed",
    "vcl_letter_sent": "decision letter sent",
    "vrr_request": "review requested",
    "trial_listing": "trial listed",
    "required_to_give_evidence": "decision that the victim gives evidence",
    "appeal": "appeal lodged",
    "expenses_claim": "expenses claim completed",
    "complaint_received": "complaint made",
}


@dataclass(frozen=True)
class DueDate:
    """When something is due, and everything needed to explain why."""

    code: str
    trigger_event: str
    trigger: date
    received: date | None
    clock_start: ClockStart
    counted_from: date
    fell_back_to_trigger: bool
    basis: str  # "enhanced rights", "standard rights", "all victims", "magistrates' court"
    limit: int | None
    unit: str  # "working day" or "business day"
    due: date | None
    skipped: tuple[NonWorkingDay, ...] = ()
    kind: Kind = "duty"
    confidence: str = "P"
    trigger_day_counted: bool = False
    note: str = ""

    def explain(self) -> str:
        ref = self.due.year if self.due else None
        label = _EVENT_WORDS.get(self.trigger_event, self.trigger_event.replace("_", " "))
        if self.due is None:
            head = "no fixed time limit"
        elif self.kind == "window":
            head = f"window closes {_full(self.due)}"
        else:
            head = f"due {_full(self.due)}"
        parts = [f"{label} {_short(self.trigger, ref)}"]
        if self.clock_start == "received":
            if self.fell_back_to_trigger and self.limit is not None:
                parts.append(f"received date not recorded, so counted from the {label} date")
            elif self.received is not None:
                parts.append(f"received {_short(self.received, ref)}")
        if self.limit is None:
            parts.append(self.note.rstrip(".") or f"no {self.unit.replace(' ', '-')} limit")
        else:
            plural = "" if self.limit == 1 else "s"
            parts.append(f"{self.basis}, {self.limit} {self.unit}{plural}")
        if self.trigger_day_counted:
            parts.append(f"{_short(self.counted_from, ref)} counted as day 1")
        parts.extend(_skipped_words(self.skipped, ref))
        # ``confidence`` says how sure the rules data is of the limit; it is for the people
        # who keep the rules (a setting), never shown to officers (issue 15 point 9).
        return f"{head}: " + "; ".join(parts)


def _full(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _short(day: date, ref_year: int | None) -> str:
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == ref_year else f"{text} {day.year}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _day_list(days: list[date], ref_year: int | None) -> str:
    groups = []
    for (year, _month), grouped in groupby(days, key=lambda d: (d.year, d.month)):
        members = list(grouped)
        month = f"{members[0]:%b}" + ("" if year == ref_year else f" {year}")
        groups.append(f"{_and([str(d.day) for d in members])} {month}")
    return _and(groups)


def _skipped_words(skipped: tuple[NonWorkingDay, ...], ref_year: int | None) -> list[str]:
    words: list[str] = []
    holidays = [d for d in skipped if d.kind == "bank_holiday"]
    if holidays:
        verb = "is a bank holiday" if len(holidays) == 1 else "are bank holidays"
        names = ", ".join(dict.fromkeys(d.name for d in holidays))
        words.append(f"{_day_list([d.day for d in holidays], ref_year)} {verb}: {names}")
    weekend_days = [d.day for d in skipped if d.kind == "weekend"]
    runs: list[list[date]] = []
    for day in weekend_days:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 2:
        words.append(f"{len(runs)} weekends skipped")
    elif runs:
        spans = [_span(run, ref_year) for run in runs]
        words.append(f"weekend{'s' if len(runs) > 1 else ''} {_and(spans)} skipped")
    return words


def _span(run: list[date], ref_year: int | None) -> str:
    last = run[-1]
    tail = f"{last.day} {last:%b}" + ("" if last.year == ref_year else f" {last.year}")
    if len(run) == 1:
        return tail
    first = run[0]
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{tail}"
    return f"{_short(first, ref_year).split(' ', 1)[1]}-{tail}"


def _count(
    start: date, limit: int, calendar: WorkingDayCalendar, trigger_day_counts: bool
) -> tuple[date, bool]:
    if trigger_day_counts and calendar.is_working_day(start):
        return calendar.add_working_days(start, limit - 1), True
    return calendar.add_working_days(start, limit), False


def due_date(
    entitlement: Entitlement,
    *,
    trigger: date,
    received: date | None,
    enhanced: bool,
    calendar: WorkingDayCalendar | None = None,
    trigger_day_counts: bool = False,
) -> DueDate:
    """When ``entitlement`` is due for one victim.

    ``trigger`` is the date of the trigger event; ``received`` the date the responsible body
    received the information (used when the entitlement's clock starts at receipt; if it is
    missing the trigger date is used and the explanation says so). ``trigger_day_counts`` comes
    from the rules settings (UNCONFIRMED convention; default: day 1 is the day after).
    """
    cal = calendar or ENGLAND_AND_WALES
    if received is not None and received < trigger:
        raise ValueError(
            f"received date {received.isoformat()} is before the trigger date {trigger.isoformat()}"
        )
    by_receipt = entitlement.clock_start == "received"
    start = (received or trigger) if by_receipt else trigger
    limit = entitlement.limit(enhanced)
    if entitlement.standard_limit == entitlement.enhanced_limit:
        basis = "all victims"
    else:
        basis = "enhanced rights" if enhanced else "standard rights"
    due: date | None = None
    counted = False
    skipped: tuple[NonWorkingDay, ...] = ()
    if limit is not None:
        due, counted = _count(start, limit, cal, trigger_day_counts)
        skipped = cal.non_working_days(start, due)
    return DueDate(
        code=entitlement.code,
        trigger_event=entitlement.trigger,
        trigger=trigger,
        received=received,
        clock_start=entitlement.clock_start,
        counted_from=start,
        fell_back_to_trigger=by_receipt and received is None,
        basis=basis,
        limit=limit,
        unit=cal.kind_label,
        due=due,
        skipped=skipped,
        kind=entitlement.kind,
        confidence=entitlement.confidence,
        trigger_day_counted=counted,
        note=entitlement.note if limit is None else "",
    )


def special_measures_application_due(
    not_guilty_plea: date,
    *,
    court: Literal["magistrates", "crown"],
    settings: Settings,
    calendar: WorkingDayCalendar | None = None,
) -> DueDate:
    """Latest date for a special measures application, counted from the not guilty plea.

    The 20 (magistrates') / 10 (Crown Court) business-day limits are inferred, not confirmed
    (domain-rules.md 4.6), so they come from the rules settings. The court may extend time.
    """
    cal = calendar or CRIMPR_BUSINESS_DAYS
    limit = (
        settings.special_measures_application_business_days_magistrates
        if court == "magistrates"
        else settings.special_measures_application_business_days_crown
    )
    due = cal.add_working_days(not_guilty_plea, limit)
    return DueDate(
        code=f"CRIMPR-SPECIAL-MEASURES-APPLICATION-{court.upper()}",
        trigger_event="not_guilty_plea",
        trigger=not_guilty_plea,
        received=None,
        clock_start="event",
        counted_from=not_guilty_plea,
        fell_back_to_trigger=False,
        basis="magistrates' court" if court == "magistrates" else "Crown Court",
        limit=limit,
        unit=cal.kind_label,
        due=due,
        skipped=cal.non_working_days(not_guilty_plea, due),
        confidence="UNCONFIRMED",
    )
