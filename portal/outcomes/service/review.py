"""The quarterly performance review (issue 20; the strategy's "Measuring Success").

What is counted is the **defendant**, once, when their prosecution is finalised
(portal.outcomes.models.DefendantOutcome), in the financial year (1 April to 31 March) and
quarter (Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March) of the date
finalised. The measures, as the page's help text defines them (MEASURES):

* the five outcomes of the strategy's table: guilty pleas, convictions after trial, acquittals
  after trial, directed acquittals, prosecutions dropped;
* **conviction rate** = (guilty pleas + convictions after trial) / all five, as a whole
  percentage rounded half up. This is the definition that reproduces every rate the strategy
  prints from its own counts (tests/unit/test_outcomes_review.py);
* compensation sought and obtained, confiscation ordered and recovered, ancillary orders made:
  the orders against the defendants counted in the line;
* Victims' Code compliance: the on-time rate (portal.compliance.service) of every obligation in
  the cases counted in the line.

Breakdowns: financial year, quarter, organised crime type (from the case's offences through the
rules data, portal/data/outcomes.toml: a case with offences of two types counts in both), CPS
Area and unit. Rows are grouped in the database and only binned here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.cases.access import visible_cases
from portal.cases.reference import AREAS, UNITS
from portal.compliance.service import bucket_expression
from portal.outcomes import repository
from portal.outcomes.models import Finalised
from portal.outcomes.money import pounds_plain
from portal.outcomes.rules import outcomes_rules
from portal.outcomes.service.common import require

DIMENSIONS = {
    "year": "Financial year",
    "quarter": "Quarter",
    "crime_type": "Organised crime type",
    "area": "CPS Area",
    "unit": "Unit",
}
MEASURES: dict[str, str] = {
    Finalised.GUILTY_PLEA: "Defendants finalised by a guilty plea to at least one charge.",
    Finalised.CONVICTED_AFTER_TRIAL: "Defendants who pleaded not guilty and were convicted.",
    Finalised.ACQUITTED_AFTER_TRIAL: "Defendants acquitted by the jury or bench after a trial.",
    Finalised.DIRECTED_ACQUITTAL: (
        "Defendants acquitted on the judge's direction (no case to answer), without the jury "
        "deciding."
    ),
    Finalised.DROPPED: (
        "Defendants whose prosecution the CPS ended: discontinued, withdrawn or no evidence "
        "offered."
    ),
    "conviction_rate": (
        "Guilty pleas and convictions after trial as a share of all five outcomes, as a whole "
        "percentage rounded half up."
    ),
    "compensation": (
        "Compensation orders against the defendants counted: the total sought, and the total "
        "the court ordered."
    ),
    "confiscation": (
        "Confiscation orders against the defendants counted (Proceeds of Crime Act 2002): the "
        "total ordered, and the total recovered so far."
    ),
    "ancillary": "Ancillary orders made against the defendants counted.",
    "victims_code": (
        "Victims' Code obligations in the same cases met on time, as a share of those that fell "
        "due (the compliance page's on-time rate)."
    ),
}


def conviction_rate(counts: Mapping[str, int]) -> int | None:
    """(guilty pleas + convictions after trial) / all finalised, a whole percent, half up."""
    total = sum(counts.get(f.value, 0) for f in Finalised)
    if total == 0:
        return None
    convicted = counts.get(Finalised.GUILTY_PLEA, 0) + counts.get(
        Finalised.CONVICTED_AFTER_TRIAL, 0
    )
    return (200 * convicted + total) // (2 * total)


def financial_year(on: date) -> int:
    """The year the financial year starts in (1 April): 2025 for 2025-26."""
    return on.year if on.month >= 4 else on.year - 1


def year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def quarter(on: date) -> int:
    return (on.month - 4) % 12 // 3 + 1


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


@dataclass(slots=True)
class ReviewLine:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: {f.value: 0 for f in Finalised})
    compensation_sought: int = 0
    compensation_obtained: int = 0
    confiscation_ordered: int = 0
    confiscation_recovered: int = 0
    ancillary_made: int = 0
    met_on_time: int = 0
    fell_due: int = 0
    case_ids: set[uuid.UUID] = field(default_factory=set)

    @property
    def finalised(self) -> int:
        return sum(self.counts.values())

    @property
    def conviction_rate(self) -> int | None:
        return conviction_rate(self.counts)

    @property
    def on_time_rate(self) -> int | None:
        if self.fell_due == 0:
            return None
        return (200 * self.met_on_time + self.fell_due) // (2 * self.fell_due)


@dataclass(frozen=True, slots=True)
class Review:
    dimension: str
    year: int | None  # None: every year (the "year" breakdown)
    lines: list[ReviewLine]
    total: ReviewLine
    years: list[int]


def _keys(
    dimension: str, area: str, unit: str, on: date, types: frozenset[str]
) -> Iterable[tuple[str, str]]:
    if dimension == "year":
        year = financial_year(on)
        yield str(year), year_label(year)
    elif dimension == "quarter":
        q = quarter(on)
        yield f"q{q}", f"Q{q} {year_label(financial_year(on))}"
    elif dimension == "area":
        yield area, AREAS.get(area, area)
    elif dimension == "unit":
        yield unit, UNITS.get(unit, unit)
    else:
        titles = outcomes_rules().crime_type_titles()
        for code in sorted(types):
            yield code, titles.get(code, code)


def review(db: Session, actor: Actor, *, dimension: str, year: int | None, today: date) -> Review:
    require(actor, Permission.VIEW_PERFORMANCE_REVIEW, "the performance review")
    scope = visible_cases(actor)
    first = financial_year(today) - 9
    start, end = year_bounds(year) if year is not None else (date(first, 4, 1), today)
    if dimension == "year":
        start, end = date(first, 4, 1), year_bounds(financial_year(today))[1]
    rows = repository.finalised_rows(db, scope, start, end)
    money = repository.money_rows(db, scope, start, end)
    case_ids = sorted({r[0] for r in rows})
    offences = repository.offences_by_case(db, case_ids) if dimension == "crime_type" else {}
    rules = outcomes_rules()
    places = {r[0]: (r[1], r[2]) for r in rows}
    types = {cid: rules.crime_types_of(offences.get(cid, ())) for cid in case_ids}
    lines: dict[str, ReviewLine] = {}
    total = ReviewLine("", "All")

    def targets(case_id: uuid.UUID, on: date) -> list[ReviewLine]:
        area, unit = places[case_id]
        found = []
        for key, label in _keys(dimension, area, unit, on, types.get(case_id, frozenset())):
            found.append(lines.setdefault(key, ReviewLine(key, label)))
        return found

    for case_id, _area, _unit, outcome, on, count in rows:
        for line in (*targets(case_id, on), total):
            line.counts[outcome] += count
            line.case_ids.add(case_id)
    for case_id, on, sought, made, ordered, recovered, ancillary in money:
        for line in (*targets(case_id, on), total):
            line.compensation_sought += sought
            line.compensation_obtained += made
            line.confiscation_ordered += ordered
            line.confiscation_recovered += recovered
            line.ancillary_made += ancillary
    buckets = repository.obligation_buckets(db, case_ids, bucket_expression(today))
    for line in (*lines.values(), total):
        for case_id in line.case_ids:
            counts = buckets.get(case_id, {})
            line.met_on_time += counts.get("met_on_time", 0)
            line.fell_due += sum(
                counts.get(name, 0)
                for name in ("met_on_time", "met_late", "overdue", "not_met_good_reason")
            )
    sorted_lines = sorted(
        lines.values(),
        key=lambda line: line.key if dimension in {"year", "quarter"} else line.label,
    )
    years = list(range(financial_year(today), first - 1, -1))
    return Review(dimension, None if dimension == "year" else year, sorted_lines, total, years)


@dataclass(frozen=True, slots=True)
class DrillCase:
    id: uuid.UUID
    urn: str
    area: str
    unit: str


def drill_down(
    db: Session, actor: Actor, *, dimension: str, year: int | None, key: str, today: date
) -> list[DrillCase]:
    """The cases behind one line of the review (URNs only: no names)."""
    result = review(db, actor, dimension=dimension, year=year, today=today)
    line = next((line for line in result.lines if line.key == key), None)
    if line is None:
        return []
    found = repository.urns_of(db, visible_cases(actor), sorted(line.case_ids))
    cases = [
        DrillCase(case_id, urn, AREAS.get(area, area), UNITS.get(unit, unit))
        for case_id, (urn, area, unit) in found.items()
    ]
    return sorted(cases, key=lambda c: c.urn)


CSV_HEADER = [
    "Line",
    *[f.label for f in Finalised],
    "Conviction rate (%)",
    "Compensation sought (£)",
    "Compensation obtained (£)",
    "Confiscation ordered (£)",
    "Confiscation recovered (£)",
    "Ancillary orders made",
    "Victims' Code on time (%)",
]


def csv_rows(result: Review) -> list[list[str | int]]:
    """The review as the CSV export's rows, the total last (the page's table, cell by cell)."""
    rows: list[list[str | int]] = []
    for line in (*result.lines, result.total):
        rows.append(
            [
                line.label,
                *[line.counts[f.value] for f in Finalised],
                "" if line.conviction_rate is None else line.conviction_rate,
                pounds_plain(line.compensation_sought),
                pounds_plain(line.compensation_obtained),
                pounds_plain(line.confiscation_ordered),
                pounds_plain(line.confiscation_recovered),
                line.ancillary_made,
                "" if line.on_time_rate is None else line.on_time_rate,
            ]
        )
    return rows
