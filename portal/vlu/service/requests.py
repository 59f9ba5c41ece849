"""Requests created by decisions: one per victim owed a VCL letter, linked to the obligation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.models import Case, CaseEvent, Offence
from portal.cases.offences import offence_type
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.victims_code.models import Obligation
from portal.vlu.directory import directory
from portal.vlu.models import VluDecision, VluRequest, VluTransition
from portal.vlu.service.common import (
    DECISION_KINDS,
    VCL_ENTITLEMENTS,
    VRR_KINDS,
    audit_decision,
    step_row,
)
from portal.vlu.states import Action, State


def vrr_applies(kind: str, ends_all_proceedings: bool) -> bool:
    return kind in VRR_KINDS and ends_all_proceedings


@dataclass(frozen=True, slots=True)
class CaseFlags:
    rasso: bool
    categories: frozenset[str]
    offence_flags: frozenset[str]


def case_flags(db: Session, case_id: uuid.UUID) -> CaseFlags:
    offences = db.scalars(select(Offence).where(Offence.case_id == case_id)).all()
    types = [t for o in offences if (t := offence_type(o.code)) is not None]
    flags = {
        name
        for t in types
        for name in ("sexual", "rasso", "most_serious", "domestic_abuse", "weapons")
        if getattr(t, name)
    }
    return CaseFlags(
        rasso=any(t.rasso for t in types),
        categories=frozenset(o.category for o in offences),
        offence_flags=frozenset(flags),
    )


def meeting_required(kind: str, flags: CaseFlags) -> bool:
    """Specified cases (the rule is data, and UNCONFIRMED: portal/data/vlu.toml)."""
    rule = directory().meeting
    if kind not in rule.decisions:
        return False
    return bool(flags.categories & rule.categories or flags.offence_flags & rule.offence_flags)


def requests_for_event(
    db: Session, vault: Vault, actor: Actor, case: Case, event: CaseEvent
) -> int:
    """One request per victim owed a VCL letter for ``event`` (after its obligations exist).

    Linked to the obligation, whose due date it shows. Recording the same decision again creates
    nothing new. Returns how many requests were created. Written with two multi-row inserts, so a
    decision in a case with thousands of victims stays one quick transaction.
    """
    if event.kind not in DECISION_KINDS:
        return 0
    owed = db.execute(
        select(Obligation.id, Obligation.case_party_id, Obligation.enhanced, Obligation.key_id)
        .where(
            Obligation.event_id == event.id,
            Obligation.entitlement.in_(list(VCL_ENTITLEMENTS)),
            Obligation.responsible_body == "vlu",
        )
        .order_by(Obligation.id)
    ).all()
    if not owed:
        return 0
    unit = directory().unit_for(case.area)
    flags = case_flags(db, case.id)
    now = utc_now()
    decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one_or_none()
    if decision is None:
        decision = VluDecision(
            case_id=case.id,
            event_id=event.id,
            unit=unit.area,
            kind=event.kind,
            decided_on=event.event_date,
            vrr_applies=vrr_applies(event.kind, event.ends_all_proceedings),
            meeting_required=meeting_required(event.kind, flags),
            key_id=case.key_id,
            created_at=now,
        )
        db.add(decision)
        db.flush()
    existing = set(
        db.scalars(select(VluRequest.case_party_id).where(VluRequest.decision_id == decision.id))
    )
    rows: list[dict[str, object]] = []
    steps: list[dict[str, object]] = []
    for obligation_id, party_id, enhanced, key_id in owed:
        if party_id in existing:
            continue
        existing.add(party_id)
        request_id = uuid.uuid4()
        rows.append(
            {
                "id": request_id,
                "decision_id": decision.id,
                "case_id": case.id,
                "case_party_id": party_id,
                "obligation_id": obligation_id,
                "unit": unit.area,
                "state": State.REQUESTED.value,
                "enhanced": enhanced,
                "rasso": flags.rasso,
                "check_required": flags.rasso or unit.second_check_all,
                "vrr_applies": decision.vrr_applies,
                "meeting_required": decision.meeting_required,
                "key_id": key_id,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        steps.append(step_row(request_id, Action.CREATE, None, State.REQUESTED, actor, None))
    if rows:
        db.execute(insert(VluRequest), rows)
        db.execute(insert(VluTransition), steps)
        count = [f"count={len(rows)}"]
        audit_decision(
            db, actor, decision, category="collection", action="vlu.requests.create", fields=count
        )
    return len(rows)
