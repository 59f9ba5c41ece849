"""Decision letters: plain-English templates with merge fields.

Templates are text files in ``templates/``, one per decision, plus the paragraphs that are added
only when they apply (the Victims' Right to Review, the meeting offer). A merge field is written
``{{name}}``; every field a template uses must be one of ``FIELDS`` (a test checks), and merging
leaves no field unfilled. The merged text is a starting point: the officer edits it, sees its
readability score, and a second officer checks it before it is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# Which template each decision uses, and its title for the drafting page.
TEMPLATES: dict[str, str] = {
    "no_charge_decision": "Decision not to charge",
    "discontinuance": "Decision to stop the case (discontinuance)",
    "offer_no_evidence": "Decision to offer no evidence",
    "substantial_alteration": "Decision to change a charge (substantial alteration)",
}

# The wording when the decision ended only part of the proceedings (some charges, or some
# defendants): the same letter, saying that the rest of the case goes on. A substantial
# alteration never ends proceedings, so it has one wording.
PART_TEMPLATES: dict[str, str] = {
    "no_charge_decision": "no_charge_decision_part",
    "discontinuance": "discontinuance_part",
    "offer_no_evidence": "offer_no_evidence_part",
}

FIELDS: dict[str, str] = {
    "greeting": "Dear and the victim's name (or their named contact, or 'Sir or Madam')",
    "urn": "The case reference (URN)",
    "decision_date": "The date of the decision, like 3 March 2026",
    "reasons": "The prosecutor's reasons, as supplied",
    "vrr": "The Victims' Right to Review paragraph, only when the decision ended all proceedings",
    "meeting": "The offer of a meeting, only in specified cases",
    "unit_name": "The Victim Liaison Unit's name",
    "officer_name": "The drafting officer's name",
    "vrr_window": "Working days to ask for a review (from the Victims' Code rules)",
    "vrr_longstop": "Months within which a late request is still considered",
    "vrr_remedy": "What a successful review can and cannot do for this decision",
}

VRR_REMEDY = {
    "offer_no_evidence": (
        "If the review finds that our decision was wrong, we cannot start the case again. "
        "But we will explain what happened and say sorry."
    ),
}
VRR_REMEDY_DEFAULT = "If the review finds that our decision was wrong, the case may start again."


class MergeError(ValueError):
    pass


@cache
def template_text(name: str) -> str:
    path = TEMPLATE_DIR / f"{name}.txt"
    if not path.is_file() or path.parent != TEMPLATE_DIR:
        raise MergeError(f"no letter template {name!r}")
    return path.read_text(encoding="utf-8")


def fields_used(text: str) -> set[str]:
    return set(FIELD.findall(text))


def merge(text: str, values: dict[str, str]) -> str:
    """Fill every ``{{field}}``; a field with no value is an error, never left in the letter."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise MergeError(f"no value for merge field {name!r}")
        return values[name]

    merged = FIELD.sub(fill, text)
    # Paragraphs that do not apply leave blank lines behind: keep one blank line at most.
    lines = [line.rstrip() for line in merged.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


@dataclass(frozen=True, slots=True)
class LetterFacts:
    decision_kind: str
    greeting_name: str | None  # None: "Dear Sir or Madam" (sealed identity or unknown)
    urn: str
    decision_date: date
    reasons: str
    vrr_applies: bool
    meeting_offered: bool
    unit_name: str
    officer_name: str
    vrr_window: int | None
    vrr_longstop: int
    ends_all_proceedings: bool = True  # False: the "part of the case" wording


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def compose(facts: LetterFacts) -> str:
    """The personalised first draft for one victim."""
    if facts.decision_kind not in TEMPLATES:
        raise MergeError(f"no letter template for {facts.decision_kind!r}")
    common = {
        "unit_name": facts.unit_name,
        "vrr_window": str(facts.vrr_window or 10),
        "vrr_longstop": str(facts.vrr_longstop),
        "vrr_remedy": VRR_REMEDY.get(facts.decision_kind, VRR_REMEDY_DEFAULT),
    }
    vrr = merge(template_text("vrr"), common).strip() if facts.vrr_applies else ""
    meeting = merge(template_text("meeting"), common).strip() if facts.meeting_offered else ""
    name = (facts.greeting_name or "").strip()
    name_of_template = facts.decision_kind
    if not facts.ends_all_proceedings:
        name_of_template = PART_TEMPLATES.get(facts.decision_kind, facts.decision_kind)
    return merge(
        template_text(name_of_template),
        {
            **common,
            "greeting": f"Dear {name}" if name else "Dear Sir or Madam",
            "urn": facts.urn,
            "decision_date": long_date(facts.decision_date),
            "reasons": facts.reasons.strip(),
            "vrr": vrr,
            "meeting": meeting,
            "officer_name": facts.officer_name,
        },
    )
