"""The performance review's pages as use cases: the review, its CSV and the cases behind a line,
each with its audit row (a consultation, or a disclosure for the export)."""

from __future__ import annotations

from datetime import date

from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.kit.csvsafe import CsvTable
from portal.outcomes.service import review as performance
from portal.outcomes.service.review import DrillCase, Review


def _record(unit: Unit, category: str, action: str, fields: list[str]) -> None:
    audit.record(
        unit.db,
        actor=unit.actor,
        category=category,
        action=action,
        object_type="performance_review",
        fields=fields,
    )


def review_page(unit: Unit, *, by: str, year: int | None, today: date) -> Review:
    result = performance.review(unit.db, unit.actor, dimension=by, year=year, today=today)
    _record(unit, "consultation", "outcomes.review.view", [f"by={by}", f"year={year}"])
    return result


def review_csv(unit: Unit, *, by: str, year: int | None, today: date) -> CsvTable:
    result = performance.review(unit.db, unit.actor, dimension=by, year=year, today=today)
    table = CsvTable(performance.CSV_HEADER)
    for row in performance.csv_rows(result):
        table.add(row)
    _record(
        unit,
        "disclosure",
        "outcomes.review.export",
        [f"by={by}", f"year={year}", f"rows={table.rows}"],
    )
    return table


def review_cases(
    unit: Unit, *, by: str, year: int | None, key: str, today: date
) -> list[DrillCase]:
    cases = performance.drill_down(
        unit.db, unit.actor, dimension=by, year=year, key=key, today=today
    )
    _record(
        unit,
        "consultation",
        "outcomes.review.cases",
        [f"by={by}", f"year={year}", f"cases={len(cases)}"],
    )
    return cases
