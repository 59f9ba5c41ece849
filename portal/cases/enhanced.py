"""Enhanced rights under the Victims' Code, derived where the law makes them automatic.

Four categories (domain-rules.md 1.3): victims of the most serious crime, persistently targeted,
vulnerable and intimidated victims. Some follow automatically from the offence or the victim's
age; the others are recorded by an officer with a reason. Each result carries its explanation so
the page can show *why* a victim has enhanced rights. Exact 2020 Code wording of the lists is
UNCONFIRMED (domain-rules.md 11); the offence flags live in data (portal/data/offences.toml).

``for_party`` is THE computation: the person page and the case list both call it (the list
through ``portal.cases.enhanced_status``, in batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from portal.cases.models import Offence
from portal.cases.offences import OffenceType, offence_type


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
LABELS = {
    "most_serious": "Victim of the most serious crime",
    "vulnerable": "Vulnerable victim",
    "intimidated": "Intimidated victim",
    "persistently_targeted": "Persistently targeted victim",
}
RECORDABLE = ("most_serious", "persistently_targeted", "vulnerable", "intimidated")


def _serious_reason(serious: list[OffenceType]) -> str | None:
    if not serious:
        return None
    bereaved = [o for o in serious if o.bereaved]
    if bereaved:
        return (
            f"A close relative bereaved by the offence: the case includes "
            f"{bereaved[0].title.lower()}."
        )
    return f"The case includes {serious[0].title.lower()}."


def derive(
    *,
    offences: Iterable[tuple[OffenceType, date | None]],
    date_of_birth: date | None,
    is_victim: bool,
    persistently_targeted: bool,
    vulnerable: bool,
    intimidated: bool,
    most_serious: bool = False,
) -> list[Category]:
    """Every enhanced category that applies, automatic ones first."""
    offence_list = list(offences)
    if not is_victim:
        return []
    serious = [o for o, _ in offence_list if o.most_serious]
    automatic_intimidation = [o for o, _ in offence_list if o.sexual or o.msa in (1, 2)]
    persistent = [o for o, _ in offence_list if o.persistent]
    # (code, why it is automatic or None, whether an officer recorded it)
    rows: list[tuple[str, str | None, bool]] = [
        ("most_serious", _serious_reason(serious), most_serious),
        (
            "vulnerable",
            "Under 18 at the time of the offence."
            if is_child_on(date_of_birth, first_offence_on(offence_list))
            else None,
            vulnerable,
        ),
        (
            "intimidated",
            "Complainant of a sexual offence or a Modern Slavery Act 2015 s1 or s2 offence."
            if automatic_intimidation
            else None,
            intimidated,
        ),
        (
            "persistently_targeted",
            f"The case includes {persistent[0].title.lower()}." if persistent else None,
            persistently_targeted,
        ),
    ]
    return [
        Category(code, LABELS[code], True, why)
        if why is not None
        else Category(code, LABELS[code], False, RECORDED)
        for code, why, recorded in rows
        if why is not None or recorded
    ]


def first_offence_on(offences: Sequence[tuple[OffenceType, date | None]]) -> date | None:
    dates = [d for _, d in offences if d is not None]
    return min(dates) if dates else None


class Party(Protocol):
    """What ``derive_for`` reads of a part in a case (``portal.cases.models.CaseParty``)."""

    is_victim: bool
    most_serious: bool
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
        most_serious=party.most_serious,
        persistently_targeted=party.persistently_targeted,
        vulnerable=party.vulnerable,
        intimidated=party.intimidated,
    )


def typed(offences: Iterable[Offence]) -> list[tuple[OffenceType, date | None]]:
    """A case's offences as the catalogue knows them, with the dates they were committed."""
    return [(t, o.committed_on) for o in offences if (t := offence_type(o.code)) is not None]


def for_party(party: Party, offences: Sequence[Offence], born: date | None) -> list[Category]:
    """THE enhanced status of a person's part in a case: the person page and the case list."""
    return derive_for(party, typed(offences), born)


def needs_birth_date(party: Party, offences: Sequence[Offence]) -> bool:
    """Whether the date of birth could change ``for_party``'s answer being empty or not (the
    case list opens it only then): a victim with no other category and a dated offence."""
    if not party.is_victim:
        return False
    if for_party(party, offences, None):
        return False
    return first_offence_on(typed(offences)) is not None
