"""The Victims' Right to Review, stage by stage (portal.vlu.review): the request checked against
its window (a late one needs its reason), local resolution by a prosecutor who did not make the
decision, its outcome and outcome letter, then, if the victim is still dissatisfied, the
independent review by the Appeals and Review Unit with its own reviewer, due date, outcome and
letter. The state machine (portal.vlu.states) refuses a step out of order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from portal.anonymity import identity
from portal.cases.errors import ValidationFailed
from portal.vlu import states
from portal.vlu.directory import directory
from portal.vlu.models import VluRequest
from portal.vlu.review import repository as reviews
from portal.vlu.review.letters import OutcomeFacts, Stage, outcome_letter
from portal.vlu.review.models import VluReview
from portal.vlu.review.timescales import (
    Timescales,
    after,
    independent_window,
    request_window,
    timescales_on,
)
from portal.vlu.service.common import (
    MAX_LETTER,
    MAX_NOTES,
    RequestStep,
    by_ids,
    check_version,
    facts_for,
    london_today,
    request_step,
)
from portal.vlu.service.drafting import greeting_name
from portal.vlu.states import Action, Outcome, State

REVIEW_ACTIONS = (
    Action.RECORD_REVIEW_REQUEST,
    Action.START_LOCAL_RESOLUTION,
    Action.RECORD_OUTCOME,
    Action.SEND_LOCAL_LETTER,
    Action.REFER_INDEPENDENT,
    Action.CONCLUDE_REVIEW,
    Action.RECORD_INDEPENDENT_OUTCOME,
    Action.SEND_INDEPENDENT_LETTER,
)
# The date each step may not precede (besides today and the decision letter).
_OUTCOMES = {Action.RECORD_OUTCOME: "local", Action.RECORD_INDEPENDENT_OUTCOME: "independent"}
_LETTERS = {Action.SEND_LOCAL_LETTER: "local", Action.SEND_INDEPENDENT_LETTER: "independent"}
# What a step writes once every check has passed: (the date, the outcome chosen).
_Writes = Callable[[date, Outcome | None], None]


@dataclass(frozen=True, slots=True)
class Typed:
    """What the officer typed for a step (each step reads only its own fields)."""

    on: date | None
    outcome: str = ""
    notes: str = ""
    reviewer: str = ""
    late_reason: str = ""
    letter: str = ""


def new_review(step: RequestStep) -> VluReview:
    """The request's review, made (empty, not yet added) on its first step."""
    return VluReview(
        request_id=step.request.id,
        case_id=step.request.case_id,
        key_id=step.person.key_id,
        late=False,
        independent_late=False,
    )


def review_facts(step: RequestStep, review: VluReview | None) -> states.Facts:
    """The machine's facts, with the review's: whether local resolution upheld the decision and
    whether the actor is the named reviewer of the stage now open."""
    base = facts_for(step.request, step.decision, step.actor)
    if review is None:
        return base
    reviewer = (
        review.independent_reviewer_id
        if step.request.state == State.INDEPENDENT_REVIEW.value
        else review.local_reviewer_id
    )
    return states.Facts(
        check_required=base.check_required,
        vrr_applies=base.vrr_applies,
        actor_drafted=base.actor_drafted,
        decision_kind=base.decision_kind,
        local_upheld=review.local_outcome == Outcome.UPHELD.value,
        actor_reviews=reviewer is not None and reviewer == step.actor.user_id,
    )


def _earliest(action: Action, review: VluReview, step: RequestStep) -> tuple[date | None, str]:
    """The date a step may not precede, and how the error names it."""
    if action is Action.RECORD_REVIEW_REQUEST:
        return step.request.sent_on, "the date the letter was sent"
    if action is Action.START_LOCAL_RESOLUTION:
        return review.requested_on, "the date the review was asked for"
    if action is Action.RECORD_OUTCOME:
        return review.local_started_on, "the date local resolution started"
    if action is Action.SEND_LOCAL_LETTER:
        return review.local_outcome_on, "the date of the outcome"
    if action in (Action.REFER_INDEPENDENT, Action.CONCLUDE_REVIEW):
        return review.local_letter_sent_on, "the date the outcome letter was sent"
    if action is Action.RECORD_INDEPENDENT_OUTCOME:
        return review.independent_requested_on, "the date the independent review was asked for"
    return review.independent_outcome_on, "the date of the outcome"


def _date_errors(on: date | None, earliest: tuple[date | None, str]) -> dict[str, str]:
    if on is None:
        return {"on": "Enter the date"}
    if on > london_today():
        return {"on": "The date must be today or in the past"}
    first, named = earliest
    if first is not None and on < first:
        return {"on": f"The date must be on or after {named}"}
    return {}


