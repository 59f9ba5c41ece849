"""The Victims' Right to Review: the request received, local resolution, and the outcome."""

from __future__ import annotations

from datetime import date

from portal.anonymity import identity
from portal.cases.errors import ValidationFailed
from portal.vlu import states
from portal.vlu.service.common import (
    MAX_NOTES,
    RequestStep,
    by_ids,
    check_version,
    london_today,
    request_step,
)
from portal.vlu.states import Action, Outcome

REVIEW_ACTIONS = (
    Action.RECORD_REVIEW_REQUEST,
    Action.START_LOCAL_RESOLUTION,
    Action.RECORD_OUTCOME,
)


@request_step
def record_review_step(
    step: RequestStep,
    *,
    action: Action,
    on: date | None,
    outcome: str,
    notes: str,
    expected_version: int | None,
) -> None:
    """Victims' Right to Review: the request received, local resolution, and its outcome."""
    if action not in REVIEW_ACTIONS:
        raise ValidationFailed({"action": "Select what happened"})
    target = step.next_state(action)
    request = step.request
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = "Enter the date"
    elif on > london_today():
        errors["on"] = "The date must be today or in the past"
    elif request.sent_on is not None and on < request.sent_on:
        errors["on"] = "The date must be on or after the date the letter was sent"
    chosen: Outcome | None = None
    if action is Action.RECORD_OUTCOME:
        if outcome not in {o.value for o in Outcome}:
            errors["outcome"] = "Select the outcome"
        else:
            chosen = Outcome(outcome)
    if len(notes) > MAX_NOTES:
        errors["notes"] = f"Notes must be {MAX_NOTES:,} characters or fewer"
    errors |= identity.case_text_errors(
        step.db, step.vault, request.case_id, {"notes": ("The notes", notes)}
    )
    if errors:
        raise ValidationFailed(errors)
    if chosen is not None:
        states.check_outcome(chosen, step.decision.kind)
    check_version(request, expected_version)
    if action is Action.RECORD_REVIEW_REQUEST:
        request.review_requested_on = on
    elif action is Action.START_LOCAL_RESOLUTION:
        request.local_resolution_on = on
    else:
        assert chosen is not None
        request.outcome = chosen.value
        request.outcome_on = on
    if notes.strip():
        step.vault.put(request, "review_notes", notes.strip())
    step.move(action, target)
    step.db.flush()
    step.audit(
        category="alteration",
        action=f"vlu.review.{action.value}",
        fields=("review_notes",) if notes.strip() else (),
    )


# ``record_review_step`` for the request with these ids; a guard's refusal is an error against
# the date.
review_step = by_ids(record_review_step, refused="on")
