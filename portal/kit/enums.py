"""Labelled enums: a stored value and the words officers see, declared together.

    class Outcome(LabelledStrEnum):
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    Outcome.GRANTED == "granted"          # a str: stored, compared and put in URLs as its value
    Outcome.GRANTED.label                 # "Granted"
    Outcome("refused")                    # look up by stored value
    Outcome.choices()                     # [("granted", "Granted"), ...] for radios and selects
    Outcome.labels()                      # {"granted": "Granted", ...} for tables and timelines

A member declared with a bare value (``DRAFT = "draft"``) is labelled from it ("Draft"). Like
Django's ``TextChoices``; the values are what the database holds, so never change one.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Self


class LabelledStrEnum(StrEnum):
    _value_: str
    _label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value.replace("_", " ").capitalize()
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def choices(cls, members: Iterable[Self] | None = None) -> list[tuple[str, str]]:
        """(value, label) pairs, in declaration order (or of ``members``), for form options."""
        return [(m.value, m.label) for m in (cls if members is None else members)]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value -> label, for showing stored values."""
        return {m.value: m.label for m in cls}
