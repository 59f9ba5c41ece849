"""Bulk work for mass-victim decisions (queued here, run by portal.jobs)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Set as AbstractSet

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity import identity
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.models import Case, CaseParty
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.victims_code.models import Obligation
from portal.vlu import repository, states, unsent_repository
from portal.vlu.contact import LETTER_NAMES_SEALED, bulk_channel, unsent_reason
from portal.vlu.models import Job, VluDecision, VluLetter, VluNotSent, VluRequest
from portal.vlu.service.checking import approve
from portal.vlu.service.common import (
    BULK_ACTIONS,
    CHECKLIST,
    SendRefused,
    audit_decision,
    recipient_for,
)
from portal.vlu.service.drafting import first_draft, save_draft
from portal.vlu.service.sending import ADDRESS_REPLACED, send
from portal.vlu.states import State


def _eligible(action: str, actor: Actor) -> ColumnElement[bool]:
    if action == "draft_all":
        return VluRequest.state == State.REASONS_SUPPLIED.value
    if action == "approve_all":
        return and_(
            VluRequest.state == State.DRAFTED.value,
            or_(VluRequest.drafted_by_id.is_(None), VluRequest.drafted_by_id != actor.user_id),
        )
    if action == "send_all":
        return or_(
            VluRequest.state == State.CHECKED.value,
            and_(
                VluRequest.state == State.DRAFTED.value,
                VluRequest.check_required.is_(False),
            ),
        )
    raise ValueError(f"unknown bulk action {action!r}")


def eligible_count(db: Session, actor: Actor, decision: VluDecision, action: str) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(VluRequest)
            .where(VluRequest.decision_id == decision.id, _eligible(action, actor))
        )
        or 0
    )


def enqueue_bulk(
    db: Session,
    actor: Actor,
    decision: VluDecision,
    *,
    action: str,
    checklist: AbstractSet[str] = frozenset(),
) -> Job:
    """Queue a bulk action on every eligible request of ``decision``. The web request only
    writes the job row; a worker does the work in small transactions (portal.jobs)."""
    if not actor.can(Permission.RUN_BULK_LETTERS):
        raise NotPermitted("only Victim Liaison Unit officers run bulk actions")
    if action not in BULK_ACTIONS:
        raise ValidationFailed({"action": "Select what to do"})
    if action == "approve_all" and set(CHECKLIST) - checklist:
        raise ValidationFailed({"checklist": "Confirm every check before you approve the letters"})
    kind = f"vlu.{action}"
    running = db.scalar(
        select(func.count())
        .select_from(Job)
        .where(
            Job.subject_id == decision.id,
            Job.kind == kind,
            Job.state.in_(("queued", "running")),
        )
    )
    if running:
        raise ValidationFailed({"action": "This is already running for this decision"})
    total = eligible_count(db, actor, decision, action)
    if total == 0:
        raise ValidationFailed({"action": NOTHING_TO_DO[action]})
    job = Job(
        kind=kind,
        state="queued",
        payload=json.dumps({"decision_id": str(decision.id)}),
        case_id=decision.case_id,
        subject_id=decision.id,
        total=total,
        done=0,
        skipped=0,
        attempts=0,
        max_attempts=3,
        run_after=utc_now(),
        created_by_id=actor.user_id,
        created_at=utc_now(),
    )
    db.add(job)
    db.flush()
    audit_decision(
        db,
        actor,
        decision,
        category="alteration",
        action=f"vlu.bulk.{action}",
        object_type="job",
        object_id=job.id,
        fields=[f"count={total}"],
    )
    return job


CHECK_FIRST = "Check the letters first: read the ones the check lists, then approve them there"
NOTHING_TO_DO = {
    "draft_all": "There are no letters ready to draft: the prosecutor's reasons are needed first",
    "approve_all": "There are no drafted letters that you can check (you cannot check your own)",
    "send_all": "There are no checked letters ready to send",
}


def bulk_batch(db: Session, vault: Vault, actor: Actor, job: Job, batch: int) -> int:
    """Do the next ``batch`` requests of a bulk job; return how many were looked at.

    Each request is done through the same step as a single one (state machine, attribution,
    audit, sealing, safe-contact rules). A request that cannot be done (a refused send, an erased
    person) is counted as skipped and left for an officer; the cursor moves past it.
    """
    action = job.kind.removeprefix("vlu.")
    decision_id = uuid.UUID(json.loads(job.payload)["decision_id"])
    decision = db.get(VluDecision, decision_id)
    if decision is None:
        return 0
    case = db.get(Case, decision.case_id)
    assert case is not None
    query = (
        select(VluRequest, Person)
        .join(CaseParty, CaseParty.id == VluRequest.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(VluRequest.decision_id == decision.id, _eligible(action, actor))
        .order_by(VluRequest.id)
        .limit(batch)
    )
    if job.cursor:
        query = query.where(VluRequest.id > uuid.UUID(job.cursor))
    rows = db.execute(query).all()
    if not rows:
        return 0
    vault.load({person.key_id for _, person in rows} | {decision.key_id})
    letters = {
        letter.request_id: letter
        for letter in db.scalars(
            select(VluLetter).where(VluLetter.request_id.in_([r.id for r, _ in rows]))
        )
    }
    # A send meets each letter's Victims' Code obligation: loaded here for the batch, in one
    # query (held, so the session's identity map answers each ``db.get``).
    obligations = (
        list(
            db.scalars(
                select(Obligation).where(
                    Obligation.id.in_([r.obligation_id for r, _ in rows if r.obligation_id])
                )
            )
        )
        if action == "send_all"
        else []
    )
    reasons = ""
    if action == "draft_all":
        reasons = vault.open_text(decision, "reasons") or ""
    officer = db.get(User, actor.user_id)
    officer_name = officer.display_name if officer else ""
    # Who is sealed in the case, looked up once for the batch (drafts and sends check letters).
    sealed = identity.sealed_in_cases(db, vault, [case.id]) if action != "approve_all" else []
    done = skipped = 0
    unsent: dict[uuid.UUID, str] = {}  # a send's refusals, as reason codes
    sent: list[uuid.UUID] = []
    for request, person in rows:
        parts = (db, vault, actor, request, decision, person)
        try:
            if action == "draft_all":
                if person.erased:
                    raise SendRefused("erased")
                body = first_draft(
                    vault,
                    request=request,
                    decision=decision,
                    case=case,
                    person=person,
                    reasons=reasons,
                    officer_name=officer_name,
                )
                save_draft(
                    *parts,
                    body=body,
                    expected_version=None,
                    job_id=job.id,
                    letter=letters.get(request.id),
                    sealed=sealed,
                )
            elif action == "approve_all":
                approve(
                    *parts,
                    checklist=set(CHECKLIST),
                    notes="",
                    expected_version=None,
                    job_id=job.id,
                )
            else:
                # A sealed identity is always left for an officer to send by hand.
                recipient = recipient_for(vault, person)
                channel = bulk_channel(
                    recipient, letter_carries_identity=bool(person.identity_sealed)
                )
                if channel is None:
                    unsent[request.id] = unsent_reason(recipient)
                    raise SendRefused("no safe channel")
                try:
                    send(
                        *parts,
                        channel=channel,
                        expected_version=None,
                        job_id=job.id,
                        sealed=sealed,
                        letter=letters.get(request.id),
                        recipient=recipient,
                    )
                except SendRefused as exc:
                    unsent[request.id] = refusal_code(exc.reason)
                    raise
                sent.append(request.id)
            done += 1
        except (SendRefused, states.GuardRefused, ValidationFailed):
            skipped += 1
            if action == "send_all":
                unsent.setdefault(request.id, "other")
    if action == "send_all":
        record_unsent(db, job, decision, unsent, sent)
    del obligations
    # Progress is written once per batch, in the same transaction as the work it counts.
    job.done += done
    job.skipped += skipped
    job.cursor = str(rows[-1][0].id)
    db.flush()
    return len(rows)


def refusal_code(reason: str) -> str:
    """The reason code of a send's refusal (its words: portal.vlu.contact, service.sending)."""
    if reason == ADDRESS_REPLACED:
        return "address_replaced"
    if reason == LETTER_NAMES_SEALED:
        return "names_sealed"
    return "other"


