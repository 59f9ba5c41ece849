"""Decision letters: requests created by decisions, the workflow's steps, letters and bulk work.

Every step goes through the state machine (``portal.vlu.states``), is attributed (a transition
row) and audited (ids and field names only), in the caller's transaction. Nothing here commits.
The due date of a request is always its Victims' Code obligation's: this module never computes
one, and sending the letter marks that obligation met (so compliance shows on time or late).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from types import EllipsisType

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.anonymity import identity
from portal.anonymity.identity import IdentityMatcher
from portal.audit import service as audit
from portal.cases.errors import CaseError, NotPermitted, StaleEdit, ValidationFailed
from portal.cases.models import Case, CaseEvent, CaseParty, Offence
from portal.cases.offences import offence_type
from portal.cases.reference import EventKind
from portal.clock import LONDON, utc_now
from portal.keys.vault import Vault
from portal.people.contact import contact_facts
from portal.people.models import Person
from portal.victims_code import lifecycle
from portal.victims_code.models import Obligation
from portal.victims_code.rules import RulesError, rules_in_force
from portal.vlu import states
from portal.vlu.contact import SEND_CHANNELS, Recipient, bulk_channel, send_refusal
from portal.vlu.directory import directory
from portal.vlu.letters import LetterFacts, compose
from portal.vlu.models import Job, VluDecision, VluLetter, VluMessage, VluRequest, VluTransition
from portal.vlu.readability import flesch
from portal.vlu.states import Action, Facts, Outcome, State

# The Victims' Code entitlements a VCL letter delivers (portal/data/victims_code), by decision.
VCL_ENTITLEMENTS: dict[str, str] = {
    "R6-CPS-NO-CHARGE": EventKind.NO_CHARGE_DECISION.value,
    "R6-CPS-DISCONTINUANCE": EventKind.DISCONTINUANCE.value,
    "R6-CPS-OFFER-NO-EVIDENCE": EventKind.OFFER_NO_EVIDENCE.value,
    "R6-CPS-SUBSTANTIAL-ALTERATION": EventKind.SUBSTANTIAL_ALTERATION.value,
}
DECISION_KINDS = frozenset(VCL_ENTITLEMENTS.values())
# Qualifying decisions for the Victims' Right to Review, when they end all proceedings (DR 1.9).
# A substantial alteration never does: the proceedings go on.
VRR_KINDS = frozenset(
    {
        EventKind.NO_CHARGE_DECISION.value,
        EventKind.DISCONTINUANCE.value,
        EventKind.OFFER_NO_EVIDENCE.value,
    }
)

CHECKLIST: dict[str, str] = {
    "accurate": "Accurate: the right name, case, decision, dates and reasons",
    "empathetic": "Empathetic: it recognises what the decision means for the victim",
    "reasons": "Explains the reasons clearly, in plain English",
    "rights": "Explains the victim's rights: review where it applies, the meeting offer, support",
}

MAX_REASONS = 5000
MAX_LETTER = 20_000
MAX_MESSAGE = 2000
MAX_NOTES = 2000
BULK_ACTIONS = ("draft_all", "approve_all", "send_all")


class SendRefused(CaseError):
    """A send that would break a safe-contact rule or an anonymity restriction."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def london_today() -> date:
    return utc_now().astimezone(LONDON).date()


# --- requests created by decisions ------------------------------------------------------------


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
            id=uuid.uuid4(),
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
        steps.append(_step_row(request_id, Action.CREATE, None, State.REQUESTED, actor, None))
    if rows:
        db.execute(insert(VluRequest), rows)
        db.execute(insert(VluTransition), steps)
        audit.record(
            db,
            actor=actor,
            category="collection",
            action="vlu.requests.create",
            object_type="vlu_decision",
            object_id=decision.id,
            case_id=case.id,
            fields=[f"count={len(rows)}"],
        )
    return len(rows)


def _step_row(
    request_id: uuid.UUID,
    action: Action,
    source: State | None,
    target: State,
    actor: Actor,
    job_id: uuid.UUID | None,
) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "request_id": request_id,
        "action": action.value,
        "from_state": source.value if source else None,
        "to_state": target.value,
        "by_id": actor.user_id,
        "by_role": actor.role.value,
        "job_id": job_id,
        "at": utc_now(),
    }


# --- the prosecutor's reasons -----------------------------------------------------------------


