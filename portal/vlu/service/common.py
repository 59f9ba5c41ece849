"""What every step of a letter request shares: the rules as constants, the transition row,
the state move, the audit entry, the version check and the sealed-identity check."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Concatenate, ParamSpec, TypedDict, TypeVar, Unpack

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.anonymity import identity
from portal.audit import service as audit
from portal.cases.errors import CaseError, StaleEdit, ValidationFailed
from portal.cases.reference import EventKind
from portal.clock import LONDON, utc_now
from portal.keys.vault import Vault
from portal.kit.errors import GuardRefused
from portal.people.contact import contact_facts
from portal.people.models import Person
from portal.vlu import repository, states
from portal.vlu.contact import Recipient
from portal.vlu.models import VluDecision, VluRequest, VluTransition
from portal.vlu.repository import RequestRow
from portal.vlu.states import Action, Facts, State

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


def step_row(
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


def facts_for(request: VluRequest, decision: VluDecision, actor: Actor) -> Facts:
    return Facts(
        check_required=request.check_required,
        vrr_applies=request.vrr_applies,
        actor_drafted=request.drafted_by_id is not None and request.drafted_by_id == actor.user_id,
        decision_kind=decision.kind,
    )


def move(
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
    db.add(VluTransition(**step_row(request.id, action, source, target, actor, job_id)))


def void_check(request: VluRequest) -> None:
    """Forget the second officer's check: the letter it approved has changed, or must."""
    request.checked_by_id = None
    request.checked_at = None
    request.check_accurate = request.check_empathetic = None
    request.check_reasons = request.check_rights = None


def return_for_redraft(db: Session, actor: Actor, request: VluRequest, action: Action) -> None:
    """Send an unsent letter back to "needs redrafting" (``action`` says why), its check
    voided: an identity it names was sealed, or the reasons it explains were changed."""
    target = states.check(action, State(request.state), actor)
    move(db, actor, request, action, target, None)
    void_check(request)


class EntryDetail(TypedDict, total=False):
    """What an audit entry of a step may say besides its category and action."""

    object_type: str | None
    object_id: uuid.UUID | None
    fields: tuple[str, ...] | list[str]
    recipient: str | None


def audit_entry(
    db: Session,
    actor: Actor,
    record: VluRequest | VluDecision,
    person: Person | None,
    *,
    category: str,
    action: str,
    object_type: str | None = None,
    object_id: uuid.UUID | None = None,
    fields: tuple[str, ...] | list[str] = (),
    recipient: str | None = None,
) -> None:
    """The audit entry of a step on a request (about its ``person``) or on a decision (about
    no one person); the object is the record itself unless ``object_type`` and ``object_id``
    say otherwise. ``recipient``: whom a disclosure went to (the letter sent)."""
    kind = "vlu_request" if isinstance(record, VluRequest) else "vlu_decision"
    where = (object_type or kind, object_id or record.id, record.case_id)
    audit.record_in_case(
        db, actor, category, action, where, *fields, person=person, recipient=recipient
    )


def check_version(request: VluRequest, expected_version: int | None) -> None:
    if expected_version is not None and request.version != expected_version:
        raise StaleEdit({"state": request.state}, request.version)


def recipient_for(vault: Vault, person: Person) -> Recipient:
    """The facts a send needs (portal.people.contact: only the safe-contact rules are opened)."""
    return contact_facts(vault, person)


def refuse_sealed(
    db: Session, vault: Vault, request: VluRequest, texts: dict[str, tuple[str, str | None]]
) -> None:
    errors = identity.case_text_errors(db, vault, request.case_id, texts)
    if errors:
        raise ValidationFailed(errors)


def audit_decision(
    db: Session,
    actor: Actor,
    decision: VluDecision,
    *,
    category: str,
    action: str,
    **detail: Unpack[EntryDetail],
) -> None:
    """``audit_entry`` for a step on a decision, which is about no one person."""
    audit_entry(db, actor, decision, None, category=category, action=action, **detail)


def row_of(unit: Unit, case_id: uuid.UUID, request_id: uuid.UUID) -> RequestRow:
    """A request with its decision, person and case, inside the actor's scope (404 otherwise)."""
    return repository.get_request(unit.db, unit.actor, case_id, request_id)


T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class RequestStep:
    """What every step on a request works with: the session, the vault, who acts, the request,
    its decision and the person it is for."""

    db: Session
    vault: Vault
    actor: Actor
    request: VluRequest
    decision: VluDecision
    person: Person

    def next_state(self, action: Action) -> State:
        return next_state(action, self.request, self.decision, self.actor)

    def move(self, action: Action, target: State, job_id: uuid.UUID | None = None) -> None:
        move(self.db, self.actor, self.request, action, target, job_id)

    def audit(self, *, category: str, action: str, **detail: Unpack[EntryDetail]) -> None:
        """``audit_entry`` for this step's request and person."""
        audit_entry(
            self.db,
            self.actor,
            self.request,
            self.person,
            category=category,
            action=action,
            **detail,
        )


def request_step(
    body: Callable[Concatenate[RequestStep, P], T],
) -> Callable[Concatenate[Session, Vault, Actor, VluRequest, VluDecision, Person, P], T]:
    """A step written against a ``RequestStep``, taken with its six parts
    ``(db, vault, actor, request, decision, person, ...)``, as ``by_ids``, bulk work and
    the tests take it."""

    @functools.wraps(body)
    def step(
        db: Session,
        vault: Vault,
        actor: Actor,
        request: VluRequest,
        decision: VluDecision,
        person: Person,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        return body(RequestStep(db, vault, actor, request, decision, person), *args, **kwargs)

    return step


def by_ids(
    step: Callable[Concatenate[Session, Vault, Actor, VluRequest, VluDecision, Person, P], T],
    *,
    refused: str | None = None,
) -> Callable[Concatenate[Unit, uuid.UUID, uuid.UUID, P], T]:
    """``step`` as a use case: taken on the request with the ids given, looked up inside the
    actor's scope (404 otherwise), with the same keywords. With ``refused``, its refusal (a
    guard of the state machine, a refused send) is an error against that field of the page's
    form, where the officer acts."""

    def taken(
        unit: Unit, case_id: uuid.UUID, request_id: uuid.UUID, /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        row = row_of(unit, case_id, request_id)
        parts = (unit.db, unit.vault, unit.actor, row.request, row.decision, row.person)
        try:
            return step(*parts, *args, **kwargs)
        except (GuardRefused, SendRefused) as exc:
            if refused is None:
                raise
            raise ValidationFailed({refused: exc.reason}) from None

    return taken


def next_state(action: Action, request: VluRequest, decision: VluDecision, actor: Actor) -> State:
    """Where ``action`` takes the request, or the state machine's refusal (who, from where, a
    guard)."""
    return states.check(action, State(request.state), actor, facts_for(request, decision, actor))


def check_notes(db: Session, vault: Vault, request: VluRequest, notes: str) -> None:
    """A checker's notes: not too long, and naming no one whose identity is sealed."""
    if len(notes) > MAX_NOTES:
        raise ValidationFailed({"notes": f"Notes must be {MAX_NOTES:,} characters or fewer"})
    refuse_sealed(db, vault, request, {"notes": ("The notes", notes)})
