"""The VLU directory (each unit's name and contact details), the letterhead, the protective
markings of a letter's copies and the meeting-offer rule, from portal/data/vlu.toml (data, not
code)."""

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
    phone: str = ""
    email: str = ""
    address: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MeetingRule:
    """Which decisions in which cases need a meeting offer. ``status`` says how sure we are."""

    status: str
    source: str
    decisions: frozenset[str]
    categories: frozenset[str]
    offence_flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Markings:
    """The protective marking of each copy of a letter ("" for none)."""

    file_copy: str
    victim_copy: str


@dataclass(frozen=True, slots=True)
class Directory:
    units: dict[str, Unit]
    meeting: MeetingRule
    letterhead: str = "Crown Prosecution Service"
    markings: Markings = Markings(file_copy="OFFICIAL-SENSITIVE", victim_copy="")
    # How many of a bulk decision's template letters the second officer reads at random, on top
    # of every letter that differs from the template ([bulk_check] sample_size).
    bulk_check_sample: int = 20

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
    units = {area: _unit(area, row) for area, row in raw_units.items()}
    meeting = MeetingRule(
        status=str(raw_meeting.get("status", "UNCONFIRMED")),
        source=str(raw_meeting.get("source", "")),
        decisions=frozenset(raw_meeting.get("decisions", ())),
        categories=frozenset(raw_meeting.get("categories", ())),
        offence_flags=frozenset(raw_meeting.get("offence_flags", ())),
    )
    letterhead = data.get("letterhead", {})
    marking = data.get("marking", {})
    if not isinstance(letterhead, dict) or not isinstance(marking, dict):
        raise ValueError("vlu.toml: [letterhead] and [marking] must be tables")
    check = data.get("bulk_check", {})
    sample = check.get("sample_size", 20) if isinstance(check, dict) else None
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
        raise ValueError("vlu.toml: [bulk_check] sample_size must be a whole number above 0")
    return Directory(
        units=units,
        bulk_check_sample=sample,
        meeting=meeting,
        letterhead=str(letterhead.get("text", "Crown Prosecution Service")),
        markings=Markings(
            file_copy=str(marking.get("file_copy", "OFFICIAL-SENSITIVE")),
            victim_copy=str(marking.get("victim_copy", "")),
        ),
    )


def _unit(area: str, row: object) -> Unit:
    """One unit: its name, and the contact details every letter prints (all required)."""
    if not isinstance(row, dict) or not isinstance(row.get("name"), str):
        raise ValueError(f"unit {area!r} needs a name")
    phone, email, address = row.get("phone"), row.get("email"), row.get("address")
    if not isinstance(phone, str) or not isinstance(email, str) or "@" not in email:
        raise ValueError(f"unit {area!r} needs a phone number and an email address")
    if (
        not isinstance(address, list)
        or not address
        or not all(isinstance(line, str) and line.strip() for line in address)
    ):
        raise ValueError(f"unit {area!r} needs a postal address (a list of lines)")
    return Unit(
        area=area,
        name=row["name"],
        second_check_all=bool(row.get("second_check_all", True)),
        phone=phone,
        email=email,
        address=tuple(address),
    )


@cache
def directory() -> Directory:
    return parse(tomllib.loads(DATA_FILE.read_text()))
