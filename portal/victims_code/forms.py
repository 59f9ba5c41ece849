"""What the obligation pages read from a request: the "told" form, the "closed without
meeting it" form, My work's filter and the ids in a path."""

from __future__ import annotations

import uuid
from datetime import date

from portal.cases.errors import CaseNotFound
from portal.web.fields import Field, Raw, Source, text_of
from portal.web.forms import Form, parse_date_parts
from portal.web.routing import RequestContext

STALE = "Someone else updated this while you were working: check it again"
FILTERS = {
    "overdue": "Overdue",
    "due_today": "Due today",
    "due_soon": "Due in the next 5 working days",
}


def path_id(ctx: RequestContext, name: str) -> uuid.UUID:
    """A record's id from the path; one that is not a UUID is not found."""
    try:
        return uuid.UUID(str(ctx.request.path_params[name]))
    except ValueError:
        raise CaseNotFound(None) from None


def work_filter(ctx: RequestContext) -> str:
    """My work's ``?show=``: one of ``FILTERS``, anything else is everything ("")."""
    only = ctx.request.query_params.get("show", "")
    return only if only in FILTERS else ""


class Typed(Field[str]):
    """The text exactly as typed; the service checks it (and names what is wrong)."""

    def __init__(self, label: str = "", *, name: str = "") -> None:
        super().__init__(label, required=False, name=name)

    def bind(self, source: Source, today: date) -> tuple[str, Raw, str | None]:
        typed = text_of(source, self.name)
        return typed, {self.name: typed}, None


class ToldOn(Field[date | None]):
    """When the victim was told: a GOV.UK date input, or ``when=today``. All three parts empty
    is no date and no error (the service asks for one)."""

    def bind(self, source: Source, today: date) -> tuple[date | None, Raw, str | None]:
        parts = {f"{self.name}-{part}": text_of(source, f"{self.name}-{part}") for part in PARTS}
        raw: Raw = dict(parts)
        if text_of(source, "when") == "today":
            return today, raw, None
        found, problem = parse_date_parts(*parts.values(), label=self.label)
        return found, raw, problem or None


PARTS = ("day", "month", "year")


class MetForm(Form):
    """Told: the fields in the order the errors have always been listed."""

    met_on = ToldOn("The date the victim was told", required=False)
    channel = Typed()
    evidence = Typed()
    late_reason = Typed()
    late_detail = Typed()

    @property
    def date_problem(self) -> str:
        return self.errors.get("met_on") or ""


class CloseForm(Form):
    """Declined, not applicable, or not met with a good reason."""

    state = Typed()
    reason_code = Typed()
    reason = Typed()
