"""The outcomes rules data (portal/data/outcomes.toml): organised crime types and ancillary
orders. Loaded once, validated, every problem named."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).parents[1] / "data" / "outcomes.toml"


class OutcomesRulesError(ValueError):
    """The outcomes rules file is malformed."""


@dataclass(frozen=True, slots=True)
class CrimeType:
    code: str
    title: str
    from_offences: bool
    categories: frozenset[str]
    offence_codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class AncillaryKind:
    code: str
    title: str
    source: str
    protects_victim: bool


@dataclass(frozen=True, slots=True)
class OutcomesRules:
    crime_types: tuple[CrimeType, ...]
    unmapped: CrimeType
    ancillary: tuple[AncillaryKind, ...]

    def crime_type_titles(self) -> dict[str, str]:
        return {t.code: t.title for t in (*self.crime_types, self.unmapped)}

    def ancillary_kind(self, code: str) -> AncillaryKind | None:
        return next((k for k in self.ancillary if k.code == code), None)

    def crime_types_of(self, offences: Iterable[tuple[str, str]]) -> frozenset[str]:
        """The crime types of a case from its offences' (code, category); the unmapped type if
        none match. An offence's code, when a type names it, wins over its category."""
        found: set[str] = set()
        for code, category in offences:
            by_code = [t.code for t in self.crime_types if code in t.offence_codes]
            if by_code:
                found.update(by_code)
                continue
            found.update(t.code for t in self.crime_types if category in t.categories)
        return frozenset(found) or frozenset({self.unmapped.code})


def _crime_type(raw: dict[str, Any], problems: list[str]) -> CrimeType:
    code, title = raw.get("code"), raw.get("title")
    if not isinstance(code, str) or not isinstance(title, str):
        problems.append(f"crime_type {raw!r}: needs a code and a title")
        code, title = str(code), str(title)
    unknown = set(raw) - {"code", "title", "from_offences", "categories", "offence_codes"}
    if unknown:
        problems.append(f"crime_type {code}: unknown fields {sorted(unknown)}")
    return CrimeType(
        code=code,
        title=title,
        from_offences=bool(raw.get("from_offences", True)),
        categories=frozenset(raw.get("categories", [])),
        offence_codes=frozenset(raw.get("offence_codes", [])),
    )


def parse(data: dict[str, Any]) -> OutcomesRules:
    problems: list[str] = []
    types = tuple(_crime_type(raw, problems) for raw in data.get("crime_type", []))
    for t in types:
        if not t.from_offences and (t.categories or t.offence_codes):
            problems.append(f"crime_type {t.code}: from_offences = false but maps offences")
    unmapped = _crime_type(data.get("unmapped", {}), problems)
    kinds: list[AncillaryKind] = []
    for raw in data.get("ancillary_order", []):
        try:
            kinds.append(
                AncillaryKind(
                    code=raw["code"],
                    title=raw["title"],
                    source=raw["source"],
                    protects_victim=bool(raw["protects_victim"]),
                )
            )
        except KeyError as missing:
            problems.append(f"ancillary_order {raw.get('code')!r}: missing {missing}")
    codes = [t.code for t in (*types, unmapped)] + [k.code for k in kinds]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        problems.append(f"codes used twice: {duplicates}")
    if problems:
        raise OutcomesRulesError("invalid outcomes rules:\n" + "\n".join(problems))
    return OutcomesRules(crime_types=types, unmapped=unmapped, ancillary=tuple(kinds))


@cache
def outcomes_rules() -> OutcomesRules:
    with RULES_FILE.open("rb") as handle:
        return parse(tomllib.load(handle))
