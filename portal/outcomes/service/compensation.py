"""Compensation orders per defendant, payments as they arrive, and apportionment of a sum
across the case's victims pro rata to proven loss (portal.outcomes.apportion)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.cases.models import Case, CaseParty
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.kit.errors import GuardRefused, ValidationFailed
from portal.outcomes import repository
from portal.outcomes.apportion import ApportionmentError, apportion
from portal.outcomes.models import (
    Apportionment,
    ApportionmentShare,
    CompensationOrder,
    CompensationPayment,
    OrderStatus,
)
from portal.outcomes.money import MAX_PENCE
from portal.outcomes.service.common import (
    Against,
    check_order,
    open_pence,
    order_keys,
    record_court_order,
    require,
    seal_pence,
    stored,
)
from portal.outcomes.service.losses import proven_losses


@dataclass(frozen=True, slots=True)
class NewCompensation:
    status: OrderStatus
    sought: int
    amount: int | None  # the order, when made
    decided_on: date | None
    reason: str


def record_order(unit: Unit, at: Against, command: NewCompensation) -> CompensationOrder:
    """Record a compensation order sought, made or refused. A made order is apportioned across
    the victims with proven losses at once."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, defendant = at
    require(actor, Permission.RECORD_COURT_ORDERS, "a compensation order")
    errors: dict[str, str] = {}
    if not 0 < command.sought <= MAX_PENCE:
        errors["sought"] = "Enter the amount sought, more than £0"
    if command.status is OrderStatus.MADE and not (command.amount and command.amount > 0):
        errors["amount"] = "Enter the amount ordered, more than £0"
    if command.status is not OrderStatus.SOUGHT and command.decided_on is None:
        errors["decided_on"] = "Enter the date the court decided"
    if command.status is OrderStatus.REFUSED and not command.reason:
        errors["reason"] = "Enter the court's reason for refusing"
    check_order(db, vault, case, errors, ("reason", "The reason", command.reason))
    order = CompensationOrder(
        **order_keys(case, defendant),
        status=command.status.value,
        sought_pence=command.sought,
        amount_pence=command.amount if command.status is OrderStatus.MADE else 0,
        decided_on=command.decided_on,
    )
    vault.put(order, "reason", command.reason or None)
    record_court_order(
        db,
        actor,
        order,
        fields=[f"status={order.status}", "amount", *(["reason"] if command.reason else [])],
    )
    proven = proven_losses(db, vault, case) if command.status is OrderStatus.MADE else {}
    if proven:
        apportion_sum(db, vault, actor, case, "compensation", order.id, order.amount_pence, proven)
    return order


def record_payment(
    db: Session,
    actor: Actor,
    case: Case,
    order: CompensationOrder,
    *,
    amount: int,
    received_on: date,
) -> CompensationPayment:
    require(actor, Permission.RECORD_COURT_ORDERS, "a payment")
    if order.status != OrderStatus.MADE:
        raise GuardRefused("record_payment", "Payments are recorded against a made order only")
    paid = repository.paid_by_order(db, [order.id]).get(order.id, 0)
    if not 0 < amount <= order.amount_pence - paid:
        raise ValidationFailed(
            {"payment": "Enter a payment of more than £0 and no more than is still owed"}
        )
    payment = CompensationPayment(
        order_id=order.id,
        received_on=received_on,
        amount_pence=amount,
        recorded_by_id=actor.user_id,
        recorded_at=utc_now(),
    )
    where = ("compensation_order", order.id, case.id)
    stored(db, actor, [payment], "outcomes.compensation.payment", where, "amount", "received_on")
    return payment


def apportion_sum(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    source: str,
    source_id: uuid.UUID,
    total: int,
    proven: dict[uuid.UUID, int] | None = None,
) -> Apportionment:
    """Split ``total`` across the victims with proven losses; each share sealed with the
    victim's key. Ties go to the lower person reference (docs/outcomes.md)."""
    require(actor, Permission.RECORD_COURT_ORDERS, "an apportionment")
    losses = proven_losses(db, vault, case) if proven is None else proven
    parties = {party.id: (party, person) for party, person in repository.victims_of(db, case)}
    keyed = {parties[pid][1].reference: loss for pid, loss in losses.items() if pid in parties}
    by_reference = {person.reference: party for party, person in parties.values()}
    try:
        parts = apportion(total, keyed)
    except ApportionmentError as refused:
        raise ValidationFailed({"amount": str(refused)}) from None
    made = Apportionment(
        case_id=case.id,
        source=source,
        source_id=source_id,
        total_pence=total,
        victims=len(parts),
        made_by_id=actor.user_id,
        made_at=utc_now(),
    )
    db.add(made)
    db.flush()
    vault.load({by_reference[ref].key_id for ref in parts})
    shares = []
    for reference, pence in parts.items():
        party: CaseParty = by_reference[reference]
        share = ApportionmentShare(
            apportionment_id=made.id, case_party_id=party.id, key_id=party.key_id
        )
        seal_pence(vault, share, "amount", pence)
        shares.append(share)
    where = (source, source_id, case.id)
    stored(db, actor, shares, "outcomes.apportion", where, f"victims={len(parts)}")
    return made


def shares_for(
    db: Session, vault: Vault, case: Case, party_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, int | None]]:
    """party -> apportionment -> share in pence (None when withheld from this viewer), for the
    apportionments in force."""
    current = [a.id for a in repository.apportionments_of(db, case)]
    shares = repository.shares_of(db, current, party_ids)
    vault.load({s.key_id for s in shares})
    found: dict[uuid.UUID, dict[uuid.UUID, int | None]] = {}
    for share in shares:
        found.setdefault(share.case_party_id, {})[share.apportionment_id] = open_pence(
            vault, share, "amount"
        )
    return found
