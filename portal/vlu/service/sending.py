"""Sending a letter: the channels the safe-contact rules and anonymity restrictions allow."""

from __future__ import annotations

import uuid
from datetime import date
from types import EllipsisType

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.anonymity import identity
from portal.anonymity.identity import IdentityMatcher
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.victims_code import lifecycle
from portal.victims_code.models import Obligation
from portal.vlu import unsent_repository
from portal.vlu.contact import SEND_CHANNELS, Recipient, send_refusal
from portal.vlu.models import VluLetter, VluRequest
from portal.vlu.service.common import (
    RequestStep,
    SendRefused,
    by_ids,
    check_version,
    london_today,
    recipient_for,
    request_step,
)
from portal.vlu.states import Action


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
    step: RequestStep,
    channel: str,
    *,
    sealed: list[IdentityMatcher] | None = None,
    letter: VluLetter | None | EllipsisType = ...,
    recipient: Recipient | None = None,
) -> str | None:
    """Why sending the step's letter by ``channel`` would be refused (None: allowed)."""
    db, vault, request, person = step.db, step.vault, step.request, step.person
    carries = letter_names_sealed(db, vault, request, person, sealed=sealed, letter=letter)
    recipient = recipient or recipient_for(vault, person)
    refusal = send_refusal(recipient, channel, letter_carries_identity=carries)
    return refusal or _postal_refusal(db, request, person, channel, letter)


@request_step
def send(
    step: RequestStep,
    *,
    channel: str,
    expected_version: int | None,
    today: date | None = None,
    job_id: uuid.UUID | None = None,
    sealed: list[IdentityMatcher] | None = None,
    letter: VluLetter | None | EllipsisType = ...,
    recipient: Recipient | None = None,
) -> None:
    """Send the letter by ``channel`` (refused with the reason if a safe-contact rule or an
    anonymity restriction forbids it), and mark the Victims' Code obligation met today.
    ``sealed`` and ``letter`` as for ``letter_names_sealed``; ``recipient``: the person's
    contact facts when the caller has them already (bulk)."""
    db, vault, actor, request = step.db, step.vault, step.actor, step.request
    target = step.next_state(Action.SEND)
    recipient = recipient or recipient_for(vault, step.person)
    reason = refusal_for(step, channel, sealed=sealed, letter=letter, recipient=recipient)
    if reason is not None:
        raise SendRefused(reason)
    check_version(request, expected_version)
    day = today or london_today()
    request.sent_by_id = actor.user_id
    request.sent_at = utc_now()
    request.sent_on = day
    request.channel = channel
    step.move(Action.SEND, target, job_id)
    if job_id is None:  # a bulk send marks its batch at once (service.bulk.record_unsent)
        unsent_repository.resolve(db, request.id, request.sent_at)
        db.flush()  # a bulk job flushes its batch once (service.bulk.bulk_batch)
    spec = SEND_CHANNELS[channel]
    step.audit(
        category="disclosure",
        action="vlu.letter.send",
        object_type="vlu_letter",
        fields=("body",),
        recipient="representative" if channel == "via_representative" else "victim",
    )
    # A bulk send has loaded its batch's obligations (no query here) and flushes once.
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
            facts=recipient,
            flush=job_id is None,
        )


# ``send`` for the request with these ids. A refusal (a guard, a safe-contact rule, an
# anonymity restriction) is an error against the channel.
send_letter = by_ids(send, refused="channel")
