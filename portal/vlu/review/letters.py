"""The outcome letters of a review stage: a first draft from a template (letters/*.txt, merged
as the decision letters are), which the officer edits before recording it as sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from portal.vlu.letters import long_date, merge
from portal.vlu.states import Outcome

TEMPLATE_DIR = Path(__file__).resolve().parent / "letters"
Stage = Literal["local_resolution", "independent_review"]

OUTCOME_TEXT: dict[Outcome, str] = {
    Outcome.UPHELD: (
        "The prosecutor decided that our decision was right. We know this is not the answer "
        "you hoped for. [Explain the reasons in plain English.]"
    ),
    Outcome.OVERTURNED: (
        "The prosecutor decided that our decision was wrong. The prosecution will start again. "
        "We will tell you what happens next."
    ),
    Outcome.NOT_REINSTATED: (
        "The prosecutor decided that our decision was wrong. We are sorry. Because of the way "
        "the case ended, the law does not allow us to start it again. [Explain what happened.]"
    ),
    Outcome.WITHDRAWN: "You told us that you no longer want the review. We have closed it.",
}


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    stage: Stage
    outcome: Outcome
    greeting_name: str | None
    urn: str
    decision_date: date
    unit_name: str
    independent_window: int | None  # working days to ask for the independent review


def _next_step(facts: OutcomeFacts) -> str:
    if facts.outcome is not Outcome.UPHELD:
        return ""
    days = facts.independent_window
    within = f" within {days} working days of getting this letter" if days else ""
    return (
        "If you are still unhappy with the decision, you can ask for an independent review by "
        f"the Appeals and Review Unit. Please contact the {facts.unit_name}{within}."
    )


def outcome_letter(facts: OutcomeFacts) -> str:
    """The first draft of the outcome letter for one stage."""
    text = (TEMPLATE_DIR / f"{facts.stage}.txt").read_text(encoding="utf-8")
    name = (facts.greeting_name or "").strip()
    return merge(
        text,
        {
            "greeting": f"Dear {name}" if name else "Dear Sir or Madam",
            "urn": facts.urn,
            "decision_date": long_date(facts.decision_date),
            "outcome": OUTCOME_TEXT[facts.outcome],
            "next_step": _next_step(facts) if facts.stage == "local_resolution" else "",
            "unit_name": facts.unit_name,
        },
    ).strip()
