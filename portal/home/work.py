"""My work: the case worker's home page as a work queue. The Victims' Code entitlements their
team owes (filtered, sorted, paged, each with why it is due), the safeguarding actions they own
that are due, and what is waiting for them: letter checks and reasons awaited, with one list of
sections where other domains add theirs. Composed here because it reads several domains
(portal.vlu depends on portal.victims_code, so victims_code cannot read the VLU)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity import decisions
from portal.audit import service as audit
from portal.cases.reference import EventKind
from portal.documents import pages as documents
from portal.home import repository
from portal.kit.paging import Page
from portal.settings import Settings
from portal.victims_code import lifecycle, work_queue
from portal.victims_code.lifecycle import Status, status
from portal.victims_code.repository import WorkCounts
from portal.victims_code.rights import RIGHTS
from portal.victims_code.service import entitlement_of
from portal.victims_code.work import today_and_soon
from portal.victims_code.work_filters import DUE_WINDOWS, SORTS, WorkFilters
from portal.victims_code.work_queue import ActionDue, Row
from portal.vlu.service import review_page
from portal.vlu.service.pages import waiting_page

__all__ = [
    "Counters",
    "MyWork",
    "counters",
    "WaitingItem",
    "WaitingSection",
    "my_work",
    "trigger_label",
]

PER_PAGE = 25
# Things that start a clock but are not case events, in officers' words.
OTHER_TRIGGERS = {
    "crime_reported": "Crime reported",
    "first_contact": "First contact with the victim",
    "special_measures_decision": "Special measures decision",
    "vcl_letter_sent": "Victim Communication and Liaison (VCL) letter sent",
    "vrr_request": "Victims' Right to Review (VRR) request",
    "not_guilty_plea": "Not guilty plea",
}


def trigger_label(trigger: str) -> str:
    """What started an entitlement's clock, as an officer would say it."""
    if trigger in OTHER_TRIGGERS:
        return OTHER_TRIGGERS[trigger]
    try:
        return EventKind(trigger).label
    except ValueError:  # a trigger that is not a case event and not named above
        return trigger.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a row is due: what triggered it and when, and the date the person was identified
    if that was later (the clock then runs from it)."""

    trigger: str
    trigger_on: date
    identified_on: date | None


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """A link: ``route`` and its path ``params`` (ids only), and ``anchor`` on that page."""

    text: str
    route: str
    params: dict[str, uuid.UUID]
    due_on: date | None = None
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class WaitingSection:
    """One kind of thing waiting for this user. ``template``: a partial that renders the
    section itself (from its own domain), or "" for the plain list of ``items``."""

    key: str
    heading: str
    count: int
    summary: str
    items: list[WaitingItem] = field(default_factory=list)
    more_route: str = ""  # the full list, when only the first items are shown
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Counters:
    """The numbers at the top of My work: entitlements by due window (for the filters shown),
    safeguarding actions due, and things waiting for this user."""

    counts: WorkCounts
    actions: int
    waiting: int


@dataclass(frozen=True, slots=True)
class MyWork:
    filters: WorkFilters
    counters: Counters
    page: Page[Row]
    names: dict[uuid.UUID, Any]
    today: date
    statuses: dict[uuid.UUID, Status]
    titles: dict[uuid.UUID, str]
    reasons: dict[uuid.UUID, Reason]
    channels: dict[uuid.UUID, list[tuple[str, str]]]
    met_by: dict[uuid.UUID, str | None]
    cases: dict[str, str]  # the case filter's options: id -> URN
    rights: dict[str, str]  # the right filter's options: number -> "Right n: title"
    due_windows: dict[str, str]
    sorts: dict[str, str]
    actions: list[ActionDue]
    action_texts: dict[uuid.UUID, Any]
    waiting: list[WaitingSection]

    @property
    def rows(self) -> list[Row]:
        return list(self.page.items)


def _at_request(row: Any, words: str, *, anchor: str = "") -> WaitingItem:
    """A waiting letter request (``row``: its case's URN, ids and due date) as a link to its
    page."""
    params = {"case_id": row.case_id, "request_id": row.request_id}
    return WaitingItem(f"Case {row.urn}: {words}", "vlu_request", params, row.due_on, anchor)


def _letter_checks(unit: Unit) -> list[WaitingSection]:
    if not unit.actor.can(Permission.CHECK_LETTER):
        return []
    letters = repository.letters_to_check(unit.db, unit.actor)
    items = [_at_request(letter, "letter drafted by another officer") for letter in letters]
    n = len(items)
    return [
        WaitingSection(
            "letter_checks",
            "Letters to check",
            n,
            f"{n} {'letter' if n == 1 else 'letters'} drafted by another officer waiting for "
            "your check",
            items,
            "vlu_queue" if n >= repository.CHECKS_SHOWN else "",
        )
    ]


REDRAFT_WHY = {
    "return": "letter returned for changes by the officer who checked it",
    "identity_sealed": "letter to redraft: it named a person whose identity is now sealed",
    "reasons_changed": "letter to redraft: the prosecutor changed the reasons",
}


def _letters_returned(unit: Unit) -> list[WaitingSection]:
    """The letters this officer drafted that were returned to them to redraft."""
    if not unit.actor.can(Permission.DRAFT_LETTER):
        return []
    letters = repository.letters_to_redraft(unit.db, unit.actor)
    if not letters:
        return []
    items = [
        WaitingItem(
            f"Case {letter.urn}: {REDRAFT_WHY.get(letter.why, 'letter to redraft')}",
            "vlu_request",
            {"case_id": letter.case_id, "request_id": letter.request_id},
            letter.due_on,
        )
        for letter in letters
    ]
    n = len(items)
    return [
        WaitingSection(
            "letters_returned",
            "Letters returned for changes",
            n,
            f"{n} {'letter' if n == 1 else 'letters'} you drafted returned to be redrafted",
            items,
        )
    ]


def _review_steps(unit: Unit) -> list[WaitingSection]:
    """Right to Review stages due: those a prosecutor is named to review, and for the Victim
    Liaison Unit every open stage and outcome letter in its scope (portal.vlu.review)."""
    if not unit.actor.can(Permission.HANDLE_REVIEW):
        return []
    steps = review_page.review_steps_due(unit)
    if not steps:
        return []
    words = review_page.STEP_WORDS
    items = [
        _at_request(step, words.get(step.state, step.state), anchor="#review") for step in steps
    ]
    n = len(items)
    return [
        WaitingSection(
            "reviews",
            "Right to Review steps",
            n,
            f"{n} Right to Review {'step' if n == 1 else 'steps'} waiting",
            items,
        )
    ]


def _reasons_awaited(unit: Unit) -> list[WaitingSection]:
    if not unit.actor.can(Permission.SUPPLY_REASONS):
        return []
    read = waiting_page(unit)
    items = [
        WaitingItem(
            f"Case {w.urn}: {w.letters} {'letter' if w.letters == 1 else 'letters'}",
            "vlu_decision",
            {"case_id": w.decision.case_id, "decision_id": w.decision.id},
            anchor="#give-reasons",
        )
        for w in read.waiting
    ]
    n = read.letters
    return [
        WaitingSection(
            "reasons",
            "Letters waiting for your reasons",
            n,
            f"{n} {'letter' if n == 1 else 'letters'} waiting for your reasons",
            items,
            "vlu_work",
        )
    ]


def _two_person(unit: Unit, settings: Settings | None) -> list[WaitingSection]:
    """Two-person decisions: those this user may take as the second person, and their own,
    waiting for a second person (references only: nobody's identity is read)."""
    if settings is None:
        return []
    found = decisions.waiting_decisions(unit, settings)
    what = {"unmask": "request to see a sealed identity", "application": "anonymity application"}

    def item(w: decisions.Waiting, mine: bool) -> WaitingItem:
        by = "" if mine else f" from {w.asked_by}"
        return WaitingItem(
            f"Case {w.urn}: {what[w.kind]} for witness {w.reference}{by}",
            w.route,
            w.params,
        )

    sections = []
    overrides = documents.overrides_waiting(unit)
    if found.to_decide or overrides:
        items = [item(w, False) for w in found.to_decide] + [
            WaitingItem(
                f"Case {o.urn}: a document uploaded by {o.uploaded_by} is blocked by protected "
                "information, for a second prosecutor to decide",
                "person_document_check",
                {"case_id": o.case_id, "person_id": o.person_id, "document_id": o.document_id},
            )
            for o in overrides
        ]
        n = len(items)
        sections.append(
            WaitingSection(
                "second_person",
                "Waiting for your decision as a second person",
                n,
                f"{n} {'decision' if n == 1 else 'decisions'} waiting for you as a second person",
                items,
            )
        )
    if found.asked:
        n = len(found.asked)
        sections.append(
            WaitingSection(
                "asked",
                "Waiting for a second person",
                n,
                f"{n} of your {'request' if n == 1 else 'requests'} waiting for a second person",
                [item(w, True) for w in found.asked],
            )
        )
    questions = documents.questions_waiting(unit)
    if questions:
        n = len(questions)
        sections.append(
            WaitingSection(
                "questions",
                "Questions from a second prosecutor",
                n,
                f"{n} {'document' if n == 1 else 'documents'} you uploaded with a question "
                "from a second prosecutor",
                [
                    WaitingItem(
                        f"Case {q.urn}: a second prosecutor asked about protected information "
                        "in a document you uploaded",
                        "person_document_check",
                        {
                            "case_id": q.case_id,
                            "person_id": q.person_id,
                            "document_id": q.document_id,
                        },
                    )
                    for q in questions
                ],
            )
        )
    return sections


def waiting_for(unit: Unit, settings: Settings | None = None) -> list[WaitingSection]:
    """Approvals and checks waiting for this user, one section per kind, in page order.

    THE PLACE for more sections: each is a function of ``unit`` returning a list of
    ``WaitingSection`` (empty when it does not apply to the user). Two-person decisions come
    first: those this user may take as the second person (unmask requests, anonymity
    applications), then their own waiting for a second person (``settings`` says who approves
    applications; without it those sections are left out)."""
    sections: list[WaitingSection] = _two_person(unit, settings)
    for source in (_letter_checks, _letters_returned, _reasons_awaited, _review_steps):
        sections.extend(source(unit))
    return sections


def _reason(row: Row) -> Reason:
    obligation = row[0]
    trigger = trigger_label(entitlement_of(obligation).trigger)
    return Reason(trigger, obligation.trigger_on, obligation.identified_on)


def my_work(
    unit: Unit, filters: WorkFilters, *, page: int, settings: Settings | None = None
) -> MyWork:
    """One page of My work for these filters. Every person shown is audited as consulted,
    in one go; the statements run do not grow with the rows."""
    db, actor, vault = unit.db, unit.actor, unit.vault
    today, soon = today_and_soon()
    counts = work_queue.counts(db, actor, filters, today=today, soon=soon)
    found = work_queue.open_work(
        db, actor, filters, page=page, per_page=PER_PAGE, today=today, soon=soon
    )
    rows = list(found.items)
    actions = work_queue.actions_due(db, actor, until=soon)
    vault.load(
        {r[2].key_id for r in rows}
        | {a.person.key_id for a in actions}
        | {a.action.key_id for a in actions}
    )
    names = {r[2].id: vault.open(r[2], "full_name") for r in rows}
    names.update({a.person.id: vault.open(a.person, "full_name") for a in actions})
    shown = {(r[2].id, r[2].reference) for r in rows} | {
        (a.person.id, a.person.reference) for a in actions
    }
    audit.record_consultations(
        db, actor=actor, action="person.work_list", subjects=sorted(shown), case_id=None
    )
    waiting = waiting_for(unit, settings)
    return MyWork(
        filters=filters,
        counters=Counters(counts, len(actions), sum(section.count for section in waiting)),
        page=found,
        names=names,
        today=today,
        statuses={r[0].id: status(r[0], today) for r in rows},
        titles={r[0].id: entitlement_of(r[0]).title for r in rows},
        reasons={r[0].id: _reason(r) for r in rows},
        channels={r[0].id: lifecycle.told_options(vault, r[0], r[2]) for r in rows},
        met_by={r[0].id: entitlement_of(r[0]).met_by for r in rows},
        cases={str(i): urn for i, urn in work_queue.case_choices(db, actor, filters)},
        rights={str(n): f"Right {n}: {title}" for n, title in RIGHTS.items()},
        due_windows=DUE_WINDOWS,
        sorts=SORTS,
        actions=actions,
        action_texts={a.action.id: vault.open(a.action, "description") for a in actions},
        waiting=waiting,
    )


def counters(unit: Unit, filters: WorkFilters, settings: Settings | None = None) -> Counters:
    """Only the counters, after a quick action changed one row (nobody's details are read)."""
    today, soon = today_and_soon()
    counts = work_queue.counts(unit.db, unit.actor, filters, today=today, soon=soon)
    actions = work_queue.actions_due(unit.db, unit.actor, until=soon)
    waiting = sum(section.count for section in waiting_for(unit, settings))
    return Counters(counts, len(actions), waiting)
