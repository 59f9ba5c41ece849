"""Ancillary orders per defendant: sought, made or refused, with dates and terms.

Which kinds exist, and which protect a victim, is rules data (portal/data/outcomes.toml). When
an order that protects a victim is made, the Victims' Code engine creates the witness care
unit's duty to tell them (trigger ``protective_order_made``, entitlement R9-WCU-PROTECTIVE-ORDER
in the rules file): the victim it names, or every victim of the case when it names none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.outcomes import repository
from portal.outcomes.models import AncillaryOrder, OrderStatus
from portal.outcomes.rules import outcomes_rules
from portal.outcomes.service.common import (
    Against,
    check_order,
    order_keys,
    record_court_order,
    require,
)
from portal.victims_code import service as obligations

TRIGGER = "protective_order_made"


@dataclass(frozen=True, slots=True)
class NewAncillary:
    kind: str
    status: OrderStatus
    sought_on: date
    decided_on: date | None
    ends_on: date | None
    protects: str  # the protected victim's person reference, or ""
    terms: str
    received_on: date | None = None  # when the unit learned of the order


def record_order(unit: Unit, at: Against, command: NewAncillary) -> tuple[AncillaryOrder, int]:
    """The order, and how many Victims' Code obligations it created."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, defendant = at
    require(actor, Permission.RECORD_COURT_ORDERS, "an ancillary order")
    kind = outcomes_rules().ancillary_kind(command.kind)
    errors: dict[str, str] = {}
    if kind is None:
        errors["kind"] = "Select the order"
    if command.status is not OrderStatus.SOUGHT and command.decided_on is None:
        errors["decided_on"] = "Enter the date the court decided"
    if command.decided_on and command.decided_on < command.sought_on:
        errors["decided_on"] = "The decision cannot be before the order was sought"
    if command.ends_on and command.decided_on and command.ends_on < command.decided_on:
        errors["ends_on"] = "The order cannot end before it was made"
    party = None
    if command.protects:
        party = repository.victim_by_reference(db, case, command.protects)
        if party is None:
            errors["protects"] = "Enter the reference of a victim in this case"
    check_order(db, vault, case, errors, ("terms", "The terms", command.terms))
    order = AncillaryOrder(
        **order_keys(case, defendant),
        kind=command.kind,
        status=command.status.value,
        sought_on=command.sought_on,
        decided_on=command.decided_on,
        ends_on=command.ends_on,
        protects_party_id=party.id if party else None,
    )
    vault.put(order, "terms", command.terms or None)
    record_court_order(db, actor, order, fields=[f"kind={order.kind}", f"status={order.status}"])
    created = 0
    if kind and kind.protects_victim and command.status is OrderStatus.MADE:
        assert command.decided_on is not None  # checked above
        parties = [party] if party else [p for p, _ in repository.victims_of(db, case)]
        for victim in parties:
            created += len(
                obligations.create_for_trigger(
                    db,
                    vault,
                    actor,
                    case,
                    victim,
                    trigger=TRIGGER,
                    trigger_on=command.decided_on,
                    received_on=command.received_on,
                )
            )
    return order, created
