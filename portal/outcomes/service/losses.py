"""A victim's losses: recorded, sealed, and read back per victim for the case team."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.anonymity.identity import case_text_errors
from portal.cases.models import Case, CaseParty
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.kit.errors import ValidationFailed
from portal.outcomes import repository
from portal.outcomes.models import LossKind, VictimLoss
from portal.outcomes.money import MAX_PENCE
from portal.outcomes.service.common import open_pence, require, seal_pence, stored
from portal.people.models import Person


@dataclass(frozen=True, slots=True)
class LossLine:
    """One loss as this viewer may see it: ``amount`` and ``kind`` are None when withheld."""

    id: uuid.UUID
    kind: LossKind | None
    amount: int | None
    description: str | None
    proven: bool


@dataclass(frozen=True, slots=True)
class NewLoss:
    party: CaseParty
    person: Person
    kind: LossKind
    amount: int
    proven: bool


def _sealed_loss(
    vault: Vault, actor: Actor, case: Case, item: NewLoss, now: datetime
) -> VictimLoss:
    """The loss's row with its kind and amount sealed under the victim's key (not added yet)."""
    loss = VictimLoss(
        case_id=case.id,
        case_party_id=item.party.id,
        key_id=item.party.key_id,
        proven=item.proven,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    vault.put(loss, "kind", item.kind.value)
    seal_pence(vault, loss, "amount", item.amount)
    return loss


def record_loss(
    db: Session, vault: Vault, actor: Actor, case: Case, item: NewLoss, *, description: str
) -> VictimLoss:
    require(actor, Permission.RECORD_LOSSES, "a loss")
    errors: dict[str, str] = {}
    if not item.party.is_victim:
        errors["amount"] = "Losses are recorded for victims only"
    if not 0 < item.amount <= MAX_PENCE:
        errors["amount"] = "Enter a loss of more than £0"
    errors |= case_text_errors(
        db, vault, case.id, {"description": ("The description", description)}, also=item.person
    )
    if errors:
        raise ValidationFailed(errors)
    loss = _sealed_loss(vault, actor, case, item, utc_now())
    vault.put(loss, "description", description or None)
    fields = ["kind", "amount", "proven", *(["description"] if description else [])]
    where = ("victim_loss", loss.id, case.id)
    stored(db, actor, [loss], "outcomes.loss.record", where, *fields, person=item.person)
    return loss


def record_losses(db: Session, vault: Vault, actor: Actor, case: Case, items: list[NewLoss]) -> int:
    """Record many losses at once, all or nothing (an import, the demo): each checked as one
    typed in would be, then written with one flush and one audit record of the count. Row
    numbers in errors count from 1."""
    require(actor, Permission.RECORD_LOSSES, "losses")
    errors: dict[str, str] = {}
    for number, item in enumerate(items, start=1):
        if item.party.case_id != case.id or not item.party.is_victim:
            errors[f"row-{number}"] = f"Row {number}: not a victim in this case"
        elif not 0 < item.amount <= MAX_PENCE:
            errors[f"row-{number}"] = f"Row {number}: enter a loss of more than £0"
    if errors:
        raise ValidationFailed(errors)
    vault.load({item.party.key_id for item in items})
    now = utc_now()
    rows = [_sealed_loss(vault, actor, case, item, now) for item in items]
    stored(
        db, actor, rows, "outcomes.loss.import", ("case", case.id, case.id), f"count={len(rows)}"
    )
    return len(rows)


def line_of(vault: Vault, loss: VictimLoss) -> LossLine:
    kind = vault.open_text(loss, "kind")
    return LossLine(
        id=loss.id,
        kind=LossKind(kind) if kind else None,
        amount=open_pence(vault, loss, "amount"),
        description=vault.open_text(loss, "description"),
        proven=loss.proven,
    )


def losses_of(
    db: Session, vault: Vault, case: Case, party_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[LossLine]]:
    """The losses of these victims (one page of them), opened as the viewer may see them."""
    found = repository.losses_of_parties(db, case, party_ids)
    vault.load({loss.key_id for losses in found.values() for loss in losses})
    return {party: [line_of(vault, loss) for loss in losses] for party, losses in found.items()}


def proven_losses(db: Session, vault: Vault, case: Case) -> dict[uuid.UUID, int]:
    """Each victim's total proven loss, in pence (for apportionment). Needs the values."""
    losses = repository.losses_of_case(db, case, proven_only=True)
    vault.load({loss.key_id for loss in losses})
    totals: dict[uuid.UUID, int] = {}
    for loss in losses:
        amount = open_pence(vault, loss, "amount")
        if amount is None:
            raise ValidationFailed({"amount": "The losses cannot be read to apportion the sum"})
        totals[loss.case_party_id] = totals.get(loss.case_party_id, 0) + amount
    return totals
