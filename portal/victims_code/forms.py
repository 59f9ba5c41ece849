"""What the obligation pages read from a request: the "told" form, the "closed without
meeting it" form, the rights page's "record what happened" form and the ids in
a path."""

from __future__ import annotations

from datetime import date

from portal.victims_code.rights import PERSON_TRIGGERS
from portal.web.dates import PartsDate
from portal.web.fields import Raw, Source, Typed, text_of
from portal.web.forms import Choice, DateField, Form, path_id

__all__ = ["STALE", "CloseForm", "MetForm", "TriggerForm", "path_id"]

STALE = "Someone else updated this while you were working: check it again"


class ToldOn(PartsDate):
    """When the victim was told: a GOV.UK date input, or ``when=today``. All three parts empty
    is no date and no error (the service asks for one)."""

    def bind(self, source: Source, today: date) -> tuple[date | None, Raw, str | None]:
        if text_of(source, "when") == "today":
            return today, dict(self.parts(source)), None
        return super().bind(source, today)


class MetForm(Form):
    """Told: the fields in the order the errors have always been listed."""

    met_on = ToldOn("The date the victim was told", required=False)
    channel = Typed(strip=False)
    evidence = Typed(strip=False)
    late_reason = Typed(strip=False)
    late_detail = Typed(strip=False)

    @property
    def date_problem(self) -> str:
        return self.errors.get("met_on") or ""


class CloseForm(Form):
    """Declined, not applicable, or not met with a good reason."""

    state = Typed(strip=False)
    reason_code = Typed(strip=False)
    reason = Typed(strip=False)


class TriggerForm(Form):
    """Something that happened to one person and starts a duty (the rights page)."""

    trigger = Choice("What happened", list(PERSON_TRIGGERS.items()))
    happened_on = DateField("The date it happened or reached you", when="today_or_past")
