"""Every query of the compliance report and of quality sampling.

The report filters on the obligation's report date (its due date, or without one its trigger
date) written so that one covering index answers it: ``ix_obligation_report`` leads with
``due_on, trigger_on`` and holds every column a breakdown reads (performance.md D1, D6), so the
full range is a scan of the index, never of the table, and a period is two index ranges.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from portal.cases.models import Case, CaseParty, Offence
from portal.compliance.models import QualitySample
from portal.people.models import Person
from portal.victims_code.models import Obligation


def bucket_expression(today: date) -> ColumnElement[str]:
    """The bucket of each obligation; duties with no time limit (no due date) have their own
    two, never "met on time" or "not yet due"."""
    return case(
        (and_(Obligation.state == "met", Obligation.due_on.is_(None)), "no_limit_done"),
        (and_(Obligation.state == "met", Obligation.met_on <= Obligation.due_on), "met_on_time"),
        (Obligation.state == "met", "met_late"),
        (Obligation.state == "declined", "declined"),
        (Obligation.state == "not_met_good_reason", "not_met_good_reason"),
        (Obligation.state == "not_applicable", "not_applicable"),
        (Obligation.due_on.is_(None), "no_limit_open"),
        (Obligation.due_on < today, "overdue"),
        else_="due",
    )


@dataclass(frozen=True, slots=True)
class Period:
    """Obligations whose report date (due date, else trigger date) falls in ``start..end``."""

    start: date | None = None
    end: date | None = None

    def clause(self) -> ColumnElement[bool]:
        # coalesce(due_on, trigger_on) BETWEEN start AND end, spelt as two ranges of the
        # covering index (due_on first, then trigger_on where due_on is null).
        if not self.start and not self.end:
            return and_(literal(True))
        on_due: list[ColumnElement[bool]] = []
        on_trigger: list[ColumnElement[bool]] = [Obligation.due_on.is_(None)]
        if self.start:
            on_due.append(Obligation.due_on >= self.start)
            on_trigger.append(Obligation.trigger_on >= self.start)
        if self.end:
            on_due.append(Obligation.due_on <= self.end)
            on_trigger.append(Obligation.trigger_on <= self.end)
        return or_(and_(*on_due), and_(*on_trigger))


PER_PAGE = 50
OWN_COLUMNS: dict[str, Any] = {
    "entitlement": Obligation.entitlement,
    "right": Obligation.right,
    "enhanced": Obligation.enhanced,
    "child": Obligation.child,
}
CASE_COLUMNS: dict[str, Any] = {"area": Case.area, "unit": Case.unit}


def _base(dimension: str, period: Period) -> tuple[Select[Any], Any]:
    """The obligations in ``period`` and the column to group them by. Only the case's own
    columns need the case joined (every obligation has one: the foreign key is required and
    cascades), so the other breakdowns read the covering index alone."""
    query = select().select_from(Obligation)
    if dimension in OWN_COLUMNS:
        column = OWN_COLUMNS[dimension]
    elif dimension in CASE_COLUMNS:
        query = query.join(Case, Case.id == Obligation.case_id)
        column = CASE_COLUMNS[dimension]
    elif dimension == "category":  # a case with offences in two categories counts in both
        categories = select(Offence.case_id, Offence.category).distinct().subquery("case_category")
        query = query.join(categories, categories.c.case_id == Obligation.case_id)
        column = categories.c.category
    else:
        raise ValueError(f"unknown breakdown {dimension!r}")
    return query.where(period.clause()), column


def breakdown_counts(
    db: Session, *, dimension: str, period: Period, today: date
) -> list[tuple[Any, str, int]]:
    """(key, bucket, count) for every key and bucket with obligations, grouped in the database."""
    query, column = _base(dimension, period)
    bucket = bucket_expression(today)
    rows = db.execute(
        query.add_columns(
            column.label("key"), bucket.label("bucket"), func.count().label("n")
        ).group_by(column, bucket)
    ).all()
    return [(key, str(name), int(count)) for key, name, count in rows]


def overall_counts(db: Session, *, period: Period, today: date) -> list[tuple[str, int]]:
    """(bucket, count), each obligation counted once."""
    bucket = bucket_expression(today)
    rows = db.execute(
        select(bucket, func.count()).select_from(Obligation).where(period.clause()).group_by(bucket)
    ).all()
    return [(str(name), int(count)) for name, count in rows]


def drill_rows(
    db: Session,
    *,
    dimension: str,
    key: str,
    bucket: str,
    period: Period,
    today: date,
    page: int,
    per_page: int = PER_PAGE,
) -> tuple[list[tuple[Obligation, str, str]], int]:
    """The obligations behind one number: (obligation, person reference, case URN), and how
    many there are."""
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


# --- quality sampling -----------------------------------------------------------------------


def unsampled_met_ids(db: Session) -> list[uuid.UUID]:
    """Met obligations never sampled before."""
    already = select(QualitySample.obligation_id)
    return list(
        db.scalars(
            select(Obligation.id).where(Obligation.state == "met", Obligation.id.not_in(already))
        )
    )


def get_sample(db: Session, sample_id: uuid.UUID) -> QualitySample | None:
    return db.get(QualitySample, sample_id)


def count_samples(db: Session, *, state: str | None = None) -> int:
    query = select(func.count()).select_from(QualitySample)
    if state is not None:
        query = query.where(QualitySample.state == state)
    return int(db.scalar(query) or 0)


def count_passed(db: Session, check: str) -> int:
    """Samples answered yes on ``check``."""
    column = getattr(QualitySample, check)
    return int(
        db.scalar(select(func.count()).select_from(QualitySample).where(column.is_(True))) or 0
    )


def recent_samples(db: Session, *, limit: int = 200) -> list[QualitySample]:
    return list(
        db.scalars(
            select(QualitySample)
            .order_by(QualitySample.drawn_at.desc(), QualitySample.id)
            .limit(limit)
        )
    )