def validate_reasons(
    decision: VluDecision, *, reasons: str, meeting_offered: bool | None, no_meeting_reason: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reasons.strip():
        errors["reasons"] = "Enter the reasons for the decision"
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = f"The reasons must be {MAX_REASONS:,} characters or fewer"
    if decision.meeting_required:
        if meeting_offered is None:
            errors["meeting"] = "Select whether the victims will be offered a meeting"
        elif not meeting_offered and not no_meeting_reason.strip():
            errors["no_meeting_reason"] = "Explain why a meeting is not appropriate"
        elif len(no_meeting_reason) > MAX_NOTES:
            errors["no_meeting_reason"] = (
                f"The explanation must be {MAX_NOTES:,} characters or fewer"
            )
    return errors


def supply_reasons(
    db: Session,
    vault: Vault,
    actor: Actor,
    decision: VluDecision,
    *,
    reasons: str,
    meeting_offered: bool | None,
    no_meeting_reason: str,
    expected_version: int,
) -> int:
    """The prosecutor explains the decision once; every waiting request can then be drafted.
    Returns the number of requests that moved on."""
    states.check(Action.SUPPLY_REASONS, State.REQUESTED, actor.role)
    if decision.reasons is not None:
        raise states.TransitionRefused(Action.SUPPLY_REASONS, State.REASONS_SUPPLIED)
    errors = validate_reasons(
        decision,
        reasons=reasons,
        meeting_offered=meeting_offered,
        no_meeting_reason=no_meeting_reason,
    )
    errors |= identity.case_text_errors(
        db,
        vault,
        decision.case_id,
        {
            "reasons": ("The reasons", reasons),
            "no_meeting_reason": ("The explanation", no_meeting_reason),
        },
    )
    if errors:
        raise ValidationFailed(errors)
    if decision.version != expected_version:
        raise StaleEdit({}, decision.version)
    vault.put(decision, "reasons", reasons.strip())
    if decision.meeting_required:
        decision.meeting_offered = meeting_offered
        if not meeting_offered:
            vault.put(decision, "no_meeting_reason", no_meeting_reason.strip())
    decision.reasons_by_id = actor.user_id
    decision.reasons_at = utc_now()
    db.flush()
    waiting = list(
        db.scalars(
            select(VluRequest.id).where(
                VluRequest.decision_id == decision.id,
                VluRequest.state == State.REQUESTED.value,
            )
        )
    )
    if waiting:
        db.execute(
            update(VluRequest)
            .where(
                VluRequest.decision_id == decision.id,
                VluRequest.state == State.REQUESTED.value,
            )
            .values(
                state=State.REASONS_SUPPLIED.value,
                version=VluRequest.version + 1,
                updated_at=utc_now(),
            )
            .execution_options(synchronize_session=False)
        )
        db.execute(
            insert(VluTransition),
            [
                _step_row(
                    rid, Action.SUPPLY_REASONS, State.REQUESTED, State.REASONS_SUPPLIED, actor, None
                )
                for rid in waiting
            ],
        )
        for loaded in list(db.identity_map.values()):
            if isinstance(loaded, VluRequest):
                db.expire(loaded)  # the bulk update changed them behind the ORM's back
    audit.record(
        db,
        actor=actor,
        category="collection",
        action="vlu.reasons",
        object_type="vlu_decision",
        object_id=decision.id,
        case_id=decision.case_id,
        fields=["reasons", "meeting_offered", f"count={len(waiting)}"],
    )
    return len(waiting)


# --- one request's steps ---------------------------------------------------------------------


def facts_for(request: VluRequest, decision: VluDecision, actor: Actor) -> Facts:
    return Facts(
        check_required=request.check_required,
        vrr_applies=request.vrr_applies,
        actor_drafted=request.drafted_by_id is not None and request.drafted_by_id == actor.user_id,
        decision_kind=decision.kind,
    )


def _move(
    db: Session,
    actor: Actor,
    request: VluRequest,
    action: Action,
    target: State,
    job_id: uuid.UUID | None,
) -> None:
    source = State(request.state)
    request.state = target.value
    request.updated_at = utc_now()
    db.add(VluTransition(**_step_row(request.id, action, source, target, actor, job_id)))


def _audit(
    db: Session,
    actor: Actor,
    request: VluRequest,
    person: Person,
    *,
    category: str,
    action: str,
    object_type: str = "vlu_request",
    object_id: uuid.UUID | None = None,
    fields: tuple[str, ...] | list[str] = (),
    recipient: str | None = None,
) -> None:
    audit.record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=object_type,
        object_id=object_id or request.id,
        case_id=request.case_id,
        subject_id=person.id,
        subject_ref=person.reference,
        fields=fields,
        recipient=recipient,
    )


