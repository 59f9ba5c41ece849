"""An obligation's life: met (on time or late), declined by the victim (reversible), not
applicable, or not met with a good reason (Victims and Prisoners Act 2024 s5). Each change is
attributed and audited; "overdue" and "met late" are derived, never stored."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, StaleEdit, ValidationFailed
from portal.cases.models import CaseParty
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.kit.enums import LabelledStrEnum
from portal.people.contact import (
    TOLD_CHANNELS,
    ContactFacts,
    contact_facts,
    safe_channels,
    told_refusal,
)
from portal.people.models import Person
from portal.victims_code.models import Obligation
from portal.victims_code.service import entitlement_of, rules_version

CHANNELS = TOLD_CHANNELS
VCL_ONLY = (
    "This entitlement is met only by sending the decision letter: send it from the Victim "
    "Liaison Unit's letter page"
)

BODY_ROLES = {
    "witness_care_unit": "witness_care_officer",
    "cps": "prosecutor",
    "vlu": "vlu_officer",
}


class Status(LabelledStrEnum):
    DUE = "due", "Due"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue"
    MET = "met", "Met on time"
    MET_LATE = "met_late", "Met late"
    DECLINED = "declined", "Declined by the victim"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_MET_GOOD_REASON = "not_met_good_reason", "Not met, with a good reason"
    # A duty with no time limit (rules data "none"): open until its work is done, never "due".
    NO_TIME_LIMIT = "no_time_limit", "Open, no time limit"
    DONE = "done", "Done"


def status(obligation: Obligation, today: date) -> Status:
    if obligation.state == "met" and obligation.due_on is None:
        return Status.DONE
    if obligation.state == "met":
        late = obligation.due_on is not None and obligation.met_on is not None
        return Status.MET_LATE if late and obligation.met_on > obligation.due_on else Status.MET  # type: ignore[operator]
    if obligation.state == "declined":
        return Status.DECLINED
    if obligation.state == "not_applicable":
        return Status.NOT_APPLICABLE
    if obligation.state == "not_met_good_reason":
        return Status.NOT_MET_GOOD_REASON
    if obligation.due_on is None:
        return Status.NO_TIME_LIMIT
    if obligation.due_on < today:
        return Status.OVERDUE
    if obligation.due_on == today:
        return Status.DUE_TODAY
    return Status.DUE


def may_change(actor: Actor, obligation: Obligation) -> bool:
    """Only the team the obligation is owed by records what became of it."""
    return BODY_ROLES.get(obligation.responsible_body) == actor.role.value


def _owner_check(actor: Actor, obligation: Obligation) -> None:
    if not may_change(actor, obligation):
        raise NotPermitted("this obligation is owed by another team")


def _check_version(obligation: Obligation, expected_version: int) -> None:
    if obligation.version != expected_version:
        raise StaleEdit({"state": obligation.state}, obligation.version)


def _audit(db: Session, actor: Actor, obligation: Obligation, action: str) -> None:
    kind, where = f"obligation.{action}", (obligation.id, obligation.case_id)
    audit.record_in_case(db, actor, "alteration", kind, ("obligation", *where), "state")


def contact_facts_for(db: Session, vault: Vault, obligation: Obligation) -> ContactFacts:
    """The safe-contact facts of the person the obligation is owed to."""
    person = db.scalar(
        select(Person)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .where(CaseParty.id == obligation.case_party_id)
    )
    if person is None:  # the party row cascades with the obligation; never expected
        raise NotPermitted("the person this is owed to is no longer in the case")
    return contact_facts(vault, person)


def told_options(vault: Vault, obligation: Obligation, person: Person) -> list[tuple[str, str]]:
    """The channels a "told" form may offer for this obligation: only safe ones, and none for a
    duty met only by sending the VCL letter."""
    if entitlement_of(obligation).met_by == "vcl_letter":
        return []
    return safe_channels(contact_facts(vault, person))


def mark_met(
    db: Session,
    vault: Vault,
    actor: Actor,
    obligation: Obligation,
    *,
    met_on: date | None,
    channel: str,
    evidence: str,
    expected_version: int,
    late_reason: str = "",
    late_detail: str = "",
) -> None:
    """Record that the person was told (the obligation page and My work). Refused for a duty
    met only by sending the VCL letter, and through any channel the safe-contact check
    refuses (portal.people.contact). Met late needs a good reason from the rules data
    (``late_reason``), with ``late_detail`` where the reason asks for it."""
    _owner_check(actor, obligation)
    if entitlement_of(obligation).met_by == "vcl_letter":
        raise ValidationFailed({"channel": VCL_ONLY})
    errors = validate_met(obligation, met_on=met_on, channel=channel, evidence=evidence)
    errors |= case_text_errors(db, vault, obligation.case_id, {"evidence": ("The note", evidence)})
    if "channel" not in errors:
        refusal = told_refusal(contact_facts_for(db, vault, obligation), channel)
        if refusal is not None:
            errors["channel"] = refusal
    late = met_on is not None and obligation.due_on is not None and met_on > obligation.due_on
    if late:
        errors |= reason_errors(
            db,
            vault,
            obligation,
            "late",
            late_reason,
            late_detail,
            field="late_reason",
            detail_field="late_detail",
        )
    if errors:
        raise ValidationFailed(errors)
    _check_version(obligation, expected_version)
    _record_met(db, vault, actor, obligation, met_on=met_on, channel=channel, evidence=evidence)
    obligation.reason_code = late_reason if late else None
    vault.put(obligation, "reason", (late_detail.strip() or None) if late else None)
    db.flush()


def met_by_letter(
    db: Session,
    vault: Vault,
    actor: Actor,
    obligation: Obligation,
    *,
    sent_on: date,
    channel: str,
    evidence: str,
    facts: ContactFacts | None = None,
    flush: bool = True,
) -> None:
    """The VCL letter was sent (portal.vlu, which has refused any channel the same safe-contact
    check refuses, and more): the obligation it discharges is met. ``facts``: the person's
    safe-contact facts when the sender has them already; ``flush=False`` for a bulk send, which
    flushes its batch once."""
    _owner_check(actor, obligation)
    refusal = told_refusal(facts or contact_facts_for(db, vault, obligation), channel)
    if refusal is not None:  # the send already checked: this is a second lock, never expected
        raise ValidationFailed({"channel": refusal})
    _record_met(
        db,
        vault,
        actor,
        obligation,
        met_on=sent_on,
        channel=channel,
        evidence=evidence,
        flush=flush,
    )


def met_by_work(
    db: Session, vault: Vault, actor: Actor, party_id: object, *, work: str, done_on: date
) -> int:
    """The work a duty stands for was done (``work``: the rules' ``met_by``, e.g. the WCU needs
    assessment): every open obligation of the person that it meets is met. Returns how many."""
    met = 0
    for obligation in db.scalars(
        select(Obligation).where(Obligation.case_party_id == party_id, Obligation.state == "open")
    ):
        if entitlement_of(obligation).met_by != work:
            continue
        evidence = "Needs assessment recorded" if work == "needs_assessment" else None
        met_on = max(done_on, obligation.trigger_on)
        _record_met(db, vault, actor, obligation, met_on=met_on, channel=None, evidence=evidence)
        met += 1
    return met


def _record_met(
    db: Session,
    vault: Vault,
    actor: Actor,
    obligation: Obligation,
    *,
    met_on: date | None,
    channel: str | None,
    evidence: str | None,
    flush: bool = True,
) -> None:
    obligation.state = "met"
    obligation.met_on = met_on
    obligation.met_by_id = actor.user_id
    obligation.channel = channel
    vault.put(obligation, "evidence", (evidence or "").strip() or None)
    obligation.changed_at = utc_now()
    if flush:
        db.flush()
    _audit(db, actor, obligation, "met")


def reason_errors(
    db: Session,
    vault: Vault,
    obligation: Obligation,
    use: str,
    code: str,
    detail: str,
    *,
    field: str,
    detail_field: str,
) -> dict[str, str]:
    """A good reason from the rules data (VPA 2024 s5), its detail where it needs one."""
    reasons = {r.code: r for r in rules_version(obligation.rules_version).reasons_for(use)}
    errors: dict[str, str] = {}
    chosen = reasons.get(code)
    if chosen is None:
        errors[field] = "Select why it was met late" if use == "late" else "Select the good reason"
    elif chosen.needs_detail and not detail.strip():
        errors[detail_field] = "Enter the details of the reason"
    if len(detail) > 2000:
        errors[detail_field] = "The details must be 2,000 characters or fewer"
    errors |= case_text_errors(
        db, vault, obligation.case_id, {detail_field: ("The details", detail)}
    )
    return errors


def validate_met(
    obligation: Obligation, *, met_on: date | None, channel: str, evidence: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = utc_now().date()
    if met_on is None:
        errors["met_on"] = "Enter the date the victim was told"
    elif met_on > today:
        errors["met_on"] = "The date must be today or in the past"
    elif met_on < obligation.trigger_on:
        errors["met_on"] = "The date must be on or after the date of the event"
    if channel not in CHANNELS:
        errors["channel"] = "Select how the victim was told"
    if len(evidence) > 2000:
        errors["evidence"] = "The note must be 2,000 characters or fewer"
    return errors


def close_without_meeting(
    db: Session,
    vault: Vault,
    actor: Actor,
    obligation: Obligation,
    *,
    state: str,
    reason: str,
    expected_version: int,
    reason_code: str = "",
) -> None:
    """Declined by the victim, not applicable, or not met with a good reason. Not met needs a
    good reason chosen from the rules data (``reason_code``), with ``reason`` as its detail;
    the others need the reason written. A victim's opt-out is allowed only where the
    entitlement permits it."""
    _owner_check(actor, obligation)
    if state not in {"declined", "not_applicable", "not_met_good_reason"}:
        raise ValidationFailed({"state": "Select what happened"})
    if state == "declined" and not entitlement_of(obligation).opt_out:
        raise ValidationFailed({"state": "The victim cannot opt out of this entitlement"})
    if state == "not_met_good_reason":
        errors = reason_errors(
            db,
            vault,
            obligation,
            "not_met",
            reason_code,
            reason,
            field="reason_code",
            detail_field="reason",
        )
        if errors:
            raise ValidationFailed(errors)
    else:
        reason_code = ""
        if not reason.strip():
            raise ValidationFailed({"reason": "Enter the reason"})
        if len(reason) > 2000:
            raise ValidationFailed({"reason": "The reason must be 2,000 characters or fewer"})
        named = case_text_errors(db, vault, obligation.case_id, {"reason": ("The reason", reason)})
        if named:
            raise ValidationFailed(named)
    _check_version(obligation, expected_version)
    obligation.state = state
    obligation.reason_code = reason_code or None
    vault.put(obligation, "reason", reason.strip() or None)
    obligation.changed_at = utc_now()
    db.flush()
    _audit(db, actor, obligation, state)


def reopen(db: Session, actor: Actor, obligation: Obligation, *, expected_version: int) -> None:
    """A victim who opted out can opt back in (domain-rules.md 1.5: opt-outs are reversible)."""
    _owner_check(actor, obligation)
    _check_version(obligation, expected_version)
    obligation.state = "open"
    obligation.met_on = None
    obligation.met_by_id = None
    obligation.channel = None
    obligation.reason_code = None
    obligation.changed_at = utc_now()
    db.flush()
    _audit(db, actor, obligation, "reopen")
