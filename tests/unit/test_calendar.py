"""England and Wales working days: bank holidays, substitute days, one-off days, counting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.victims_code.calendar import (
    CRIMPR_BUSINESS_DAYS,
    ENGLAND_AND_WALES,
    BusinessDayCalendar,
    NonWorkingDay,
    WorkingDayCalendar,
    add_working_days,
    is_working_day,
    non_working_days,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 2), True),  # Thu before Easter
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 5, 4), False),  # Early May
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day (Fri)
        (date(2026, 12, 26), False),  # Saturday
        (date(2026, 12, 28), False),  # Boxing Day substitute (Mon)
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),
        (date(2027, 3, 26), False),  # Good Friday 2027
        (date(2027, 3, 29), False),  # Easter Monday 2027
        (date(2027, 12, 24), True),
        (date(2027, 12, 27), False),  # Christmas Day substitute
        (date(2027, 12, 28), False),  # Boxing Day substitute
        (date(2027, 12, 29), True),
        (date(2028, 1, 3), False),  # New Year's Day substitute
        (date(2028, 1, 4), True),
        (date(2022, 6, 2), False),  # Spring bank holiday moved for the Platinum Jubilee
        (date(2022, 6, 3), False),  # Platinum Jubilee
        (date(2022, 5, 30), True),  # the usual last Monday of May was a working day in 2022
        (date(2022, 9, 19), False),  # State Funeral of Queen Elizabeth II
        (date(2023, 5, 8), False),  # Coronation of King Charles III
        (date(2023, 5, 9), True),
    ],
)
def test_working_days_follow_england_and_wales_bank_holidays(day: date, working: bool) -> None:
    assert is_working_day(day) is working
    assert ENGLAND_AND_WALES.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Good Friday, weekend, Easter Monday
        (date(2026, 4, 2), 5, date(2026, 4, 13)),
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # start on Good Friday itself
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 24), 5, date(2027, 1, 5)),
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        (date(2027, 12, 23), 5, date(2028, 1, 4)),
        (date(2027, 12, 31), 1, date(2028, 1, 4)),
        (date(2023, 5, 5), 1, date(2023, 5, 9)),
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        (date(2026, 1, 9), 10, date(2026, 1, 23)),
        (date(2026, 4, 4), 0, date(2026, 4, 4)),
    ],
)
def test_add_working_days_day_one_is_the_next_working_day(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n) == expected


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2026, 1, 1), -1)


def test_skipped_days_are_listed_with_their_names() -> None:
    assert non_working_days(date(2026, 12, 24), date(2026, 12, 29)) == (
        NonWorkingDay(date(2026, 12, 25), "bank_holiday", "Christmas Day"),
        NonWorkingDay(date(2026, 12, 26), "weekend", "Saturday"),
        NonWorkingDay(date(2026, 12, 27), "weekend", "Sunday"),
        NonWorkingDay(date(2026, 12, 28), "bank_holiday", "Boxing Day (substitute day)"),
    )
    assert non_working_days(date(2027, 12, 31), date(2028, 1, 4))[-1] == NonWorkingDay(
        date(2028, 1, 3), "bank_holiday", "New Year's Day (substitute day)"
    )
    assert non_working_days(date(2026, 12, 29), date(2026, 12, 31)) == ()


def test_extra_one_off_holidays_can_be_injected_without_changing_the_base_calendar() -> None:
    extra = ENGLAND_AND_WALES.with_extra_holidays({date(2026, 6, 15): "Proclaimed holiday"})
    assert extra.add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 16)
    assert extra.holiday_name(date(2026, 6, 15)) == "Proclaimed holiday"
    assert ENGLAND_AND_WALES.add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)
    own = WorkingDayCalendar(extra_holidays={date(2026, 6, 15): "Proclaimed holiday"})
    assert not own.is_working_day(date(2026, 6, 15))


def test_crimpr_business_days_are_a_separate_calendar_with_the_same_days() -> None:
    assert isinstance(CRIMPR_BUSINESS_DAYS, BusinessDayCalendar)
    assert CRIMPR_BUSINESS_DAYS.name != ENGLAND_AND_WALES.name
    assert CRIMPR_BUSINESS_DAYS.kind_label == "business day"
    assert CRIMPR_BUSINESS_DAYS.holiday_name(date(2027, 12, 26)) is not None  # Boxing Day (Sun)
    day = date(2025, 1, 1)
    while day < date(2029, 1, 1):
        assert CRIMPR_BUSINESS_DAYS.is_working_day(day) == ENGLAND_AND_WALES.is_working_day(day)
        day += timedelta(days=1)
    extra = CRIMPR_BUSINESS_DAYS.with_extra_holidays({date(2026, 6, 15): "One-off"})
    assert isinstance(extra, BusinessDayCalendar)
    assert not extra.is_working_day(date(2026, 6, 15))


dates = st.dates(min_value=date(2021, 1, 1), max_value=date(2030, 12, 31))


@settings(database=None, max_examples=200)
@given(start=dates, n=st.integers(min_value=1, max_value=40))
def test_counting_lands_on_a_working_day_after_the_start(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert due > start
    assert is_working_day(due)
    assert add_working_days(start, n + 1) > due
    between = (due - start).days - 1
    assert between - len(non_working_days(start, due)) == n - 1


@settings(database=None, max_examples=200)
@given(start=dates, n=st.integers(min_value=0, max_value=30), gap=st.integers(0, 60))
def test_an_extra_holiday_never_makes_a_deadline_earlier(start: date, n: int, gap: int) -> None:
    extra = ENGLAND_AND_WALES.with_extra_holidays({start + timedelta(days=gap): "Extra"})
    assert extra.add_working_days(start, n) >= add_working_days(start, n)