def _check_version(request: VluRequest, expected_version: int | None) -> None:
    if expected_version is not None and request.version != expected_version:
        raise StaleEdit({"state": request.state}, request.version)


def greeting_name(vault: Vault, person: Person) -> str | None:
    """Who the letter is addressed to: never the true name of a sealed identity."""
    if person.erased or person.identity_sealed:
        return None
    if person.is_business:
        return vault.open_text(person, "business_contact")
    return vault.open_text(person, "full_name")


def vrr_window(on: date) -> tuple[int | None, int]:
    try:
        settings = rules_in_force(on).settings
    except RulesError:
        return 10, 3
    return settings.vrr_request_window_working_days, settings.vrr_request_longstop_months


def first_draft(
    vault: Vault,
    *,
    request: VluRequest,
    decision: VluDecision,
    case: Case,
    person: Person,
    reasons: str,
    officer_name: str,
) -> str:
    window, longstop = vrr_window(decision.decided_on)
    return compose(
        LetterFacts(
            decision_kind=decision.kind,
            greeting_name=greeting_name(vault, person),
            urn=case.urn,
            decision_date=decision.decided_on,
            reasons=reasons,
            vrr_applies=request.vrr_applies,
            meeting_offered=bool(request.meeting_required and decision.meeting_offered),
            unit_name=directory().unit_for(request.unit).name,
            officer_name=officer_name,
            vrr_window=window,
            vrr_longstop=longstop,
        )
    )


def save_draft(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    body: str,
    expected_version: int | None,
    job_id: uuid.UUID | None = None,
    letter: VluLetter | None | EllipsisType = ...,
    sealed: list[IdentityMatcher] | None = None,
) -> VluLetter:
    """Draft or redraft the letter. A redraft voids any check: it must be checked again.
    ``letter`` is the request's current letter when the caller has already loaded it (bulk), and
    ``sealed`` the matchers of the case's sealed identities: a letter naming any of them is
    refused (portal.anonymity.identity)."""
    target = states.check(
        Action.DRAFT, State(request.state), actor.role, facts_for(request, decision, actor)
    )
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed({"body": "Enter the letter"})
    if len(body) > MAX_LETTER:
        raise ValidationFailed({"body": f"The letter must be {MAX_LETTER:,} characters or fewer"})
    if sealed is None:
        sealed = identity.sealed_in_cases(db, vault, [request.case_id])
    named = identity.sealed_text_errors(sealed, {"body": ("The letter", body)})
    if named:
        raise ValidationFailed(named)
    _check_version(request, expected_version)
    if letter is ...:
        with db.no_autoflush:
            letter = db.scalars(
                select(VluLetter).where(VluLetter.request_id == request.id)
            ).one_or_none()
    first = letter is None
    if letter is None:
        letter = VluLetter(
            id=uuid.uuid4(),
            request_id=request.id,
            key_id=request.key_id,
            template=decision.kind,
            revision=0,
        )
    vault.put(letter, "body", body)
    letter.readability = flesch(body).score
    letter.identity_removed_at = None  # the officer's new text
    letter.revision += 1
    letter.written_by_id = actor.user_id
    letter.written_at = utc_now()
    if first:
        db.add(letter)  # only once complete: sealing may query keys (and autoflush)
    request.drafted_by_id = actor.user_id
    request.drafted_at = utc_now()
    request.checked_by_id = None
    request.checked_at = None
    request.check_accurate = request.check_empathetic = None
    request.check_reasons = request.check_rights = None
    _move(db, actor, request, Action.DRAFT, target, job_id)
    _audit(  # flushes the letter, the request and the step with the log entry
        db,
        actor,
        request,
        person,
        category="collection" if first else "alteration",
        action="vlu.letter.draft",
        object_type="vlu_letter",
        object_id=letter.id,
        fields=("body",),
    )
    return letter


