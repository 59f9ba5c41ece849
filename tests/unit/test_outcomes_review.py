"""The review's measures: the conviction rate reproduces the strategy's own table."""

from __future__ import annotations

from datetime import date

import pytest

from portal.outcomes.models import Finalised
from portal.outcomes.rules import outcomes_rules
from portal.outcomes.service.review import (
    MEASURES,
    conviction_rate,
    financial_year,
    quarter,
    year_label,
)

# The CPS Organised Crime Strategy's "Our conviction rates" table (seeds/), column by column:
# guilty pleas, convictions after trial, acquittals after trial, directed acquittals,
# prosecutions dropped, and the conviction rate it prints.
SEED_TABLE = {
    "2010-2011": (124, 69, 29, 12, 5, 81),
    "2011-2012": (187, 89, 29, 5, 16, 85),
    "2012-2013": (151, 81, 31, 4, 7, 85),
    "2013-2014": (199, 72, 28, 3, 19, 84),
}


@pytest.mark.parametrize("year", sorted(SEED_TABLE))
def test_the_conviction_rate_reproduces_every_printed_rate(year: str) -> None:
    pleas, convicted, acquitted, directed, dropped, printed = SEED_TABLE[year]
    counts = {
        Finalised.GUILTY_PLEA.value: pleas,
        Finalised.CONVICTED_AFTER_TRIAL.value: convicted,
        Finalised.ACQUITTED_AFTER_TRIAL.value: acquitted,
        Finalised.DIRECTED_ACQUITTAL.value: directed,
        Finalised.DROPPED.value: dropped,
    }
    assert conviction_rate(counts) == printed


def test_a_rate_that_left_out_dropped_cases_would_not_match() -> None:
    """The definition matters: without prosecutions dropped, 2010-11 would read 82%."""
    pleas, convicted, acquitted, directed, _dropped, printed = SEED_TABLE["2010-2011"]
    without_dropped = round(100 * (pleas + convicted) / (pleas + convicted + acquitted + directed))
    assert without_dropped != printed


def test_no_finalised_defendants_has_no_rate() -> None:
    assert conviction_rate({}) is None


def test_half_a_percent_rounds_up() -> None:
    assert conviction_rate({"guilty_plea": 1, "dropped": 7}) == 13  # 12.5%


@pytest.mark.parametrize(
    ("on", "year", "q"),
    [
        (date(2025, 4, 1), 2025, 1),
        (date(2025, 6, 30), 2025, 1),
        (date(2025, 7, 1), 2025, 2),
        (date(2025, 12, 31), 2025, 3),
        (date(2026, 1, 1), 2025, 4),
        (date(2026, 3, 31), 2025, 4),
    ],
)
def test_financial_years_start_in_april(on: date, year: int, q: int) -> None:
    assert financial_year(on) == year
    assert quarter(on) == q
    assert year_label(year) == f"{year}-{year + 1}"


def test_every_measure_is_defined_in_the_help_text() -> None:
    for outcome in Finalised:
        assert MEASURES[outcome.value]
    for name in ("conviction_rate", "compensation", "confiscation", "ancillary", "victims_code"):
        assert MEASURES[name]


def test_offences_map_to_the_strategy_crime_types_as_rules_data() -> None:
    rules = outcomes_rules()
    assert len([t for t in rules.crime_types if t.code != "fraud"]) == 11
    assert rules.crime_types_of([("MDA1971-S4", "drugs")]) == {"drug_trafficking"}
    assert rules.crime_types_of([("IA1971-S25", "immigration")]) == {"immigration_trafficking"}
    assert rules.crime_types_of([("X", "drugs"), ("Y", "cyber")]) == {"drug_trafficking", "cyber"}
    assert rules.crime_types_of([("OAPA1861-S18", "violence")]) == {"other"}
    kinds = {k.code for k in rules.ancillary}
    assert {"scpo", "tro", "fro", "shpo", "director_disqualification"} <= kinds
