"""What every page about one person in one case shows: the case, the person and their name as
the viewer may read it (their reference once erased, a pseudonym for a pseudonymised viewer,
whatever the domain's reading gives). A domain's page read model extends it with its own
fields; the kit knows no domain, so the case and person types are the domain's to name:
``class WitnessPage(AboutPerson[Case, Person])``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

C = TypeVar("C")
P = TypeVar("P")


@dataclass(frozen=True, slots=True, kw_only=True)
class AboutPerson(Generic[C, P]):
    case: C
    person: P
    name: Any