def _ticks(request: VluRequest, checklist: set[str]) -> None:
    request.check_accurate = "accurate" in checklist
    request.check_empathetic = "empathetic" in checklist
    request.check_reasons = "reasons" in checklist
    request.check_rights = "rights" in checklist


def approve(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
    job_id: uuid.UUID | None = None,
) -> None:
    """A second officer confirms the letter meets every point of the quality checklist."""
    target = states.check(
        Action.APPROVE, State(request.state), actor.role, facts_for(request, decision, actor)
    )
    if set(CHECKLIST) - checklist:
        raise ValidationFailed(
            {
                "checklist": "Confirm every check before you approve the letter. If it falls "
                "short, return it for changes"
            }
        )
    if len(notes) > MAX_NOTES:
        raise ValidationFailed({"notes": f"Notes must be {MAX_NOTES:,} characters or fewer"})
    _refuse_sealed(db, vault, request, {"notes": ("The notes", notes)})
    _check_version(request, expected_version)
    _ticks(request, checklist)
    request.checked_by_id = actor.user_id
    request.checked_at = utc_now()
    if notes.strip():
        vault.put(request, "check_notes", notes.strip())
    _move(db, actor, request, Action.APPROVE, target, job_id)
    db.flush()
    _audit(
        db,
        actor,
        request,
        person,
        category="alteration",
        action="vlu.letter.approve",
        fields=("check_accurate", "check_empathetic", "check_reasons", "check_rights"),
    )


def return_for_changes(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    checklist: set[str],
    notes: str,
    expected_version: int | None,
) -> None:
    target = states.check(
        Action.RETURN, State(request.state), actor.role, facts_for(request, decision, actor)
    )
    if not notes.strip():
        raise ValidationFailed({"notes": "Say what needs to change"})
    if len(notes) > MAX_NOTES:
        raise ValidationFailed({"notes": f"Notes must be {MAX_NOTES:,} characters or fewer"})
    _refuse_sealed(db, vault, request, {"notes": ("The notes", notes)})
    _check_version(request, expected_version)
    _ticks(request, checklist)
    vault.put(request, "check_notes", notes.strip())
    _move(db, actor, request, Action.RETURN, target, None)
    db.flush()
    _audit(
        db,
        actor,
        request,
        person,
        category="alteration",
        action="vlu.letter.return",
        fields=("check_notes",),
    )


def recipient_for(vault: Vault, person: Person) -> Recipient:
    """The facts a send needs (portal.people.contact: only the safe-contact rules are opened)."""
    return contact_facts(vault, person)


def _refuse_sealed(
    db: Session, vault: Vault, request: VluRequest, texts: dict[str, tuple[str, str | None]]
) -> None:
    errors = identity.case_text_errors(db, vault, request.case_id, texts)
    if errors:
        raise ValidationFailed(errors)


def letter_names_sealed(
    db: Session,
    vault: Vault,
    request: VluRequest,
    person: Person,
    *,
    sealed: list[IdentityMatcher] | None = None,
    letter: VluLetter | None | EllipsisType = ...,
) -> bool:
    """Whether the current letter contains the true identity of anyone sealed in the case (the
    victim or another witness), compared with their true values, never shown. ``sealed`` and
    ``letter`` when the caller has them already (bulk)."""
    if person.erased:
        return False  # nothing can be sent to an erased record anyway
    if sealed is None:
        sealed = identity.sealed_in_cases(db, vault, [request.case_id])
    if not sealed:
        return False
    if letter is ...:
        letter = db.scalars(
            select(VluLetter).where(VluLetter.request_id == request.id)
        ).one_or_none()
    body = vault.open_text(letter, "body") if letter is not None else None
    return bool(body) and bool(identity.sealed_text_errors(sealed, {"body": ("", body)}))


ADDRESS_REPLACED = (
    "The victim's address was replaced after this letter was drafted: it must not go to the "
    "old address. Save the letter again (check it is still right for the new address) and have "
    "it checked before posting it"
)


def address_replaced_since_drafting(
    db: Session, request: VluRequest, person: Person, letter: VluLetter | None | EllipsisType = ...
) -> bool:
    """Whether the person's address was replaced after the current letter was written."""
    if person.address_changed_at is None:
        return False
    if letter is ...:
        letter = db.scalars(
            select(VluLetter).where(VluLetter.request_id == request.id)
        ).one_or_none()
    return letter is not None and letter.written_at < person.address_changed_at


