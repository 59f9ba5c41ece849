"""What the request page shows of the Right to Review: the timeline of its stages (who, when,
due, outcome, letter), the prosecutors who may review, and the outcome letter waiting to be
sent; and the review steps due, for My work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.accounts.unit import Unit
from portal.keys.vault import Vault
from portal.vlu.review import repository as reviews
from portal.vlu.review.models import VluReview
from portal.vlu.review.repository import DueStep
from portal.vlu.review.timescales import independent_window, request_window, timescales_on
from portal.vlu.service.common import RequestStep, request_step
from portal.vlu.service.review import review_facts, reviewer_choices
from portal.vlu.states import Facts, Outcome, State

# What a review step due on My work waits for, by the request's state.
STEP_WORDS = {
    State.LOCAL_RESOLUTION.value: "local resolution outcome due",
    State.LOCAL_DECIDED.value: "local resolution outcome letter to send",
    State.INDEPENDENT_REVIEW.value: "independent review outcome due",
    State.INDEPENDENT_DECIDED.value: "independent review outcome letter to send",
}


@dataclass(frozen=True, slots=True)
class StageRow:
    """One line of a stage: what, and when or who."""

    key: str
    value: str
    day: date | None = None
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class StageView:
    title: str
    rows: list[StageRow]
    late_reason: Any = None


@dataclass(frozen=True, slots=True)
class ReviewView:
    stages: list[StageView] = field(default_factory=list)
    reviewers: list[tuple[str, str]] = field(default_factory=list)
    letter_to_send: str = ""
    facts: Facts | None = None
    asks_by: date | None = None  # the end of the window the victim is asking within
    longstop: date | None = None  # the first request's long-stop (later: exceptional only)


def _outcome(value: str | None) -> str:
    return Outcome(value).label if value else ""


def _name(names: dict[uuid.UUID, str], user_id: uuid.UUID | None) -> str:
    return names.get(user_id, "A colleague") if user_id else ""


def _stages(
    review: VluReview, names: dict[uuid.UUID, str], vault: Vault, erased: bool, today: date
) -> list[StageView]:
    def open_(column: str) -> Any:
        return None if erased else vault.open(review, column)

    def due(day: date | None, done: date | None) -> StageRow:
        return StageRow("Due", "", day, overdue=day is not None and done is None and day < today)

    stages = [
        StageView(
            "Review requested",
            [
                StageRow("Asked for on", "", review.requested_on),
                StageRow("Recorded by", _name(names, review.recorded_by_id)),
                StageRow("Window ended", "", review.window_ends_on),
                StageRow("Accepted late", "Yes" if review.late else "No"),
            ],
            late_reason=open_("late_reason") if review.late else None,
        )
    ]
    if review.local_reviewer_id or review.local_started_on:
        stages.append(
            StageView(
                "Local resolution",
                [
                    StageRow("Reviewer", _name(names, review.local_reviewer_id)),
                    StageRow("Started", "", review.local_started_on),
                    due(review.local_due_on, review.local_outcome_on),
                    StageRow("Outcome", _outcome(review.local_outcome), review.local_outcome_on),
                    StageRow(
                        "Outcome letter sent",
                        _name(names, review.local_letter_sent_by_id),
                        review.local_letter_sent_on,
                    ),
                ],
            )
        )
    if review.independent_requested_on:
        stages.append(
            StageView(
                "Independent review (Appeals and Review Unit)",
                [
                    StageRow("Asked for on", "", review.independent_requested_on),
                    StageRow("Accepted late", "Yes" if review.independent_late else "No"),
                    StageRow("Reviewer", _name(names, review.independent_reviewer_id)),
                    due(review.independent_due_on, review.independent_outcome_on),
                    StageRow(
                        "Outcome",
                        _outcome(review.independent_outcome),
                        review.independent_outcome_on,
                    ),
                    StageRow(
                        "Outcome letter sent",
                        _name(names, review.independent_letter_sent_by_id),
                        review.independent_letter_sent_on,
                    ),
                ],
                late_reason=open_("independent_late_reason") if review.independent_late else None,
            )
        )
    if review.concluded_on:
        stages.append(StageView("Concluded", [StageRow("On", "", review.concluded_on)]))
    return stages


@request_step
def review_view(step: RequestStep, today: date) -> ReviewView:
    """The review's part of the request page (empty before any review is asked for)."""
    db, vault, request, decision = step.db, step.vault, step.request, step.decision
    review = reviews.review_of(db, request.id)
    state = State(request.state)
    choices = (
        reviewer_choices(step) if state in (State.REVIEW_REQUESTED, State.LOCAL_LETTER_SENT) else []
    )
    t = timescales_on(request.sent_on or decision.decided_on)
    if review is None:
        window = request_window(request.sent_on or decision.decided_on, today, t)
        return ReviewView(
            reviewers=choices,
            facts=review_facts(step, None),
            asks_by=window.ends_on,
            longstop=window.longstop_on,
        )
    people = {
        review.recorded_by_id,
        review.local_reviewer_id,
        review.local_letter_sent_by_id,
        review.independent_reviewer_id,
        review.independent_letter_sent_by_id,
    }
    names = reviews.staff_names(db, {p for p in people if p is not None})
    erased = step.person.erased
    letter = ""
    if not erased and state in (State.LOCAL_DECIDED, State.INDEPENDENT_DECIDED):
        column = "local_letter" if state is State.LOCAL_DECIDED else "independent_letter"
        letter = vault.open_text(review, column) or ""
    asks_by = None
    if state is State.LOCAL_LETTER_SENT and review.local_letter_sent_on:
        asks_by = independent_window(review.local_letter_sent_on, today, t).ends_on
    return ReviewView(
        asks_by=asks_by,
        stages=_stages(review, names, vault, erased, today),
        reviewers=choices,
        letter_to_send=letter,
        facts=review_facts(step, review),
    )


def review_steps_due(unit: Unit) -> list[DueStep]:
    """The review stages waiting on the signed-in officer (My work)."""
    return reviews.due_steps(unit.db, unit.actor)
