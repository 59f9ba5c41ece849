"""Victims' Code compliance: counts by outcome, broken down, with drill-down (issue 9).

Buckets, for obligations whose due date (or, without one, trigger date) falls in the period:

* **met on time** - met on or before the due date;
* **met late** - met after it;
* **overdue** - still open and past the due date (derived from today, never stored);
* **due** - still open and not yet due;
* **declined** - the victim opted out; **not met, good reason** (VPA 2024 s5);
* **not applicable** - shown, but outside the rate;
* **open, no time limit** and **done, no time limit** - duties the rules give no time limit
  (``"none"``): shown apart, outside the rate (they are never late).

Duties the rules mark ``tracked = false`` (the police's or the court's) have no obligations here:
the dashboard lists them apart, with their owner.

**On-time rate** = met on time / (met on time + met late + overdue + not met with a good reason):
of the entitlements that fell due, how many were delivered in time. Declined and not applicable
are excluded (nothing was owed); "due" is excluded (not yet due).

Breakdowns: entitlement, right, crime category (a case with offences in two categories counts
in both), CPS Area, unit, enhanced or standard and child or adult (both as at the trigger).
One aggregate query per breakdown, grouped in the database (performance.md D1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound
from portal.cases.reference import AREAS, UNITS, CrimeCategory
from portal.compliance import repository
from portal.compliance.repository import Period, bucket_expression
from portal.kit.csvsafe import CsvTable
from portal.victims_code.calendar import today_in_england_and_wales
from portal.victims_code.models import Obligation
from portal.victims_code.rules import OWNERS, Entitlement, rules_in_force

__all__ = ["Period", "bucket_expression"]  # their home is the repository; old paths kept

BUCKETS = (
    "met_on_time",
    "met_late",
    "overdue",
    "due",
    "declined",
    "not_met_good_reason",
    "not_applicable",
    "no_limit_open",
    "no_limit_done",
)
BUCKET_LABELS = {
    "met_on_time": "Met on time",
    "met_late": "Met late",
    "overdue": "Overdue",
    "due": "Not yet due",
    "declined": "Declined",
    "not_met_good_reason": "Not met, good reason",
    "not_applicable": "Not applicable",
    "no_limit_open": "Open, no time limit",
    "no_limit_done": "Done, no time limit",
}
DIMENSIONS = {
    "entitlement": "Entitlement",
    "right": "Right",
    "category": "Crime type",
    "area": "CPS Area",
    "unit": "Unit",
    "enhanced": "Enhanced or standard",
    "child": "Child or adult",
}
CHART_WIDTH = 480
COLOURS = {
    "met_on_time": "#00703c",
    "met_late": "#f47738",
    "overdue": "#d4351c",
    "due": "#505a5f",
    "declined": "#1d70b8",
    "not_met_good_reason": "#4c2c92",
    "not_applicable": "#b1b4b6",
    "no_limit_open": "#85994b",
    "no_limit_done": "#28a197",
}
PER_PAGE = repository.PER_PAGE


@dataclass(slots=True)
class Line:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))

    @property
    def fell_due(self) -> int:
        c = self.counts
        return c["met_on_time"] + c["met_late"] + c["overdue"] + c["not_met_good_reason"]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def no_limit(self) -> int:
        """Obligations of duties with no time limit (open or done)."""
        return self.counts["no_limit_open"] + self.counts["no_limit_done"]

    @property
    def timed(self) -> int:
        """Obligations of duties with a time limit (whatever their outcome)."""
        return self.total - self.no_limit

    @property
    def on_time_rate(self) -> float | None:
        return None if self.fell_due == 0 else self.counts["met_on_time"] / self.fell_due


def label_for(dimension: str, key: object, titles: dict[str, str]) -> str:
    if dimension == "entitlement":
        return titles.get(str(key)) or str(key)  # the entitlement's title, not its code
    if dimension == "right":
        return f"Right {key}"
    if dimension == "category":
        try:
            return CrimeCategory(str(key)).label
        except ValueError:
            return str(key)
    if dimension == "area":
        return AREAS.get(str(key), str(key))
    if dimension == "unit":
        return UNITS.get(str(key), str(key))
    if dimension == "enhanced":
        return "Enhanced rights" if key else "Standard rights"
    if dimension == "child":
        return "Unknown age" if key is None else ("Child" if key else "Adult")
    return str(key)


def breakdown(
    db: Session, *, dimension: str, period: Period, today: date, titles: dict[str, str]
) -> list[Line]:
    lines: dict[str, Line] = {}
    for key, name, count in repository.breakdown_counts(
        db, dimension=dimension, period=period, today=today
    ):
        text_key = "" if key is None else str(key)
        line = lines.setdefault(text_key, Line(text_key, label_for(dimension, key, titles)))
        line.counts[name] += count
    return sorted(lines.values(), key=_sort_key(dimension))


def _sort_key(dimension: str) -> Any:
    if dimension == "right":
        return lambda line: int(line.key or 0)
    return lambda line: line.label


def totals(lines: Sequence[Line]) -> Line:
    total = Line("", "All")
    for line in lines:
        for name in BUCKETS:
            total.counts[name] += line.counts[name]
    return total


def overall(db: Session, *, period: Period, today: date) -> Line:
    """Counted once per obligation (the category breakdown can count a case twice)."""
    line = Line("", "All")
    for name, count in repository.overall_counts(db, period=period, today=today):
        line.counts[name] = count
    return line


drill_down = repository.drill_rows  # the obligations behind one number (its old name)


# --- the pages (one call per request) -------------------------------------------------------


london_today = today_in_england_and_wales


def titles_in_force(today: date) -> dict[str, str]:
    return {e.code: e.title for e in rules_in_force(today).entitlements}


def _breakdown(unit: Unit, dimension: str, period: Period, today: date) -> list[Line]:
    return breakdown(
        unit.db, dimension=dimension, period=period, today=today, titles=titles_in_force(today)
    )


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    width: float
    colour: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Bar:
    line: Line
    segments: list[Segment]


def bars(lines: Sequence[Line]) -> list[Bar]:
    """Bar segments for the SVG chart, computed here so the template stays declarative."""
    biggest = max((line.total for line in lines), default=0) or 1
    found = []
    for line in lines:
        x = 0.0
        segments = []
        for name in BUCKETS:
            width = CHART_WIDTH * line.counts[name] / biggest
            if width > 0:
                segments.append(
                    Segment(
                        round(x, 1),
                        round(width, 1),
                        COLOURS[name],
                        BUCKET_LABELS[name],
                        line.counts[name],
                    )
                )
            x += width
        found.append(Bar(line, segments))
    return found


@dataclass(frozen=True, slots=True)
class Duties:
    """The rules in force, split as the dashboard shows them: duties tracked here with a time
    limit, tracked with none, and not tracked in this portal (by owner's label)."""

    timed: list[Entitlement]
    no_limit: list[Entitlement]
    untracked: dict[str, list[Entitlement]]

    @property
    def untracked_count(self) -> int:
        return sum(len(items) for items in self.untracked.values())


def duties_in_force(today: date) -> Duties:
    duties = [e for e in rules_in_force(today).entitlements if e.kind == "duty"]
    untracked: dict[str, list[Entitlement]] = {}
    for e in duties:
        if not e.tracked:
            untracked.setdefault(OWNERS[e.owner], []).append(e)
    tracked = [e for e in duties if e.tracked]
    return Duties(
        timed=[e for e in tracked if e.standard_limit is not None],
        no_limit=[e for e in tracked if e.standard_limit is None],
        untracked=untracked,
    )


@dataclass(frozen=True, slots=True)
class Dashboard:
    lines: list[Line]
    bars: list[Bar]
    overall: Line
    duties: Duties


def dashboard(unit: Unit, *, dimension: str, period: Period, breakdown_wanted: bool) -> Dashboard:
    """The dashboard: the overall rate and, unless the period was refused, the breakdown."""
    today = london_today()
    lines = _breakdown(unit, dimension, period, today) if breakdown_wanted else []
    found = overall(unit.db, period=period, today=today)
    audit.consulted(unit.db, unit.actor, "compliance.view", "compliance", f"by={dimension}")
    return Dashboard(lines, bars(lines), found, duties_in_force(today))


@dataclass(frozen=True, slots=True)
class Drill:
    rows: list[tuple[Obligation, str, str]]
    total: int
    label: str
    bucket_label: str
    titles: dict[str, str]
    page: int
    has_next: bool
    has_prev: bool


def key_value(dimension: str, key: str) -> object:
    if dimension in {"enhanced", "child"}:
        return None if key == "" else key == "True"
    return key


def drill(unit: Unit, *, dimension: str, key: str, bucket: str, period: Period, page: int) -> Drill:
    """The obligations behind one number of the dashboard. An unknown bucket is not found."""
    if bucket not in BUCKETS:
        raise CaseNotFound(None)
    today = london_today()
    rows, total = drill_down(
        unit.db,
        dimension=dimension,
        key=key,
        bucket=bucket,
        period=period,
        today=today,
        page=page,
    )
    audit.consulted(
        unit.db,
        unit.actor,
        "compliance.drill_down",
        "obligation",
        f"by={dimension}",
        f"bucket={bucket}",
    )
    titles = titles_in_force(today)
    return Drill(
        rows,
        total,
        label_for(dimension, key_value(dimension, key), titles),
        BUCKET_LABELS[bucket],
        titles,
        page,
        page * PER_PAGE < total,
        page > 1,
    )


def export(unit: Unit, *, dimension: str, period: Period) -> CsvTable:
    """The breakdown as a CSV table (a disclosure to the actor, audited)."""
    lines = _breakdown(unit, dimension, period, london_today())
    table = CsvTable([DIMENSIONS[dimension], *BUCKETS, "on_time_rate"])
    for line in lines:
        rate = "" if line.on_time_rate is None else f"{line.on_time_rate:.4f}"
        table.add([line.label, *(line.counts[b] for b in BUCKETS), rate])
    audit.disclosed_to_actor(
        unit.db, unit.actor, "compliance.export", "compliance", f"by={dimension}"
    )
    return table
