"""The VLU directory and the meeting-offer rule, from portal/data/vlu.toml (data, not code)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "vlu.toml"


@dataclass(frozen=True, slots=True)
class Unit:
    area: str
    name: str
    second_check_all: bool


@dataclass(frozen=True, slots=True)
class MeetingRule:
    """Which decisions in which cases need a meeting offer. ``status`` says how sure we are."""

    status: str
    source: str
    decisions: frozenset[str]
    categories: frozenset[str]
    offence_flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Directory:
    units: dict[str, Unit]
    meeting: MeetingRule

    def unit_for(self, area: str) -> Unit:
        """Communications are routed by the case's Area."""
        unit = self.units.get(area)
        if unit is None:
            raise LookupError(f"no Victim Liaison Unit for Area {area!r} in {DATA_FILE.name}")
        return unit


def parse(data: dict[str, object]) -> Directory:
    raw_units = data.get("unit")
    raw_meeting = data.get("meeting_offer")
    if not isinstance(raw_units, dict) or not isinstance(raw_meeting, dict):
        raise ValueError("vlu.toml needs [unit.<area>] tables and a [meeting_offer] table")
    units = {}
    for area, row in raw_units.items():
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise ValueError(f"unit {area!r} needs a name")
        units[area] = Unit(
            area=area, name=row["name"], second_check_all=bool(row.get("second_check_all", True))
        )
    meeting = MeetingRule(
        status=str(raw_meeting.get("status", "UNCONFIRMED")),
        source=str(raw_meeting.get("source", "")),
        decisions=frozenset(raw_meeting.get("decisions", ())),
        categories=frozenset(raw_meeting.get("categories", ())),
        offence_flags=frozenset(raw_meeting.get("offence_flags", ())),
    )
    return Directory(units=units, meeting=meeting)


@cache
def directory() -> Directory:
    return parse(tomllib.loads(DATA_FILE.read_text()))
