"""Shared form helpers: collect field errors in the order the fields appear on the page."""

from __future__ import annotations

from collections.abc import Iterator


class FieldErrors:
    """Errors by field id, kept in insertion order for the GOV.UK error summary."""

    def __init__(self) -> None:
        self._errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, message)

    def get(self, field: str) -> str | None:
        return self._errors.get(field)

    def items(self) -> Iterator[tuple[str, str]]:
        return iter(self._errors.items())

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)
