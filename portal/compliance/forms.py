"""What the compliance pages read from a request: the report's breakdown and period (query
string or the export's form), a quality sample's size and a reviewer's answers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from portal.compliance.models import CHECKS
from portal.compliance.quality import MAX_SAMPLE
from portal.compliance.service import DIMENSIONS, Period
from portal.web.dates import IsoDate
from portal.web.fields import Field, Raw, Source, text_of
from portal.web.forms import FieldErrors, Form
from portal.web.params import whole_number


class Breakdown(Field[str]):
    """One of the report's breakdowns; anything else is the default, never an error."""

    def __init__(self, *, default: str, name: str = "") -> None:
        super().__init__("Break down by", required=False, name=name)
        self.default = default

    def bind(self, source: Source, today: date) -> tuple[str, Raw, str | None]:
        typed = source.get(self.name, self.default)
        value = typed if isinstance(typed, str) and typed in DIMENSIONS else self.default
        return value, {self.name: value}, None


class ReportForm(Form):
    """``?by=&from=&to=``: a wrong date is an error against its field, the period keeps only
    the dates that parsed."""

    by = Breakdown(default="entitlement")
    start = IsoDate("start", required=False, name="from")
    end = IsoDate("end", required=False, name="to")

    def __init__(self, data: Any = None, *, today: date | None = None) -> None:
        super().__init__(data, today=today)
        if self.start and self.end and self.end < self.start:
            self.add_error("to", "The end date must be on or after the start date")

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)


class SampleSize(Field[int]):
    """The sample size as typed; a wrong one reads as 0, which the service refuses with the
    page's message."""

    def bind(self, source: Source, today: date) -> tuple[int, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        return whole_number(typed, low=1, high=MAX_SAMPLE) or 0, {self.name: typed}, None


class DrawForm(Form):
    size = SampleSize("How many to sample", required=False)


class Answer(Field[bool | None]):
    """A checklist answer: yes, no, or not given (the service names the missing ones)."""

    def bind(self, source: Source, today: date) -> tuple[bool | None, Raw, str | None]:
        typed = text_of(source, self.name)
        value = {"yes": True, "no": False}.get(typed)
        return value, {self.name: typed}, None


class ScoreForm(Form):
    accurate = Answer(CHECKS["accurate"], required=False)
    timely = Answer(CHECKS["timely"], required=False)
    empathetic = Answer(CHECKS["empathetic"], required=False)
    plain_english = Answer(CHECKS["plain_english"], required=False)
    rights_explained = Answer(CHECKS["rights_explained"], required=False)

    @property
    def answers(self) -> dict[str, bool]:
        return {name: self.data[name] for name in CHECKS if self.data[name] is not None}

    def errors_for(self, sample_id: uuid.UUID) -> FieldErrors:
        """The errors as the page names them: a check's field is ``<check>-<sample id>``."""
        errors = FieldErrors()
        for name, message in self.errors.items():
            errors.add(f"{name}-{sample_id}" if name in CHECKS else name, message)
        return errors


assert set(ScoreForm.fields) == set(CHECKS), "one answer per check"
