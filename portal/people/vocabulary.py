"""The lists officers choose from when recording people (portal/data/people.toml), loaded once:
enhanced-rights categories and their grounds, linked contacts' relationships, and the partners
who can own a safeguarding action. Data, not code: the enhanced lists' exact wording is
UNCONFIRMED (domain-rules.md 11)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "people.toml"

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class EnhancedCategory:
    code: str
    label: str
    grounds: Pairs

    def ground_label(self, code: str) -> str:
        return dict(self.grounds).get(code, code)


@dataclass(frozen=True, slots=True)
class Relationship:
    code: str
    label: str
    represents: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    enhanced: tuple[EnhancedCategory, ...]
    relationships: tuple[Relationship, ...]
    partners: Pairs

    def category(self, code: str) -> EnhancedCategory | None:
        return next((c for c in self.enhanced if c.code == code), None)

    def relationship(self, code: str) -> Relationship | None:
        return next((r for r in self.relationships if r.code == code), None)

    @property
    def relationship_choices(self) -> Pairs:
        return tuple((r.code, r.label) for r in self.relationships)


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    return Vocabulary(
        enhanced=tuple(
            EnhancedCategory(
                row["code"], row["label"], tuple((str(c), str(t)) for c, t in row["grounds"])
            )
            for row in data["enhanced"]
        ),
        relationships=tuple(
            Relationship(row["code"], row["label"], bool(row.get("represents", False)))
            for row in data["relationship"]
        ),
        partners=tuple((row["code"], row["label"]) for row in data["partner"]),
    )
