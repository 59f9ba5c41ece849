"""Enhanced rights under the Victims' Code, derived where the law makes them automatic.

Four categories (domain-rules.md 1.3): victims of the most serious crime, persistently targeted,
vulnerable and intimidated victims. Some follow automatically from the offence or the victim's
age; the others are recorded by an officer with a reason. Each result carries its explanation so
the page can show *why* a victim has enhanced rights. Exact 2020 Code wording of the lists is
UNCONFIRMED (domain-rules.md 11); the offence flags live in data (portal/data/offences.toml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from portal.cases.offences import OffenceType


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    label: str
    automatic: bool
    reason: str


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_child_on(born: date | None, on: date | None) -> bool | None:
    """Under 18 on ``on``; None when either date is unknown."""
    if born is None or on is None:
        return None
    return age_on(born, on) < 18


RECORDED = "Recorded by an officer."


def derive(
    *,
    offences: Iterable[tuple[OffenceType, date | None]],
    date_of_birth: date | None,
    is_victim: bool,
    persistently_targeted: bool,
    vulnerable: bool,
    intimidated: bool,
) -> list[Category]:
    """Every enhanced category that applies, automatic ones first."""
    offence_list = list(offences)
    if not is_victim:
        return []
    serious = [o for o, _ in offence_list if o.most_serious]
    offence_dates = [d for _, d in offence_list if d is not None]
    first_offence = min(offence_dates) if offence_dates else None
    automatic_intimidation = [o for o, _ in offence_list if o.sexual or o.msa in (1, 2)]
    persistent = [o for o, _ in offence_list if o.persistent]
    # (code, label, why it is automatic or None, whether an officer recorded it)
    rows: list[tuple[str, str, str | None, bool]] = [
        (
            "most_serious",
            "Victim of the most serious crime",
            f"The case includes {serious[0].title.lower()}." if serious else None,
            False,
        ),
        (
            "vulnerable",
            "Vulnerable victim",
            "Under 18 at the time of the offence."
            if is_child_on(date_of_birth, first_offence)
            else None,
            vulnerable,
        ),
        (
            "intimidated",
            "Intimidated victim",
            "Complainant of a sexual offence or a Modern Slavery Act 2015 s1 or s2 offence."
            if automatic_intimidation
            else None,
            intimidated,
        ),
        (
            "persistently_targeted",
            "Persistently targeted victim",
            f"The case includes {persistent[0].title.lower()}." if persistent else None,
            persistently_targeted,
        ),
    ]
    return [
        Category(code, label, True, why)
        if why is not None
        else Category(code, label, False, RECORDED)
        for code, label, why, recorded in rows
        if why is not None or recorded
    ]


class Party(Protocol):
    """What ``derive_for`` reads of a part in a case (``portal.cases.models.CaseParty``)."""

    is_victim: bool
    persistently_targeted: bool
    vulnerable: bool
    intimidated: bool


def derive_for(
    party: Party, offences: Iterable[tuple[OffenceType, date | None]], born: date | None
) -> list[Category]:
    """``derive`` for a person's part in a case, with the categories an officer recorded."""
    return derive(
        offences=offences,
        date_of_birth=born,
        is_victim=party.is_victim,
        persistently_targeted=party.persistently_targeted,
        vulnerable=party.vulnerable,
        intimidated=party.intimidated,
    )
