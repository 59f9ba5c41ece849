"""Money as whole pence: parsing what an officer types and showing it back.

Amounts are stored as integers (pence); nothing here uses floating point.
"""

from __future__ import annotations

import re

MAX_PENCE = 100_000_000_000_00  # £100 billion: far above any order, below 64-bit limits
_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?$")


def parse_pounds(text: str) -> int | None:
    """'£1,234.56' -> 123456; '12' -> 1200. None if it is not an amount (ASCII digits only,
    commas only between groups of three, pence as exactly two digits)."""
    value = text.strip().removeprefix("£").strip()
    match = _AMOUNT.fullmatch(value)
    if match is None or not value.isascii():
        return None
    pounds = int(match.group(1).replace(",", ""))
    pence = int(match.group(2) or "0")
    amount = pounds * 100 + pence
    return amount if amount <= MAX_PENCE else None


def pounds(pence: int | None) -> str:
    """123456 -> '£1,234.56' (negative amounts with a leading minus)."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def pounds_plain(pence: int) -> str:
    """123456 -> '1234.56' (for CSV cells and form values)."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"
