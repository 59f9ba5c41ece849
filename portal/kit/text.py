"""The checks every form's free text gets: given at all, and not too long (the messages the
GOV.UK pattern uses: "The note must be 1,000 characters or fewer")."""

from __future__ import annotations


def check_text(
    errors: dict[str, str], name: str, value: str | None, label: str, limit: int
) -> None:
    """``errors[name]`` when ``value`` is longer than ``limit`` (``label`` names it)."""
    if value and len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"


def required_text(
    errors: dict[str, str], name: str, value: str, missing: str, label: str, limit: int
) -> None:
    """``missing`` when ``value`` is blank, else ``check_text``."""
    if not value.strip():
        errors[name] = missing
    else:
        check_text(errors, name, value, label, limit)
