"""My work's filters from the address: codes and ids only, anything unknown dropped, and links
that keep the other filters."""

from __future__ import annotations

import uuid

import pytest

from portal.home.work import trigger_label
from portal.victims_code.work_filters import WorkFilters, read_filters


def test_every_filter_is_read() -> None:
    case_id = uuid.uuid4()
    filters = read_filters(
        {"mine": "yes", "case": str(case_id), "right": "8", "show": "overdue", "sort": "case"}
    )
    assert filters == WorkFilters(mine=True, case_id=case_id, right=8, show="overdue", sort="case")
    assert filters.any


@pytest.mark.parametrize(
    "params",
    [
        {"mine": "on"},
        {"case": "not-a-uuid"},
        {"case": "1" * 400},
        {"case": "１２３"},
        {"right": "0"},
        {"right": "13"},
        {"right": "٨"},
        {"right": "-1"},
        {"show": "tomorrow"},
        {"sort": "name"},
    ],
)
def test_unknown_values_are_dropped(params: dict[str, str]) -> None:
    assert read_filters(params) == WorkFilters()
    assert not read_filters(params).any


def test_sorting_alone_does_not_narrow_the_list() -> None:
    assert not read_filters({"sort": "right"}).any


def test_links_keep_the_other_filters_and_leave_out_the_defaults() -> None:
    case_id = uuid.uuid4()
    filters = WorkFilters(mine=True, case_id=case_id, right=3, show="due_today", sort="right")
    assert filters.query(show="overdue") == (
        f"?mine=yes&case={case_id}&right=3&show=overdue&sort=right"
    )
    assert WorkFilters().query() == ""
    assert WorkFilters(sort="due").query(show="due_soon") == "?show=due_soon"


@pytest.mark.parametrize(
    ("trigger", "label"),
    [
        ("hearing_listed", "Hearing listed"),
        ("discontinuance", "Discontinuance"),
        ("vcl_letter_sent", "Victim Communication and Liaison (VCL) letter sent"),
        ("special_measures_decision", "Special measures decision"),
        ("protective_order_made", "Protective order made"),
    ],
)
def test_triggers_are_named_in_officers_words(trigger: str, label: str) -> None:
    assert trigger_label(trigger) == label
