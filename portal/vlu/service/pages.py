"""What the queue, a decision, the prosecutor's work list and a bulk job's progress show: one
read model a page (a template's context), each looked up inside the actor's case scope, with
the consultation of the personal data it shows logged (ids and references only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, cast

from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.models import Case
from portal.cases.reference import AREAS, CrimeCategory, EventKind
from portal.cases.repository import Page as PageOf
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.vlu import repository, states, unsent_repository
from portal.vlu.contact import SEND_CHANNELS, UNSENT_REASONS
from portal.vlu.directory import Unit as VluUnit
from portal.vlu.directory import directory
from portal.vlu.models import Job, VluDecision
from portal.vlu.readability import TARGET, Readability, flesch
from portal.vlu.repository import QueueCounts, QueueFilters, RequestRow, WaitingForReasons
from portal.vlu.service.bulk import eligible_count
from portal.vlu.service.common import (
    BULK_ACTIONS,
    CHECKLIST,
    MAX_REASONS,
    audit_decision,
    london_today,
)
from portal.vlu.states import Action, Outcome, State

PER_PAGE = 25
Page = dict[str, Any]  # a template's context


class ReadModel:
    """A page's read model (a dataclass): its fields, and ``extra()``, are what the template
    shows (``context()``)."""

    def extra(self) -> Page:
        return {}

    def context(self) -> Page:
        shown = {field.name: getattr(self, field.name) for field in fields(cast(Any, self))}
        return {**self.extra(), **shown}


DUE_FILTERS = {
    "overdue": "Overdue (escalated)",
    "due_today": "Due today",
    "due_soon": "Due in the next 5 working days",
}
STATE_FILTERS = {"": "Needs action", **State.labels(), "all": "All"}
BULK_LABELS = {
    "draft_all": "Drafting letters",
    "approve_all": "Approving checked letters",
    "send_all": "Sending letters",
}


def display_name(vault: Vault, person: Person) -> Any:
    if person.erased:
        return person.reference
    return vault.open(person, "full_name") or person.reference


def soon_after(today: date) -> date:
    return ENGLAND_AND_WALES.add_working_days(today, 5)


def decision_labels() -> dict[str, str]:
    return {k.value: k.label for k in EventKind}


def labels() -> Page:
    return {
        "decision_labels": decision_labels(),
        "state_labels": State.labels(),
        "action_labels": Action.labels(),
        "outcome_labels": Outcome.labels(),
        "channel_labels": {code: spec.label for code, spec in SEND_CHANNELS.items()},
        "unsent": {s.value for s in states.UNSENT},
        "role_labels": Role.labels(),
    }


def letter_labels() -> Page:
    """``labels`` and what a page about letters adds: the readability target and the checks."""
    return {**labels(), "target": TARGET, "checklist": CHECKLIST}


def reasons_readability(
    vault: Vault, decision: VluDecision, typed: str | None
) -> Readability | None:
    """The readability of the words the prosecutor wrote, scored apart from the letter template
    (the template's own words would lift or sink the score of anyone's reasons)."""
    text = typed if typed is not None else vault.open_text(decision, "reasons")
    return flesch(text) if text and text.strip() else None


@dataclass(frozen=True, slots=True)
class ReasonsVersion:
    """One saved version of the reasons, for the history on the decision page."""

    revision: int
    reasons: Any
    meeting_offered: bool | None
    no_meeting_reason: Any
    by: str
    at: Any


def reasons_history(unit: Unit, decision: VluDecision) -> list[ReasonsVersion]:
    """Every saved version, the newest first (only worth showing once there are two)."""
    rows = repository.reasons_revisions(unit.db, decision.id)
    staff = repository.staff_names(unit.db, {r.written_by_id for r in rows})
    return [
        ReasonsVersion(
            revision=r.revision,
            reasons=unit.vault.open(r, "reasons"),
            meeting_offered=r.meeting_offered,
            no_meeting_reason=unit.vault.open(r, "no_meeting_reason"),
            by=staff.get(r.written_by_id, "the prosecutor")
            if r.written_by_id
            else "the prosecutor",
            at=r.written_at,
        )
        for r in reversed(rows)
    ]


def reasons_form(vault: Vault, decision: VluDecision) -> dict[str, str]:
    """What the edit form starts with: the reasons (and meeting choice) as they now are."""
    offered = decision.meeting_offered
    return {
        "reasons": vault.open_text(decision, "reasons") or "",
        "meeting": "" if offered is None else "yes" if offered else "no",
        "no_meeting_reason": vault.open_text(decision, "no_meeting_reason") or "",
    }


# --- My work: letters waiting for the prosecutor's reasons -----------------------------------


@dataclass(frozen=True, slots=True)
class WaitingPage(ReadModel):
    waiting: list[WaitingForReasons]
    letters: int

    def extra(self) -> Page:
        return {"decision_labels": decision_labels()}


def waiting_page(unit: Unit) -> WaitingPage:
    waiting = repository.waiting_for_reasons(unit.db, unit.actor)
    return WaitingPage(waiting=waiting, letters=sum(w.letters for w in waiting))


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuePage(ReadModel):
    page: PageOf[RequestRow]
    names: dict[uuid.UUID, Any]
    counts: QueueCounts
    filters: QueueFilters
    today: date
    unit: VluUnit | None

    def extra(self) -> Page:
        return {
            **labels(),
            "due_filters": DUE_FILTERS,
            "state_filters": STATE_FILTERS,
            "areas": AREAS,
            "categories": CrimeCategory.labels(),
        }


def queue_page(unit: Unit, filters: QueueFilters, *, page: int) -> QueuePage:
    db, actor, vault = unit.db, unit.actor, unit.vault
    today = london_today()
    soon = soon_after(today)
    rows = repository.queue(
        db, actor, filters, page=page, per_page=PER_PAGE, today=today, soon=soon
    )
    counts = repository.counts(db, actor, today=today, soon=soon)
    vault.load({row.person.key_id for row in rows.items})
    names = {row.person.id: display_name(vault, row.person) for row in rows.items}
    shown = [row.person for row in rows.items]
    audit.people_listed(db, actor, "person.vlu_queue", shown, None, once=True)
    return QueuePage(
        page=rows,
        names=names,
        counts=counts,
        filters=filters,
        today=today,
        unit=directory().units.get(actor.area or ""),
    )


# --- a decision ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionPage(ReadModel):
    decision: VluDecision
    case: Case
    unit: VluUnit
    reasons: Any
    no_meeting_reason: Any
    reasons_by: str | None
    reasons_readability: Readability | None
    may_give_reasons: bool
    may_edit_reasons: bool
    reasons_form: dict[str, str]
    reasons_history: list[ReasonsVersion]
    is_vlu: bool
    counts: dict[str, int]
    total: int
    eligible: dict[str, int]
    jobs: list[Job]
    not_sent: int  # letters a bulk send left unsent, still waiting
    page: PageOf[RequestRow]
    names: dict[uuid.UUID, Any]
    today: date

    def extra(self) -> Page:
        return {**letter_labels(), "max_reasons": MAX_REASONS, "bulk_labels": BULK_LABELS}


def decision_page(
    unit: Unit,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    *,
    page: int,
    typed_reasons: str | None = None,
    record_view: bool = False,
) -> DecisionPage:
    """A decision: its reasons, its requests (a page of them) and, for the VLU, the bulk
    actions. ``record_view`` logs the consultation of the decision itself (the GET)."""
    db, actor, vault = unit.db, unit.actor, unit.vault
    decision, case = repository.get_decision(db, actor, case_id, decision_id)
    if record_view:
        audit_decision(db, actor, decision, category="consultation", action="vlu.decision.view")
    today = london_today()
    rows = repository.queue(
        db,
        actor,
        QueueFilters(state="all", decision_id=decision.id),
        page=page,
        per_page=PER_PAGE,
        today=today,
        soon=soon_after(today),
    )
    vault.load({row.person.key_id for row in rows.items} | {decision.key_id})
    names = {row.person.id: display_name(vault, row.person) for row in rows.items}
    audit.people_listed(db, actor, "person.vlu_decision", [r.person for r in rows.items], case.id)
    counts = repository.state_counts(db, decision.id)
    runs_bulk = actor.can(Permission.RUN_BULK_LETTERS)
    eligible = (
        {a: eligible_count(db, actor, decision, a) for a in BULK_ACTIONS} if runs_bulk else {}
    )
    staff = repository.staff_names(db, {decision.reasons_by_id})
    supplies = actor.can(Permission.SUPPLY_REASONS)
    editable = (
        supplies
        and decision.reasons is not None
        and not repository.any_letter_sent(db, decision.id)
    )
    return DecisionPage(
        decision=decision,
        case=case,
        unit=directory().unit_for(decision.unit),
        reasons=vault.open(decision, "reasons"),
        no_meeting_reason=vault.open(decision, "no_meeting_reason"),
        reasons_by=staff.get(decision.reasons_by_id) if decision.reasons_by_id else None,
        reasons_readability=reasons_readability(vault, decision, typed_reasons),
        may_give_reasons=supplies and decision.reasons is None,
        may_edit_reasons=editable,
        reasons_form=reasons_form(vault, decision) if editable else {},
        reasons_history=reasons_history(unit, decision) if decision.reasons is not None else [],
        is_vlu=runs_bulk,
        counts=counts,
        total=sum(counts.values()),
        eligible=eligible,
        jobs=repository.jobs_for_decision(db, decision.id) if runs_bulk else [],
        not_sent=sum(unsent_repository.counts(db, decision.id).values()) if runs_bulk else 0,
        page=rows,
        names=names,
        today=today,
    )


# --- a bulk job's progress -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobPage(ReadModel):
    job: Job
    decision: VluDecision | None
    label: str
    finished: bool
    percent: int
    unsent: dict[str, int]  # this send's letters still unsent, by reason
    left: int  # every letter of the decision still unsent after a bulk send

    def extra(self) -> Page:
        return {"decision_labels": decision_labels(), "reason_labels": UNSENT_REASONS}


def job_page(unit: Unit, job_id: uuid.UUID) -> JobPage:
    job: Job = repository.get_job(unit.db, unit.actor, job_id)
    decision = unit.db.get(VluDecision, job.subject_id) if job.subject_id else None
    finished = job.state in {"done", "failed"}
    percent = (
        100 if finished else int(100 * (job.done + job.skipped) / job.total) if job.total else 0
    )
    unsent: dict[str, int] = {}
    left = 0
    if decision is not None and job.kind == "vlu.send_all":
        unsent = unsent_repository.counts(unit.db, decision.id, job_id=job.id)
        left = sum(unsent_repository.counts(unit.db, decision.id).values())
    return JobPage(
        job=job,
        decision=decision,
        label=BULK_LABELS.get(job.kind.removeprefix("vlu."), "Background work"),
        finished=finished,
        percent=min(percent, 100),
        unsent=unsent,
        left=left,
    )