def _postal_refusal(
    db: Session,
    request: VluRequest,
    person: Person,
    channel: str,
    letter: VluLetter | None | EllipsisType,
) -> str | None:
    spec = SEND_CHANNELS.get(channel)
    if spec is None or spec.needs != "address":
        return None
    return (
        ADDRESS_REPLACED if address_replaced_since_drafting(db, request, person, letter) else None
    )


def refusals_for(
    db: Session, vault: Vault, request: VluRequest, person: Person
) -> dict[str, str | None]:
    """Why each channel would be refused (None: allowed), the letter read once."""
    recipient = recipient_for(vault, person)
    letter = db.scalars(select(VluLetter).where(VluLetter.request_id == request.id)).one_or_none()
    carries = letter_names_sealed(db, vault, request, person, letter=letter)
    return {
        code: send_refusal(recipient, code, letter_carries_identity=carries)
        or _postal_refusal(db, request, person, code, letter)
        for code in SEND_CHANNELS
    }


def refusal_for(
    db: Session,
    vault: Vault,
    request: VluRequest,
    person: Person,
    channel: str,
    *,
    sealed: list[IdentityMatcher] | None = None,
    letter: VluLetter | None | EllipsisType = ...,
) -> str | None:
    carries = letter_names_sealed(db, vault, request, person, sealed=sealed, letter=letter)
    refusal = send_refusal(recipient_for(vault, person), channel, letter_carries_identity=carries)
    return refusal or _postal_refusal(db, request, person, channel, letter)


def send(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    channel: str,
    expected_version: int | None,
    today: date | None = None,
    job_id: uuid.UUID | None = None,
    sealed: list[IdentityMatcher] | None = None,
    letter: VluLetter | None | EllipsisType = ...,
) -> None:
    """Send the letter by ``channel`` (refused with the reason if a safe-contact rule or an
    anonymity restriction forbids it), and mark the Victims' Code obligation met today.
    ``sealed`` and ``letter`` as for ``letter_names_sealed``."""
    target = states.check(
        Action.SEND, State(request.state), actor.role, facts_for(request, decision, actor)
    )
    reason = refusal_for(db, vault, request, person, channel, sealed=sealed, letter=letter)
    if reason is not None:
        raise SendRefused(reason)
    _check_version(request, expected_version)
    day = today or london_today()
    request.sent_by_id = actor.user_id
    request.sent_at = utc_now()
    request.sent_on = day
    request.channel = channel
    _move(db, actor, request, Action.SEND, target, job_id)
    db.flush()
    spec = SEND_CHANNELS[channel]
    _audit(
        db,
        actor,
        request,
        person,
        category="disclosure",
        action="vlu.letter.send",
        object_type="vlu_letter",
        fields=("body",),
        recipient="representative" if channel == "via_representative" else "victim",
    )
    obligation = db.get(Obligation, request.obligation_id) if request.obligation_id else None
    if obligation is not None and obligation.state == "open":
        lifecycle.met_by_letter(
            db,
            vault,
            actor,
            obligation,
            sent_on=max(day, obligation.trigger_on),
            channel=spec.obligation_channel,
            evidence="Decision letter sent by the Victim Liaison Unit",
        )


REVIEW_ACTIONS = (
    Action.RECORD_REVIEW_REQUEST,
    Action.START_LOCAL_RESOLUTION,
    Action.RECORD_OUTCOME,
)


