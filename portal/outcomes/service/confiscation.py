"""Confiscation and asset recovery per defendant (Proceeds of Crime Act 2002 Part 2).

One record per defendant, updated as the case moves: the restraint order (s41), the order's
three figures (the benefit, the available amount, the recoverable amount ordered, s6-s7), the
part the court directs to be paid out of the confiscated sum as compensation (s13(5)-(6): where
the defendant cannot pay both, compensation is paid from the confiscation order), what has been
recovered, and where enforcement stands. The sum directed to compensation is apportioned across
the victims like a compensation order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.kit.errors import StaleEdit, ValidationFailed
from portal.outcomes import repository
from portal.outcomes.models import ConfiscationOrder, Enforcement
from portal.outcomes.money import MAX_PENCE
from portal.outcomes.service.common import Against, record_court_order, require
from portal.outcomes.service.compensation import apportion_sum
from portal.outcomes.service.losses import proven_losses


@dataclass(frozen=True, slots=True)
class Confiscation:
    restraint_on: date | None
    ordered_on: date | None
    benefit: int
    available: int
    order: int
    compensation: int
    recovered: int
    enforcement: Enforcement
    version: int | None = None  # the version the officer edited (None: a new record)


def _errors(c: Confiscation) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("benefit", "available", "order", "compensation", "recovered"):
        if not 0 <= getattr(c, name) <= MAX_PENCE:
            errors[name] = "Enter an amount of £0 or more"
    if c.order and c.ordered_on is None:
        errors["ordered_on"] = "Enter the date the confiscation order was made"
    if c.benefit and c.order > c.benefit:
        errors["order"] = "The amount ordered cannot be more than the benefit figure"
    if c.compensation > c.order:
        errors["compensation"] = "The amount directed to compensation cannot exceed the order"
    if c.recovered > c.order:
        errors["recovered"] = "The amount recovered cannot exceed the order"
    return errors


def record(unit: Unit, at: Against, command: Confiscation) -> ConfiscationOrder:
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, defendant = at
    require(actor, Permission.RECORD_COURT_ORDERS, "a confiscation order")
    errors = _errors(command)
    if errors:
        raise ValidationFailed(errors)
    existing = repository.confiscation_of(db, defendant)
    if existing is not None and command.version != existing.version:
        raise StaleEdit(
            {"enforcement": existing.enforcement, "order": str(existing.order_pence)},
            existing.version,
        )
    row = existing or ConfiscationOrder(case_id=case.id, defendant_id=defendant.id)
    before = 0 if existing is None else existing.compensation_pence
    row.restraint_on = command.restraint_on
    row.ordered_on = command.ordered_on
    row.benefit_pence = command.benefit
    row.available_pence = command.available
    row.order_pence = command.order
    row.compensation_pence = command.compensation
    row.recovered_pence = command.recovered
    row.enforcement = command.enforcement.value
    record_court_order(
        db, actor, row, fields=["amounts", f"enforcement={row.enforcement}"], new=existing is None
    )
    changed = row.compensation_pence and row.compensation_pence != before
    proven = proven_losses(db, vault, case) if changed else {}
    if proven:
        total = row.compensation_pence
        apportion_sum(db, vault, actor, case, "confiscation", row.id, total, proven)
    return row
