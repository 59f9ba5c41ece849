"""Apportion a sum across victims pro rata to proven loss, exact to the penny.

The rule (docs/outcomes.md, "Apportionment"), the largest-remainder (Hamilton) method in whole
pence:

1. Each victim's exact share is ``total * loss / sum(losses)``, a rational number of pence.
2. Everyone first gets the whole-penny part of their exact share (rounded down).
3. The pence left over (fewer than the number of victims) go one each to the victims with the
   largest fractional remainders.
4. Ties between equal remainders are broken by the victims' keys in ascending order (the
   caller passes a stable key: the person's reference), so the same inputs always give the
   same parts.

So the parts add up to the total exactly, and each part is within 1p of the exact share (it is
the exact share rounded down or up). A victim with no proven loss gets nothing. Integers
throughout: no floating point touches money.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

K = TypeVar("K", bound=str)


class ApportionmentError(ValueError):
    """The sum cannot be apportioned (negative amounts, or no proven loss to share it by)."""


def apportion(total: int, losses: Mapping[K, int]) -> dict[K, int]:
    """Split ``total`` pence across ``losses`` (key -> proven loss in pence) as above."""
    if total < 0:
        raise ApportionmentError("The sum to apportion cannot be negative")
    if any(loss < 0 for loss in losses.values()):
        raise ApportionmentError("A loss cannot be negative")
    whole = sum(losses.values())
    if whole == 0:
        if total == 0:
            return dict.fromkeys(losses, 0)
        raise ApportionmentError("There is no proven loss to apportion the sum by")
    parts: dict[K, int] = {}
    remainders: list[tuple[int, K]] = []
    for key, loss in losses.items():
        floor, remainder = divmod(total * loss, whole)
        parts[key] = floor
        remainders.append((remainder, key))
    left = total - sum(parts.values())
    # Largest remainder first; equal remainders in ascending key order.
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:left]:
        parts[key] += 1
    return parts
