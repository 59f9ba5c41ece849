"""The rules a case event must keep before it is recorded (issue 15 point 4).

A plea or verdict has its outcome; a plea, verdict or sentence concerns one defendant (chosen
when the case has more than one, the only one otherwise); a sentence follows a guilty plea or
verdict of that defendant and not the end of all proceedings; no date is in the future; a
hearing's type is one of the rules data's. ``check`` returns every problem by field id (the
service's names: the event form puts each against its kind's field).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portal.cases.hearings import hearing_types
from portal.cases.models import CaseEvent, Defendant
from portal.cases.reference import CONVICTIONS, EventKind

COURT_NAME_LIMIT = 120


@dataclass(frozen=True, slots=True)
class Proposed:
    """What the rules look at in a new event (``service.NewEvent`` has these)."""

    kind: EventKind
    event_date: date
    received_on: date | None
    defendant_id: uuid.UUID | None
    outcome: str | None
    hearing_court: str | None
    hearing_type: str | None


def ends_proceedings(event: CaseEvent) -> bool:
    """A decision recorded as ending all proceedings in the case."""
    return event.ends_all_proceedings and EventKind(event.kind).may_end_proceedings


def concerned(event: Proposed, defendants: Sequence[Defendant]) -> uuid.UUID | None:
    """The defendant a plea, verdict or sentence concerns: the one chosen, or the case's only
    defendant when none was chosen."""
    if event.defendant_id is None and event.kind.per_defendant and len(defendants) == 1:
        return defendants[0].id
    return event.defendant_id


def _long_date(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


def check(
    event: Proposed,
    defendants: Sequence[Defendant],
    earlier: Sequence[CaseEvent],
    today: date,
) -> dict[str, str]:
    """Every problem with ``event`` in a case with ``defendants`` and events ``earlier``."""
    errors: dict[str, str] = {}
    defendant_id = concerned(event, defendants)
    known = {d.id: d for d in defendants}
    # With one defendant (or none) the form asks no question: its errors go against the kind.
    about = "defendant_id" if len(defendants) > 1 else "kind"
    if event.kind.per_defendant and defendant_id is None and len(defendants) > 1:
        errors["defendant_id"] = "Select the defendant"
    if defendant_id is not None and defendant_id not in known:
        errors["defendant_id"] = "Select the defendant"
    if event.event_date > today:
        errors["event_date"] = "The event date must be today or in the past"
    if event.received_on is not None:
        if event.received_on > today:
            errors["received_on"] = "The date received must be today or in the past"
        elif event.received_on < event.event_date:
            errors["received_on"] = "The date received must be the same as or after the event date"
    if event.kind.outcomes and event.outcome not in event.kind.outcomes:
        errors["outcome"] = f"Select the {event.kind.label.lower()}"
    if event.kind is EventKind.SENTENCE and "defendant_id" not in errors:
        problem = _sentence_problem(event, defendant_id, known, earlier)
        if problem:
            errors.setdefault(about if problem[0] == "defendant" else "kind", problem[1])
    if event.kind.is_hearing:
        if event.hearing_type is not None and event.hearing_type not in hearing_types():
            errors["hearing_type"] = "Select the type of hearing"
        if event.hearing_court is not None and len(event.hearing_court) > COURT_NAME_LIMIT:
            errors["hearing_court"] = (
                f"The court's name must be {COURT_NAME_LIMIT} characters or fewer"
            )
    return errors


def _sentence_problem(
    event: Proposed,
    defendant_id: uuid.UUID | None,
    known: dict[uuid.UUID, Defendant],
    earlier: Sequence[CaseEvent],
) -> tuple[str, str] | None:
    """Why a sentence cannot be recorded: ("kind", ...) when all proceedings ended by then,
    ("defendant", ...) when the defendant has no guilty plea or verdict by then."""
    ended = sorted(e.event_date for e in earlier if ends_proceedings(e))
    if ended and ended[0] <= event.event_date:
        return (
            "kind",
            f"All proceedings in this case ended on {_long_date(ended[0])}: "
            "a sentence cannot be recorded after that",
        )
    convicted = any(
        e.kind in (EventKind.PLEA, EventKind.VERDICT)
        and e.outcome in CONVICTIONS
        and e.defendant_id == defendant_id
        and e.event_date <= event.event_date
        for e in earlier
    )
    if convicted:
        return None
    who = known[defendant_id].label if defendant_id in known else "The defendant"
    return (
        "defendant",
        f"{who} has no guilty plea or verdict on or before this date: "
        "record the plea or verdict before the sentence",
    )
