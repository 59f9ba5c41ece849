"""What each VLU form posts, parsed (portal.web.forms). The rules on what is typed (lengths,
required answers, sealed names) stay in the services, whose messages the pages show: the fields
here only read the inputs, so they are optional and unbounded (up to a size no page allows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.cases.reference import AREAS, CrimeCategory
from portal.vlu.repository import QueueFilters
from portal.vlu.service import REVIEW_ACTIONS
from portal.vlu.service.pages import DUE_FILTERS, STATE_FILTERS
from portal.vlu.states import Action
from portal.web.dates import PartsDate
from portal.web.fields import Text, TextArea, Ticks
from portal.web.forms import Form

TYPED = 1_000_000  # more than any service allows: the service's own message answers first
CHOOSE_CHECK = "Choose whether to approve the letter or return it"


def _text(label: str, name: str = "") -> Text:
    return Text(label, max_length=TYPED, required=False, strip=False, name=name)


def _area(label: str) -> TextArea:
    return TextArea(label, max_length=TYPED, required=False, strip=False)


class ReasonsForm(Form):
    reasons = _area("The reasons")
    meeting = _text("Whether a meeting is offered")
    no_meeting_reason = _area("The explanation")

    @property
    def meeting_offered(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.meeting)


class BulkForm(Form):
    action = _text("What to do")
    checklist = Ticks("The checks")


class ConfirmForm(Form):
    """A button's form: nothing typed but the confirmation."""

    confirm = _text("Confirm")


class ApproveBatchForm(Form):
    checklist = Ticks("The checks")


class AskForm(Form):
    confirm = _text("Ask witness care")


class DraftForm(Form):
    body = _area("The letter")
    intent = _text("What to do")

    @property
    def typed(self) -> str:
        """The letter exactly as typed (``body`` is "" when it is only spaces): the page shows
        it, and scores it, as it is."""
        typed = self.values.get("body", "")
        return typed if isinstance(typed, str) else ""


class CheckForm(Form):
    decision = _text("Approve or return")
    checklist = Ticks("The checks")
    notes = _area("Notes")

    def __init__(self, data: Any = None, *, today: date | None = None) -> None:
        super().__init__(data, today=today)
        if self.submitted and self.decision not in {"approve", "return"}:
            self.errors.add("checklist", CHOOSE_CHECK)

    @property
    def approved(self) -> bool:
        return self.decision == "approve"


class SendForm(Form):
    channel = _text("How to send it")


class ReviewForm(Form):
    """A step of the Victims' Right to Review; the date is checked as the page has always
    checked it (``PartsDate``), then the service checks it against the letter."""

    # "on" is where the date's errors go (its inputs are on-day, on-month and on-year): first,
    # so a service's errors are summarised date first, as the page always has.
    on = PartsDate("The date", required=False)
    action = _text("What happened")
    outcome = _text("The outcome")
    reviewer = _text("The reviewer")
    late_reason = _area("Why the request is accepted late")
    letter = _area("The outcome letter")
    notes = _area("Notes")

    def __init__(self, data: Any = None, *, today: date | None = None) -> None:
        super().__init__(data, today=today)
        self.step: Action | None = None
        if not self.submitted:
            return
        if self.action in {a.value for a in REVIEW_ACTIONS}:
            self.step = Action(self.action)
        else:
            self.errors.add("action", "Select what happened")


class MessageForm(Form):
    message = _area("The message")


# --- the queue's filters (the query string: codes only) ---------------------------------------


def queue_filters(due: str, state: str, area: str, category: str) -> QueueFilters:
    """The queue's filters from the query string: a code not offered is no filter."""
    return QueueFilters(
        due=due if due in DUE_FILTERS else "",
        state=state if state in STATE_FILTERS else "",
        area=area if area in AREAS else "",
        category=category if category in {c.value for c in CrimeCategory} else "",
    )


def queue_query(filters: QueueFilters) -> str:
    """The filters as a query string, for the pagination's links."""
    return "&".join(
        f"{key}={value}"
        for key, value in (
            ("due", filters.due),
            ("state", filters.state),
            ("area", filters.area),
            ("category", filters.category),
        )
        if value
    )