def _reviewer(
    step: RequestStep, typed: str, not_these: set[uuid.UUID], who: str
) -> tuple[uuid.UUID | None, dict[str, str]]:
    """The prosecutor chosen to review: one who can see the case and is not in ``not_these``."""
    try:
        chosen = uuid.UUID(typed.strip())
    except ValueError:
        return None, {"reviewer": f"Select the prosecutor who will {who}"}
    eligible = {
        user_id
        for user_id, _ in reviews.prosecutors_for(step.db, reviews.case_of(step.db, step.request))
    }
    if chosen not in eligible:
        return None, {"reviewer": f"Select the prosecutor who will {who}"}
    if chosen in reviews.decision_makers(step.db, step.decision):
        return None, {"reviewer": "The reviewer must be a prosecutor who did not make the decision"}
    if chosen in not_these:
        return None, {
            "reviewer": "The independent review must be by a prosecutor who did not take part "
            "in local resolution"
        }
    return chosen, {}


def _late_errors(late: bool, exceptional: bool, reason: str, months: int) -> dict[str, str]:
    if not late:
        return {}
    if not reason.strip():
        if exceptional:
            return {
                "late_reason": f"The request is more than {months} months after the letter: "
                "enter the exceptional circumstances that justify accepting it"
            }
        return {"late_reason": "The request is late: enter why it is accepted"}
    if len(reason) > MAX_NOTES:
        return {"late_reason": f"The reason must be {MAX_NOTES:,} characters or fewer"}
    return {}


def draft_outcome_letter(step: RequestStep, stage: Stage, outcome: Outcome) -> str:
    """The outcome letter's first draft for this victim, from the stage's template."""
    t = timescales_on(step.request.sent_on or step.decision.decided_on)
    return outcome_letter(
        OutcomeFacts(
            stage=stage,
            outcome=outcome,
            greeting_name=greeting_name(step.vault, step.person),
            urn=reviews.case_of(step.db, step.request).urn,
            decision_date=step.decision.decided_on,
            unit_name=directory().unit_for(step.request.unit).name,
            independent_window=t.independent_request_window,
        )
    )


@request_step
def record_review_step(
    step: RequestStep,
    *,
    action: Action,
    on: date | None,
    outcome: str = "",
    notes: str = "",
    reviewer: str = "",
    late_reason: str = "",
    letter: str = "",
    expected_version: int | None,
) -> None:
    """One step of the Right to Review: checked in full (order, who, the date, the window, the
    reviewer, the outcome), then written with its transition and audit row."""
    if action not in REVIEW_ACTIONS:
        raise ValidationFailed({"action": "Select what happened"})
    typed = Typed(on, outcome, notes, reviewer, late_reason, letter)
    existing = reviews.review_of(step.db, step.request.id)
    target = states.check(
        action, State(step.request.state), step.actor, review_facts(step, existing)
    )
    review = existing if existing is not None else new_review(step)
    t = timescales_on(step.request.sent_on or step.decision.decided_on)
    errors = _date_errors(on, _earliest(action, review, step))
    chosen: Outcome | None = None
    if action in _OUTCOMES:
        if outcome not in {o.value for o in Outcome}:
            errors["outcome"] = "Select the outcome"
        else:
            chosen = Outcome(outcome)
    if len(notes) > MAX_NOTES:
        errors["notes"] = f"Notes must be {MAX_NOTES:,} characters or fewer"
    if action in _LETTERS:
        if not letter.strip():
            errors["letter"] = "Enter the outcome letter as it was sent"
        elif len(letter) > MAX_LETTER:
            errors["letter"] = f"The letter must be {MAX_LETTER:,} characters or fewer"
    errors |= identity.case_text_errors(
        step.db,
        step.vault,
        step.request.case_id,
        {
            "notes": ("The notes", notes),
            "late_reason": ("The reason", late_reason),
            "letter": ("The letter", letter),
        },
    )
    writes = _plan(step, action, review, typed, t, errors)
    if errors:
        raise ValidationFailed(errors)
    if chosen is not None:
        states.check_outcome(chosen, step.decision.kind, action)
    check_version(step.request, expected_version)
    assert on is not None
    if existing is None:
        step.db.add(review)
    writes(on, chosen)
    if notes.strip():
        step.vault.put(step.request, "review_notes", notes.strip())
    step.move(action, target)
    step.db.flush()
    fields = [f for f, v in (("review_notes", notes), ("late_reason", late_reason)) if v.strip()]
    step.audit(category="alteration", action=f"vlu.review.{action.value}", fields=tuple(fields))


