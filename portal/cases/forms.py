"""The case forms (the edge): opening a case and recording a case event, typed and checked.

The fields keep exactly the rules and messages these pages have always had (dates through
``parse_date_parts`` as ``PartsDate``, text stripped as ``Typed``, not the stricter kit fields);
the service checks the rest.
"""

from __future__ import annotations

import uuid
from datetime import date

from portal.cases.reference import EventKind
from portal.cases.service import NewCase, NewEvent
from portal.web.dates import PartsDate
from portal.web.fields import Field, Raw, Source, Ticked, Typed, text_of
from portal.web.forms import Form, uuid_or_404
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


class EventForm(Form):
    # In the order these checks have always reported (the service's follow, in page order).
    kind = Kind("What happened")
    event_date = PartsDate("Date of the event", message="Enter the date of the event")
    received_on = PartsDate("Date the information was received", required=False)
    custody_months = Months("Custodial sentence in months", required=False)
    defendant_id = Chosen("Defendant", message="Select the defendant")
    outcome = Typed("Plea or verdict")
    ends_all_proceedings = Typed("Does this decision end all proceedings in the case?")
    notes = Limited("Notes", max_length=2000, message="Notes must be 2,000 characters or fewer")

    def command(self) -> NewEvent:
        assert self.kind is not None
        assert self.event_date is not None
        return self.build(
            NewEvent,
            outcome=self.outcome or None,
            ends_all_proceedings=self.ends_all_proceedings == "yes",
            notes=self.notes or None,
        )