def record_review_step(
    db: Session,
    vault: Vault,
    actor: Actor,
    request: VluRequest,
    decision: VluDecision,
    person: Person,
    *,
    action: Action,
    on: date | None,
    outcome: str,
    notes: str,
    expected_version: int | None,
) -> None:
    """Victims' Right to Review: the request received, local resolution, and its outcome."""
    if action not in REVIEW_ACTIONS:
        raise ValidationFailed({"action": "Select what happened"})
    target = states.check(
        action, State(request.state), actor.role, facts_for(request, decision, actor)
    )
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = "Enter the date"
    elif on > london_today():
        errors["on"] = "The date must be today or in the past"
    elif request.sent_on is not None and on < request.sent_on:
        errors["on"] = "The date must be on or after the date the letter was sent"
    chosen: Outcome | None = None
    if action is Action.RECORD_OUTCOME:
        if outcome not in {o.value for o in Outcome}:
            errors["outcome"] = "Select the outcome"
        else:
            chosen = Outcome(outcome)
    if len(notes) > MAX_NOTES:
        errors["notes"] = f"Notes must be {MAX_NOTES:,} characters or fewer"
    errors |= identity.case_text_errors(db, vault, request.case_id, {"notes": ("The notes", notes)})
    if errors:
        raise ValidationFailed(errors)
    if chosen is not None:
        states.check_outcome(chosen, decision.kind)
    _check_version(request, expected_version)
    if action is Action.RECORD_REVIEW_REQUEST:
        request.review_requested_on = on
    elif action is Action.START_LOCAL_RESOLUTION:
        request.local_resolution_on = on
    else:
        assert chosen is not None
        request.outcome = chosen.value
        request.outcome_on = on
    if notes.strip():
        vault.put(request, "review_notes", notes.strip())
    _move(db, actor, request, action, target, None)
    db.flush()
    _audit(
        db,
        actor,
        request,
        person,
        category="alteration",
        action=f"vlu.review.{action.value}",
        fields=("review_notes",) if notes.strip() else (),
    )


# --- the conversation ------------------------------------------------------------------------

MESSAGE_ROLES = frozenset({Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER, Role.VLU_OFFICER})


def post_message(
    db: Session, vault: Vault, actor: Actor, request: VluRequest, person: Person, *, body: str
) -> VluMessage:
    if actor.role not in MESSAGE_ROLES:
        raise NotPermitted("only the case team and the VLU take part in the conversation")
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed({"message": "Enter a message"})
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed(
            {"message": f"The message must be {MAX_MESSAGE:,} characters or fewer"}
        )
    _refuse_sealed(db, vault, request, {"message": ("The message", text)})
    message = VluMessage(
        id=uuid.uuid4(),
        request_id=request.id,
        key_id=request.key_id,
        author_id=actor.user_id,
        author_role=actor.role.value,
        at=utc_now(),
    )
    vault.put(message, "body", text)
    db.add(message)
    db.flush()
    _audit(
        db,
        actor,
        request,
        person,
        category="collection",
        action="vlu.message",
        object_type="vlu_message",
        object_id=message.id,
        fields=("body",),
    )
    return message


# --- bulk work for mass-victim decisions (run by portal.jobs) -----------------------------


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
    if actor.role is not Role.VLU_OFFICER:
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
        id=uuid.uuid4(),
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
    audit.record(
        db,
        actor=actor,
        category="alteration",
        action=f"vlu.bulk.{action}",
        object_type="job",
        object_id=job.id,
        case_id=decision.case_id,
        fields=[f"count={total}"],
    )
    return job


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
    reasons = ""
    if action == "draft_all":
        reasons = vault.open_text(decision, "reasons") or ""
    officer = db.get(User, actor.user_id)
    officer_name = officer.display_name if officer else ""
    # Who is sealed in the case, looked up once for the batch (drafts and sends check letters).
    sealed = identity.sealed_in_cases(db, vault, [case.id]) if action != "approve_all" else []
    done = skipped = 0
    for request, person in rows:
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
                    db,
                    vault,
                    actor,
                    request,
                    decision,
                    person,
                    body=body,
                    expected_version=None,
                    job_id=job.id,
                    letter=letters.get(request.id),
                    sealed=sealed,
                )
            elif action == "approve_all":
                approve(
                    db,
                    vault,
                    actor,
                    request,
                    decision,
                    person,
                    checklist=set(CHECKLIST),
                    notes="",
                    expected_version=None,
                    job_id=job.id,
                )
            else:
                # A sealed identity is always left for an officer to send by hand.
                channel = bulk_channel(
                    recipient_for(vault, person),
                    letter_carries_identity=bool(person.identity_sealed),
                )
                if channel is None:
                    raise SendRefused("no safe channel")
                send(
                    db,
                    vault,
                    actor,
                    request,
                    decision,
                    person,
                    channel=channel,
                    expected_version=None,
                    job_id=job.id,
                    sealed=sealed,
                    letter=letters.get(request.id),
                )
            done += 1
        except (SendRefused, states.GuardRefused, ValidationFailed):
            skipped += 1
    # Progress is written once per batch, in the same transaction as the work it counts.
    job.done += done
    job.skipped += skipped
    job.cursor = str(rows[-1][0].id)
    db.flush()
    return len(rows)