def _plan(
    step: RequestStep,
    action: Action,
    review: VluReview,
    typed: Typed,
    t: Timescales,
    errors: dict[str, str],
) -> _Writes:
    """Check what the step needs (adding to ``errors``) and return what it will write."""
    request, user = step.request, step.actor.user_id
    on = typed.on

    def nothing(day: date, chosen: Outcome | None) -> None:
        del day, chosen

    if action is Action.RECORD_REVIEW_REQUEST:
        window = request_window(request.sent_on or step.decision.decided_on, on or date.max, t)
        if on is not None and "on" not in errors:
            errors |= _late_errors(
                window.late, window.exceptional, typed.late_reason, t.longstop_months
            )

        def requested(day: date, chosen: Outcome | None) -> None:
            review.rules_version = t.version
            review.requested_on = request.review_requested_on = day
            review.window_ends_on, review.longstop_on = window.ends_on, window.longstop_on
            review.late, review.recorded_by_id = window.late, user
            if window.late:
                step.vault.put(review, "late_reason", typed.late_reason.strip())
            # Local resolution's clock runs from the request (rules data).
            review.local_due_on = after(day, t.local_resolution, t)

        return requested
    if action is Action.START_LOCAL_RESOLUTION:
        chosen_reviewer, problems = _reviewer(step, typed.reviewer, set(), "review the decision")
        errors |= problems

        def started(day: date, chosen: Outcome | None) -> None:
            review.local_reviewer_id = chosen_reviewer
            review.local_started_on = request.local_resolution_on = day
            if review.local_due_on is None and review.requested_on is not None:
                review.local_due_on = after(review.requested_on, t.local_resolution, t)

        return started
    if action in _OUTCOMES:
        stage: Stage = (
            "local_resolution" if action is Action.RECORD_OUTCOME else "independent_review"
        )

        def decided(day: date, chosen: Outcome | None) -> None:
            assert chosen is not None
            draft = typed.letter.strip() or draft_outcome_letter(step, stage, chosen)
            prefix = "local" if stage == "local_resolution" else "independent"
            setattr(review, f"{prefix}_outcome", chosen.value)
            setattr(review, f"{prefix}_outcome_on", day)
            setattr(review, f"{prefix}_outcome_by_id", user)
            step.vault.put(review, f"{prefix}_letter", draft)

        return decided
    if action in _LETTERS:
        prefix = _LETTERS[action]

        def sent(day: date, chosen: Outcome | None) -> None:
            step.vault.put(review, f"{prefix}_letter", typed.letter.strip())
            setattr(review, f"{prefix}_letter_sent_on", day)
            setattr(review, f"{prefix}_letter_sent_by_id", user)
            if prefix == "independent":
                _conclude(review, request, day, review.independent_outcome)

        return sent
    if action is Action.REFER_INDEPENDENT:
        opened = review.local_letter_sent_on or review.local_outcome_on or date.min
        window = independent_window(opened, on or date.max, t)
        if on is not None and "on" not in errors:
            errors |= _late_errors(window.late, False, typed.late_reason, t.longstop_months)
        local = {review.local_reviewer_id} if review.local_reviewer_id else set()
        aru, problems = _reviewer(step, typed.reviewer, local, "carry out the review")
        errors |= problems

        def referred(day: date, chosen: Outcome | None) -> None:
            review.independent_requested_on = day
            review.independent_window_ends_on = window.ends_on
            review.independent_late = window.late
            if window.late:
                step.vault.put(review, "independent_late_reason", typed.late_reason.strip())
            review.independent_reviewer_id = aru
            review.independent_due_on = after(day, t.independent_review, t)

        return referred
    if action is Action.CONCLUDE_REVIEW:

        def concluded(day: date, chosen: Outcome | None) -> None:
            _conclude(review, request, day, review.local_outcome)

        return concluded
    return nothing


def _conclude(review: VluReview, request: VluRequest, day: date, outcome: str | None) -> None:
    """The review's end: its last outcome is the request's (reports read it there)."""
    review.concluded_on = day
    request.outcome, request.outcome_on = outcome, day


# ``record_review_step`` for the request with these ids; a guard's refusal is an error against
# the date.
review_step = by_ids(record_review_step, refused="on")


def reviewer_choices(step: RequestStep) -> list[tuple[str, str]]:
    """The prosecutors who may review (the decision's makers left out), for the page."""
    makers = reviews.decision_makers(step.db, step.decision)
    return [
        (str(user_id), name)
        for user_id, name in reviews.prosecutors_for(
            step.db, reviews.case_of(step.db, step.request)
        )
        if user_id not in makers
    ]
