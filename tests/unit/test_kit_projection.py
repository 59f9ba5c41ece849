"""A dataclass built from the same-named attributes of a richer record (portal.kit.projection)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.kit.projection import project


@dataclass(frozen=True)
class Narrow:
    kind: str
    count: int = 0


@dataclass(frozen=True)
class Wide:
    kind: str
    count: int
    notes: str


def test_takes_each_field_of_the_narrow_record_from_the_wide_one() -> None:
    assert project(Wide("sentence", 3, "kept out"), Narrow) == Narrow("sentence", 3)


def test_a_field_the_source_lacks_is_an_error() -> None:
    @dataclass(frozen=True)
    class Other:
        kind: str

    with pytest.raises(AttributeError):
        project(Other("x"), Narrow)
