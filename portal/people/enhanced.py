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
    found: list[Category] = []
    offence_list = list(offences)
    if not is_victim:
        return found
    serious = [o for o, _ in offence_list if o.most_serious]
    if serious:
        found.append(
            Category(
                "most_serious",
                "Victim of the most serious crime",
                True,
                f"The case includes {serious[0].title.lower()}.",
            )
        )
    offence_dates = [d for _, d in offence_list if d is not None]
    first_offence = min(offence_dates) if offence_dates else None
    if is_child_on(date_of_birth, first_offence):
        found.append(
            Category(
                "vulnerable",
                "Vulnerable victim",
                True,
                "Under 18 at the time of the offence.",
            )
        )
    elif vulnerable:
        found.append(Category("vulnerable", "Vulnerable victim", False, "Recorded by an officer."))
    automatic_intimidation = [o for o, _ in offence_list if o.sexual or o.msa in (1, 2)]
    if automatic_intimidation:
        found.append(
            Category(
                "intimidated",
                "Intimidated victim",
                True,
                "Complainant of a sexual offence or a Modern Slavery Act 2015 s1 or s2 offence.",
            )
        )
    elif intimidated:
        found.append(
            Category("intimidated", "Intimidated victim", False, "Recorded by an officer.")
        )
    persistent = [o for o, _ in offence_list if o.persistent]
    if persistent:
        found.append(
            Category(
                "persistently_targeted",
                "Persistently targeted victim",
                True,
                f"The case includes {persistent[0].title.lower()}.",
            )
        )
    elif persistently_targeted:
        found.append(
            Category(
                "persistently_targeted",
                "Persistently targeted victim",
                False,
                "Recorded by an officer.",
            )
        )
    return found