def record_unsent(
    db: Session,
    job: Job,
    decision: VluDecision,
    unsent: dict[uuid.UUID, str],
    sent: list[uuid.UUID],
) -> None:
    """Why each letter of a send's batch was not sent (its latest reason, this job's), and that
    the ones sent after all no longer wait (one query for the rows there are)."""
    existing = unsent_repository.of_requests(db, [*unsent, *sent])
    now = utc_now()
    for request_id, reason in unsent.items():
        row = existing.get(request_id)
        if row is None:
            db.add(
                VluNotSent(
                    request_id=request_id,
                    decision_id=decision.id,
                    case_id=decision.case_id,
                    job_id=job.id,
                    reason=reason,
                    recorded_at=now,
                )
            )
        else:
            row.reason, row.job_id, row.recorded_at, row.resolved_at = reason, job.id, now, None
    for request_id in sent:
        row = existing.get(request_id)
        if row is not None and row.resolved_at is None:
            row.resolved_at = now


def start_bulk(
    unit: Unit,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    *,
    action: str,
    checklist: AbstractSet[str],
) -> Job:
    """``enqueue_bulk`` for the decision with these ids (in the actor's scope). Approving is
    refused here: the batch is approved from its second check (service.bulk_check), once the
    checker has read the letters it lists."""
    if action == "approve_all":
        raise ValidationFailed({"action": CHECK_FIRST})
    decision, _ = repository.get_decision(unit.db, unit.actor, case_id, decision_id)
    return enqueue_bulk(unit.db, unit.actor, decision, action=action, checklist=checklist)
