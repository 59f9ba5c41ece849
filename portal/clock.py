"""The only source of "now" in the portal: timezone-aware UTC, shown in Europe/London."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_london(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; store UTC with tzinfo")
    return value.astimezone(LONDON)


def format_london(value: datetime) -> str:
    """Format like GOV.UK: '21 November 2026 at 3:05pm'."""
    local = to_london(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{suffix}"
