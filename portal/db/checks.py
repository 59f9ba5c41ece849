"""Check constraints every model writes the same way."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CheckConstraint


def one_of(
    column: str, values: Iterable[str], *, name: str, nullable: bool = False
) -> CheckConstraint:
    """``column`` holds one of the stored ``values`` (an enum's, a tuple's), or, if ``nullable``,
    nothing: ``state IN ('draft', 'sent')``, ``outcome IS NULL OR outcome IN (...)``."""
    known = f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"
    return CheckConstraint(f"{column} IS NULL OR {known}" if nullable else known, name=name)
