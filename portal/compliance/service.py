"""Victims' Code compliance: counts by outcome, broken down, with drill-down (issue 9).

Buckets, for obligations whose due date (or, without one, trigger date) falls in the period:

* **met on time** - met on or before the due date;
* **met late** - met after it;
* **overdue** - still open and past the due date (derived from today, never stored);
* **due** - still open and not yet due;
* **declined** - the victim opted out; **not met, good reason** (VPA 2024 s5);
* **not applicable** - shown, but outside the rate.

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

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from portal.cases.models import Case, CaseParty, Offence
from portal.cases.reference import AREAS, CATEGORY_LABELS, UNITS, CrimeCategory
from portal.people.models import Person
from portal.victims_code.models import Obligation

BUCKETS = (
    "met_on_time",
    "met_late",
    "overdue",
    "due",
    "declined",
    "not_met_good_reason",
    "not_applicable",
)
BUCKET_LABELS = {
    "met_on_time": "Met on time",
    "met_late": "Met late",
    "overdue": "Overdue",
    "due": "Not yet due",
    "declined": "Declined",
    "not_met_good_reason": "Not met, good reason",
    "not_applicable": "Not applicable",
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


def bucket_expression(today: date) -> ColumnElement[str]:
    return case(
        (
            and_(
                Obligation.state == "met",
                or_(Obligation.due_on.is_(None), Obligation.met_on <= Obligation.due_on),
            ),
            "met_on_time",
        ),
        (Obligation.state == "met", "met_late"),
        (Obligation.state == "declined", "declined"),
        (Obligation.state == "not_met_good_reason", "not_met_good_reason"),
        (Obligation.state == "not_applicable", "not_applicable"),
        (Obligation.due_on < today, "overdue"),
        else_="due",
    )


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None = None
    end: date | None = None

    def clause(self) -> ColumnElement[bool]:
        when = func.coalesce(Obligation.due_on, Obligation.trigger_on)
        parts: list[ColumnElement[bool]] = []
        if self.start:
            parts.append(when >= self.start)
        if self.end:
            parts.append(when <= self.end)
        return and_(literal(True), *parts)


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
    def on_time_rate(self) -> float | None:
        return None if self.fell_due == 0 else self.counts["met_on_time"] / self.fell_due


def _dimension(dimension: str) -> tuple[Any, bool]:
    """The grouping column, and whether it needs the case's offences joined."""
    if dimension == "entitlement":
        return Obligation.entitlement, False
    if dimension == "right":
        return Obligation.right, False
    if dimension == "area":
        return Case.area, False
    if dimension == "unit":
        return Case.unit, False
    if dimension == "enhanced":
        return Obligation.enhanced, False
    if dimension == "child":
        return Obligation.child, False
    if dimension == "category":
        return Offence.category, True
    raise ValueError(f"unknown breakdown {dimension!r}")


def _base(dimension: str, period: Period) -> tuple[Select[Any], Any]:
    column, needs_offences = _dimension(dimension)
    query = select().select_from(Obligation).join(Case, Case.id == Obligation.case_id)
    if needs_offences:
        categories = select(Offence.case_id, Offence.category).distinct().subquery("case_category")
        query = query.join(categories, categories.c.case_id == Obligation.case_id)
        column = categories.c.category
    return query.where(period.clause()), column


def label_for(dimension: str, key: object, titles: dict[str, str]) -> str:
    if dimension == "entitlement":
        return f"{key}: {titles.get(str(key), '')}".rstrip(": ")
    if dimension == "right":
        return f"Right {key}"
    if dimension == "category":
        try:
            return CATEGORY_LABELS[CrimeCategory(str(key))]
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
    query, column = _base(dimension, period)
    bucket = bucket_expression(today)
    rows = db.execute(
        query.add_columns(
            column.label("key"), bucket.label("bucket"), func.count().label("n")
        ).group_by(column, bucket)
    ).all()
    lines: dict[str, Line] = {}
    for key, name, count in rows:
        text_key = "" if key is None else str(key)
        line = lines.setdefault(text_key, Line(text_key, label_for(dimension, key, titles)))
        line.counts[str(name)] += int(count)
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
    bucket = bucket_expression(today)
    rows = db.execute(
        select(bucket, func.count()).select_from(Obligation).where(period.clause()).group_by(bucket)
    ).all()
    line = Line("", "All")
    for name, count in rows:
        line.counts[str(name)] = int(count)
    return line


def drill_down(
    db: Session,
    *,
    dimension: str,
    key: str,
    bucket: str,
    period: Period,
    today: date,
    page: int,
    per_page: int = 50,
) -> tuple[list[tuple[Obligation, str, str]], int]:
    """The obligations behind one number: (obligation, person reference, case URN)."""
    query, column = _base(dimension, period)
    if dimension in {"enhanced", "child"}:
        condition = column.is_(None) if key == "" else column == (key == "True")
    elif dimension == "right":
        condition = column == int(key or 0)
    else:
        condition = column == key
    matching = (
        query.add_columns(Obligation.id)
        .where(condition, bucket_expression(today) == bucket)
        .subquery()
    )
    total = int(db.scalar(select(func.count()).select_from(matching)) or 0)
    rows = db.execute(
        select(Obligation, Person.reference, Case.urn)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .join(Case, Case.id == Obligation.case_id)
        .where(Obligation.id.in_(select(matching.c.id)))
        .order_by(Obligation.due_on, Obligation.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [(r[0], str(r[1]), str(r[2])) for r in rows], total
