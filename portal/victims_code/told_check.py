"""The data check of "told" records: every obligation recorded as met through a channel the
safe-contact check refuses (portal.people.contact), found, stored and shown to the auditor.

Records made since the check was enforced cannot fail it; records made before it may. The rules
in force when a record was made are not kept, only today's: when the person's safe-contact rules
changed after the record (an audited ``person.contact_rules``), the finding says so, because the
channel may have been safe then. A channel that is safe under today's rules is not reported.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.cases.models import CaseParty
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.contact import CHANNEL_NEEDS, ContactFacts, contact_facts
from portal.people.models import Person
from portal.victims_code import repository
from portal.victims_code.models import Obligation, ToldCheckFinding
from portal.victims_code.service import entitlement_of

PROBLEMS = {
    "erased": "The person's record has been erased",
    "no_rules": "No safe-contact rules were recorded",
    "channel_not_safe": "Their safe-contact rules do not allow this channel",
    "voicemail": "Their safe-contact rules say no voicemail",
    "detail_missing": "The contact detail the channel needs is not recorded",
}


def problem_of(facts: ContactFacts, channel: str) -> str | None:
    """The same decision as ``told_refusal``, as a code."""
    if facts.erased:
        return "erased"
    if not facts.safe.channels:
        return "no_rules"
    if channel not in facts.safe.channels:
        return "channel_not_safe"
    if not facts.has(CHANNEL_NEEDS.get(channel)):
        return "detail_missing"
    return None


@dataclass(frozen=True, slots=True)
class CheckResult:
    checked: int
    found: int


def run_check(db: Session, vault: Vault) -> CheckResult:
    """Check every met obligation with a channel; replace the stored findings."""
    rows = db.execute(
        select(Obligation, Person)
        .join(CaseParty, CaseParty.id == Obligation.case_party_id)
        .join(Person, Person.id == CaseParty.person_id)
        .where(Obligation.state == "met", Obligation.channel.is_not(None))
        .order_by(Obligation.id)
    ).all()
    vault.load({person.key_id for _, person in rows})
    changed = _rules_changed_on(db, {person.id for _, person in rows})
    now = utc_now()
    db.execute(delete(ToldCheckFinding))
    found = 0
    for obligation, person in rows:
        problem = problem_of(contact_facts(vault, person), str(obligation.channel))
        if problem is None:
            continue
        told = obligation.met_on or obligation.changed_at.date()
        last_change = changed.get(person.id)
        db.add(
            ToldCheckFinding(
                obligation_id=obligation.id,
                case_id=obligation.case_id,
                problem=problem,
                rules_changed_since=last_change is not None and last_change > told,
                checked_at=now,
            )
        )
        found += 1
    db.flush()
    audit.consulted(
        db, None, "obligations.told_check", "obligation", f"checked={len(rows)}", f"found={found}"
    )
    return CheckResult(checked=len(rows), found=found)


def _rules_changed_on(db: Session, person_ids: set[uuid.UUID]) -> dict[uuid.UUID, date]:
    """The last day each person's safe-contact rules were changed (from the audit log)."""
    if not person_ids:
        return {}
    rows = db.execute(
        select(AuditEvent.subject_id, func.max(AuditEvent.at))
        .where(AuditEvent.action == "person.contact_rules", AuditEvent.subject_id.is_not(None))
        .group_by(AuditEvent.subject_id)
    ).all()
    return {
        subject: at.date()
        for subject, at in rows
        if subject in person_ids and isinstance(at, datetime)
    }


@dataclass(frozen=True, slots=True)
class FindingRow:
    """What the auditor's list shows: pseudonyms, codes and dates, never a contact value."""

    obligation_id: uuid.UUID
    urn: str
    reference: str
    entitlement: str
    title: str
    met_on: date | None
    channel: str
    problem: str
    rules_changed_since: bool
    checked_at: datetime


def findings(db: Session, actor: Actor | None) -> list[FindingRow]:
    """The stored findings in the actor's case scope (None: the operator's CLI, every case),
    audited as one consultation per person shown."""
    rows = repository.told_findings(db, actor)
    if actor is not None:
        audit.record_consultations(
            db,
            actor=actor,
            action="obligations.told_check_view",
            subjects=sorted({(person.id, person.reference) for _, _, _, person in rows}),
            case_id=None,
        )
    return [
        FindingRow(
            obligation_id=obligation.id,
            urn=case.urn,
            reference=person.reference,
            entitlement=obligation.entitlement,
            title=entitlement_of(obligation).title,
            met_on=obligation.met_on,
            channel=str(obligation.channel),
            problem=finding.problem,
            rules_changed_since=finding.rules_changed_since,
            checked_at=finding.checked_at,
        )
        for finding, obligation, case, person in rows
    ]
