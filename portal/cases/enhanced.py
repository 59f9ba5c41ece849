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


@dataclass(frozen=True, slots=True)
class OffenceFacts:
    """What a case's offences say about enhanced rights, worked out once for all its people:
    why the offence-based categories apply (None where they do not) and the first offence date
    (a child then is a vulnerable victim)."""

    most_serious: str | None = None
    intimidated: str | None = None
    persistently_targeted: str | None = None
    first_offence_on: date | None = None

    @classmethod
    def of(cls, offences: Iterable[tuple[OffenceType, date | None]]) -> OffenceFacts:
        offence_list = list(offences)
        intimidation = [o for o, _ in offence_list if o.sexual or o.msa in (1, 2)]
        persistent = [o for o, _ in offence_list if o.persistent]
        return cls(
            most_serious=_serious_reason([o for o, _ in offence_list if o.most_serious]),
            intimidated=(
                "Complainant of a sexual offence or a Modern Slavery Act 2015 s1 or s2 offence."
                if intimidation
                else None
            ),
            persistently_targeted=(
                f"The case includes {persistent[0].title.lower()}." if persistent else None
            ),
            first_offence_on=first_offence_on(offence_list),
        )

    def child_at_offence(self, born: date | None) -> bool | None:
        return is_child_on(born, self.first_offence_on)

    def categories(
        self,
        *,
        is_victim: bool,
        child: bool | None,
        most_serious: bool,
        persistently_targeted: bool,
        vulnerable: bool,
        intimidated: bool,
    ) -> list[Category]:
        """Every enhanced category that applies to a victim, automatic ones first (``child``:
        under 18 at the first offence, None when not known)."""
        if not is_victim:
            return []
        # (code, why it is automatic or None, whether an officer recorded it)
        rows: list[tuple[str, str | None, bool]] = [
            ("most_serious", self.most_serious, most_serious),
            ("vulnerable", "Under 18 at the time of the offence." if child else None, vulnerable),
            ("intimidated", self.intimidated, intimidated),
            ("persistently_targeted", self.persistently_targeted, persistently_targeted),
        ]
        return [
            Category(code, LABELS[code], True, why)
            if why is not None
            else Category(code, LABELS[code], False, RECORDED)
            for code, why, recorded in rows
            if why is not None or recorded
        ]

    def for_party(self, party: Party, born: date | None) -> list[Category]:
        return self.for_child(party, self.child_at_offence(born))

    def for_child(self, party: Party, child: bool | None) -> list[Category]:
        """``for_party`` given whether the person was a child at the offence."""
        return self.categories(
            is_victim=party.is_victim,
            child=child,
            most_serious=party.most_serious,
            persistently_targeted=party.persistently_targeted,
            vulnerable=party.vulnerable,
            intimidated=party.intimidated,
        )

    def needs_birth_date(self, party: Party) -> bool:
        """Whether the date of birth can change what ``for_party`` says: a victim not recorded
        as vulnerable, in a case with a dated offence (the case list opens it only then)."""
        return party.is_victim and not party.vulnerable and self.first_offence_on is not None


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
    facts = OffenceFacts.of(offences)
    return facts.categories(
        is_victim=is_victim,
        child=facts.child_at_offence(date_of_birth),
        most_serious=most_serious,
        persistently_targeted=persistently_targeted,
        vulnerable=vulnerable,
        intimidated=intimidated,
    )


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
    return OffenceFacts.of(offences).for_party(party, born)


def typed(offences: Iterable[Offence]) -> list[tuple[OffenceType, date | None]]:
    """A case's offences as the catalogue knows them, with the dates they were committed."""
    return [(t, o.committed_on) for o in offences if (t := offence_type(o.code)) is not None]


def facts_of(offences: Iterable[Offence]) -> OffenceFacts:
    return OffenceFacts.of(typed(offences))


def for_party(party: Party, offences: Sequence[Offence], born: date | None) -> list[Category]:
    """THE enhanced status of a person's part in a case: the person page and the case list
    (which works out ``facts_of`` once per case and calls ``OffenceFacts.for_party``)."""
    return facts_of(offences).for_party(party, born)
