"""One record seen as a narrower one: a dataclass built from the same-named attributes of
another object, for the read models and rule inputs that take a subset of a richer record
(``project(command, Proposed)`` rather than naming every field twice)."""

from __future__ import annotations

from dataclasses import Field, fields
from typing import Any, ClassVar, Protocol, TypeVar


class Dataclass(Protocol):
    """Any dataclass (what ``dataclasses.fields`` reads)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


D = TypeVar("D", bound=Dataclass)


def project(source: object, onto: type[D]) -> D:
    """An ``onto`` whose every field is ``source``'s attribute of the same name (an attribute
    ``source`` lacks is an error: the two declarations have drifted apart)."""
    return onto(**{field.name: getattr(source, field.name) for field in fields(onto)})
