"""What the anonymity pages' forms send, read and checked before any service call: the
restriction's dates, the application's texts and measures, and a step's date. Errors and values
are the shapes ``templates/components/forms.html`` takes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from portal.web.forms import FieldErrors, parse_date_parts

Read = Callable[[str], str]
DATE_PARTS = ("day", "month", "year")


class RestrictionForm:
    """A restriction: kind, start and end dates (GOV.UK date inputs), court reference, waived."""

    def __init__(self, read: Read) -> None:
        self.values: dict[str, Any] = {k: read(k) for k in ("kind", "court_reference", "waived")}
        for prefix in ("starts_on", "ends_on"):
            for part in DATE_PARTS:
                self.values[f"{prefix}-{part}"] = read(f"{prefix}-{part}")
        self.errors = FieldErrors()
        self.starts_on = self._date("starts_on", "The start date")
        self.ends_on = self._date("ends_on", "The end date")

    def _date(self, prefix: str, label: str) -> date | None:
        day, month, year = (self.values[f"{prefix}-{part}"] for part in DATE_PARTS)
        found, problem = parse_date_parts(day, month, year, label=label)
        if problem:
            self.errors.add(prefix, problem)
        return found

    @property
    def kind(self) -> str:
        return str(self.values["kind"])

    @property
    def court_reference(self) -> str:
        return str(self.values["court_reference"])

    @property
    def waived(self) -> bool:
        return bool(self.values["waived"] == "yes")


class ApplicationForm:
    """An anonymity order application: the three conditions, considerations and measures."""

    TEXTS = ("condition_a", "condition_b", "condition_c", "considerations")

    def __init__(self, read: Read, measures: list[Any]) -> None:
        self.measures = [m for m in measures if isinstance(m, str)]
        self.values: dict[str, Any] = {k: read(k) for k in self.TEXTS}
        self.values["measures"] = self.measures
        self.errors = FieldErrors()

    def text(self, name: str) -> str:
        return str(self.values[name])


class StepForm:
    """A step on an application: its date (``on``) and the court's reference."""

    def __init__(self, read: Read) -> None:
        self.errors = FieldErrors()
        self.on, problem = parse_date_parts(
            read("on-day"), read("on-month"), read("on-year"), label="The date"
        )
        if problem:
            self.errors.add("on", problem)
        self.court_reference = read("court_reference")
