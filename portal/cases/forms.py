"""The case forms (the edge): opening a case and recording a case event, typed and checked.

The fields keep exactly the rules and messages these pages have always had (dates through
``parse_date_parts`` as ``PartsDate``, text stripped as ``Typed``, not the stricter kit fields);
the service checks the rest.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from portal.cases.hearings import hearing_instant, hearing_type_choices
from portal.cases.reference import EventKind
from portal.cases.service import NewCase, NewEvent
from portal.web.dates import PartsDate
from portal.web.fields import (
    Choice,
    Field,
    Raw,
    Source,
    Text,
    Ticked,
    Typed,
    YesNo,
    lower_first,
    text_of,
)
from portal.web.forms import FieldErrors, Form, uuid_or_404
from portal.web.params import whole_number


def case_id(value: object) -> uuid.UUID:
    """A ``{case_id}`` from the path; one that is not an id is a case not found (404)."""
    return uuid_or_404(value)


class Limited(Typed):
    """Stripped text of at most ``max_length`` characters."""

    def __init__(self, label: str, *, max_length: int, message: str) -> None:
        super().__init__(label)
        self.max_length = max_length
        self.too_long = message

    def bind(self, source: Source, today: date) -> tuple[str, Raw, str | None]:
        value, raw, _ = super().bind(source, today)
        return value, raw, self.too_long if len(value) > self.max_length else None


class Names(Field[list[str]]):
    """One name a line, each at most 200 characters."""

    def bind(self, source: Source, today: date) -> tuple[list[str], Raw, str | None]:
        typed = text_of(source, self.name).strip()
        names = [n.strip() for n in typed.splitlines() if n.strip()]
        error = "Each defendant's name must be 200 characters or fewer"
        return names, {self.name: typed}, error if any(len(n) > 200 for n in names) else None


class NewCaseForm(Form):
    urn = Typed("Unique reference number (URN)")
    area = Typed("CPS Area", strip=False)
    unit = Typed("Unit", strip=False)
    court_type = Typed("Court", strip=False)
    court_name = Typed("Court name")
    offences = Ticked("Offences")
    offence_date = PartsDate("Date of the offence", required=False)
    defendants = Names("Defendants", required=False)

    def command(self) -> NewCase:
        return self.build(NewCase, offence_codes=self.offences, defendant_names=self.defendants)


class Kind(Field["EventKind | None"]):
    def bind(self, source: Source, today: date) -> tuple[EventKind | None, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        kind = EventKind(typed) if typed in {k.value for k in EventKind} else None
        return kind, {self.name: typed}, "Select what happened" if kind is None else None

    def raw(self, value: EventKind | None) -> Raw:
        return {self.name: value.value if value else ""}


class Months(Field["int | None"]):
    def bind(self, source: Source, today: date) -> tuple[int | None, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        months = whole_number(typed, low=0, high=1200) if typed else None
        bad = bool(typed) and months is None
        message = "Enter the custodial sentence in whole months, like 18"
        return months, {self.name: typed}, message if bad else None


class Chosen(Field["uuid.UUID | None"]):
    """An id from a select; empty is None."""

    def bind(self, source: Source, today: date) -> tuple[uuid.UUID | None, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        if not typed:
            return None, {self.name: typed}, None
        try:
            return uuid.UUID(typed), {self.name: typed}, None
        except ValueError:
            return None, {self.name: typed}, self.missing


class ClockTime(Field["time | None"]):
    """A time of day typed as 24-hour HH:MM (``9:30`` and ``09.30`` too), in England's time."""

    def bind(self, source: Source, today: date) -> tuple[time | None, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        raw: Raw = {self.name: typed}
        if not typed:
            return None, raw, self.missing if self.required else None
        found = CLOCK.fullmatch(typed)
        if found is None:
            return None, raw, f"Enter the {lower_first(self.label)} as 24-hour time, like 10:00"
        return time(int(found.group(1)), int(found.group(2))), raw, None


CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")


def _details(kind: EventKind) -> list[Field[Any]]:
    """The fields only ``kind`` asks (named ``<kind>-<name>``: each kind's inputs are its own,
    so without JavaScript every kind's show at once and only the chosen kind's are read)."""

    def named(name: str) -> str:
        return f"{kind.value}-{name}"

    found: list[Field[Any]] = []
    if kind.per_defendant:
        found.append(
            Chosen("Defendant", message="Select the defendant", name=named("defendant_id"))
        )
    if kind.outcomes:
        found.append(Typed(kind.label, name=named("outcome")))
    if kind is EventKind.SENTENCE:
        found.append(
            Months("Custodial sentence in months", required=False, name=named("custody_months"))
        )
    if kind.is_hearing:
        found += [
            PartsDate(
                "Date of the hearing",
                message="Enter the date of the hearing",
                name=named("hearing_date"),
            ),
            ClockTime(
                "Time of the hearing",
                message="Enter the time of the hearing",
                name=named("hearing_time"),
            ),
            Text(
                "Court",
                max_length=120,
                message="Enter the court's name",
                name=named("hearing_court"),
            ),
            Choice(
                "Type of hearing",
                hearing_type_choices(),
                message="Select the type of hearing",
                name=named("hearing_type"),
            ),
        ]
    if kind.may_end_proceedings:
        found.append(
            YesNo(
                "Does this decision end all proceedings in the case?",
                message="Select yes if this decision ends all proceedings in the case",
                name=named("ends_all_proceedings"),
            )
        )
    return found


DETAILS: dict[str, EventKind] = {f.name: kind for kind in EventKind for f in _details(kind)}


class EventForm(Form):
    """What happened first (radios, each revealing only its kind's fields), then when, then
    notes. Only the chosen kind's fields are read and checked; the service's errors about
    ``outcome``, ``defendant_id``... go against the chosen kind's field."""

    kind = Kind("What happened")
    event_date = PartsDate("Date of the event", message="Enter the date of the event")
    received_on = PartsDate("Date the information was received", required=False)
    notes = Limited("Notes", max_length=2000, message="Notes must be 2,000 characters or fewer")

    def __init__(
        self, data: Source | Mapping[str, Any] | None = None, *, today: date | None = None
    ):
        super().__init__(data, today=today)
        chosen = self.data.get("kind")
        theirs = [(n, m) for n, m in self.errors.items() if DETAILS.get(n, chosen) is chosen]
        self.errors = FieldErrors()
        for name, message in theirs:
            self.errors.add(name, message)

    def _named(self, name: str) -> str:
        kind = self.data.get("kind")
        if kind is not None and f"{kind.value}-{name}" in self.fields:
            return f"{kind.value}-{name}"
        return name

    def detail(self, name: str) -> Any:
        """The chosen kind's value of its field ``name`` (None if it has no such field)."""
        kind = self.data.get("kind")
        return None if kind is None else self.data.get(f"{kind.value}-{name}")

    def command(self) -> NewEvent | None:
        """The event typed; None without a kind and a date (nothing to check it against)."""
        if self.kind is None or self.event_date is None:
            return None
        on, at = self.detail("hearing_date"), self.detail("hearing_time")
        return NewEvent(
            kind=self.kind,
            event_date=self.event_date,
            received_on=self.received_on,
            defendant_id=self.detail("defendant_id"),
            outcome=self.detail("outcome") or None,
            custody_months=self.detail("custody_months"),
            ends_all_proceedings=bool(self.detail("ends_all_proceedings")),
            notes=self.notes or None,
            hearing_at=hearing_instant(on, at) if on and at else None,
            hearing_court=self.detail("hearing_court") or None,
            hearing_type=self.detail("hearing_type") or None,
        )


# Page order: the kind, each kind's own fields (revealed under it), then the dates and notes.
_common = dict(EventForm.fields)
EventForm.fields = {
    "kind": _common.pop("kind"),
    **{f.name: f for kind in EventKind for f in _details(kind)},
    **_common,
}
