"""Hearing types (portal/data/hearings.toml), loaded once, and a hearing's time in England.

A hearing's date and time are typed as the court lists them, in England's time; they are
stored as an aware UTC instant and shown in Europe/London again.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path

from portal.clock import LONDON

HEARING_TYPES = Path(__file__).resolve().parent.parent / "data" / "hearings.toml"


@dataclass(frozen=True, slots=True)
class HearingType:
    code: str
    label: str
    for_kinds: tuple[str, ...] = ()


@cache
def hearing_types() -> dict[str, HearingType]:
    data = tomllib.loads(HEARING_TYPES.read_text(encoding="utf-8"))
    return {
        row["code"]: HearingType(row["code"], row["label"], tuple(row.get("for_kinds", ())))
        for row in data["hearing_type"]
    }


def hearing_type_choices() -> list[tuple[str, str]]:
    return [(t.code, t.label) for t in hearing_types().values()]


def default_type_for(kind: str) -> str:
    """The hearing type an event kind usually sets ("" if none)."""
    return next((t.code for t in hearing_types().values() if kind in t.for_kinds), "")


def hearing_instant(on: date, at: time) -> datetime:
    """``on`` at ``at`` in England as an aware UTC datetime (the earlier of a repeated hour)."""
    return datetime.combine(on, at, tzinfo=LONDON).astimezone(UTC)
