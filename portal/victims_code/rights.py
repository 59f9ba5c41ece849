"""A person's twelve Victims' Code rights, one call per request: what is owed under each right,
what is not yet triggered, what another body owes (not tracked in this portal: rules data
``tracked = false`` with its ``owner``), and recording what happened to this person that starts a
duty here (a Victim Personal Statement made, a complaint or an expenses claim received, the CPS
saying they are required to give evidence).

Those four are about one person, not the case, so they are recorded from this page rather than
as case events: an officer who takes a complaint or a claim, or who is told which witnesses are
needed, has the person in front of them, and a case event would owe every victim in the case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import ValidationFailed
from portal.cases.models import Case
from portal.cases.reference import EventKind
from portal.people.models import Person
from portal.victims_code import repository
from portal.victims_code import service as obligations
from portal.victims_code.calendar import today_in_england_and_wales
from portal.victims_code.lifecycle import Status, status
from portal.victims_code.models import Obligation
from portal.victims_code.rules import OWNERS, RulesVersion, rules_in_force

RIGHTS = {
    1: "To be able to understand and to be understood",
    2: "To have the details of the crime recorded without unjustified delay",
    3: "To be provided with information when reporting the crime",
    4: (
        "To be referred to services that support victims and have services and support "
        "tailored to your needs"
    ),
    5: "To be provided with information about compensation",
    6: "To be provided with information about the investigation and prosecution",
    7: "To make a Victim Personal Statement",
    8: "To be given information about the trial, trial process and your role as a witness",
    9: "To be given information about the outcome of the case and any appeals",
    10: "To be paid expenses and have property returned",
    11: "To be given information about the offender following a conviction",
    12: "To make a complaint about your rights not being met",
}
# The rules triggers an officer records about one person, on this page, in the words they use
# (in the order the form offers them).
CHOICES: tuple[tuple[str, str], ...] = (
    ("vps_made", "They made a Victim Personal Statement"),
    ("required_to_give_evidence", "The CPS told us they are required to give evidence"),
    ("expenses_claim", "We received their claim for witness expenses"),
    ("complaint_received", "We received a complaint from them"),
)
PERSON_TRIGGERS = dict(CHOICES)

# Where the other triggers of tracked duties are recorded, for "not yet triggered" lines.
RECORDED_ELSEWHERE: dict[str, str] = {
    "not_guilty_plea": "a not guilty plea is recorded as a case event",
    "special_measures_decision": "the court's special measures decision is recorded",
    "protective_order_made": "an order that protects them is recorded in the case outcomes",
}


def starts_when(trigger: str) -> str:
    """How an officer starts a duty with this trigger, in words ("" if nothing records it)."""
    if trigger in PERSON_TRIGGERS:
        return "it is recorded below"
    if trigger in RECORDED_ELSEWHERE:
        return RECORDED_ELSEWHERE[trigger]
    kinds = [EventKind(k).label for k, ts in obligations.EVENT_TRIGGERS.items() if trigger in ts]
    return f"a case event is recorded: {' or '.join(kinds)}" if kinds else ""


@dataclass(frozen=True, slots=True)
class RightsPage:
    case: Case
    person: Person
    name: Any
    by_right: dict[int, list[tuple[Obligation, Status | None, str]]]
    # Tracked duties not owed yet: (title, how an officer starts it).
    not_yet: dict[int, list[tuple[str, str]]]
    rules: RulesVersion
    # Another body's duties: (title, "the police's duty"), never "not yet triggered".
    untracked: dict[int, list[tuple[str, str]]]
    # The victim's own time to act (kind = "window"): not a duty of anyone's.
    windows: dict[int, list[str]]
    triggers: list[tuple[str, str]]


def rights_view(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> RightsPage:
    """What the rights page shows (no audit entry: the page again after a refused form)."""
    case, party, person = cases_repo.party_in_case(unit.db, unit.actor, case_id, person_id)
    today = today_in_england_and_wales()
    owed = repository.for_party(unit.db, party.id)
    rules = rules_in_force(today)
    by_right: dict[int, list[tuple[Obligation, Status | None, str]]] = {n: [] for n in RIGHTS}
    for o in owed:
        by_right[o.right].append((o, status(o, today), obligations.entitlement_of(o).title))
    codes = {o.entitlement for o in owed}
    not_yet: dict[int, list[tuple[str, str]]] = {n: [] for n in RIGHTS}
    untracked: dict[int, list[tuple[str, str]]] = {n: [] for n in RIGHTS}
    windows: dict[int, list[str]] = {n: [] for n in RIGHTS}
    for e in rules.entitlements:
        if e.kind == "window":
            windows[e.right].append(e.title)
        elif not e.tracked:
            untracked[e.right].append((e.title, OWNERS[e.owner]))
        elif e.code not in codes:
            not_yet[e.right].append((e.title, starts_when(e.trigger)))
    name = unit.vault.open(person, "full_name")
    triggers = list(PERSON_TRIGGERS.items())
    return RightsPage(case, person, name, by_right, not_yet, rules, untracked, windows, triggers)


def rights_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> RightsPage:
    """The rights page, audited as a consultation of the person."""
    page = rights_view(unit, case_id, person_id)
    where = ("person", page.person.id, page.case.id)
    audit.record_in_case(
        unit.db, unit.actor, "consultation", "person.rights", where, person=page.person
    )
    return page


def record_trigger(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, *, trigger: str, happened_on: date
) -> list[Obligation]:
    """What happened to this person, as the duties it starts (none if already recorded for that
    day, or if it gives this person no duty here: e.g. expenses for someone who is no witness).
    The clock of each duty starts on ``happened_on``, the day it reached the officer's team."""
    case, party, _ = cases_repo.party_in_case(unit.db, unit.actor, case_id, person_id)
    if trigger not in PERSON_TRIGGERS:
        raise ValidationFailed({"trigger": "Select what happened"})
    return obligations.create_for_trigger(
        unit.db,
        unit.vault,
        unit.actor,
        case,
        party,
        trigger=trigger,
        trigger_on=happened_on,
        received_on=happened_on,
    )
