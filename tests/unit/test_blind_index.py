from __future__ import annotations

import pytest

from portal.security import crypto

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zoë O'Brien", "zoe o'brien"),
        ("  ANNA   maria  ", "anna maria"),
        ("Ｊｏｈｎ", "john"),  # full-width characters
        ("José Álvarez", "jose alvarez"),
    ],
)
def test_normalised_values_share_an_index(a: str, b: str) -> None:
    assert crypto.blind_index(KEY, "person.name", a, 16) == crypto.blind_index(
        KEY, "person.name", b, 16
    )


def test_index_depends_on_key_name_and_value() -> None:
    base = crypto.blind_index(KEY, "person.name", "Anna Smith", 32)
    assert crypto.blind_index(b"x" * 32, "person.name", "Anna Smith", 32) != base
    assert crypto.blind_index(KEY, "person.dob", "Anna Smith", 32) != base
    assert crypto.blind_index(KEY, "person.name", "Anna Smyth", 32) != base


def test_width_is_respected() -> None:
    for bits in (8, 12, 16, 20):
        values = {crypto.blind_index(KEY, "n", f"name {i}", bits) for i in range(5000)}
        assert max(values) < 2**bits
        assert len(values) <= 2**bits


@pytest.mark.parametrize(
    ("rows", "bits", "ok"),
    [
        (100_000, 9, True),
        (100_000, 15, True),
        (100_000, 16, False),  # C < 2: duplicates would be revealed
        (100_000, 8, False),  # C >= sqrt(R): index too coarse
        (10_000, 12, True),
        (1_000_000, 18, True),
    ],
)
def test_leakage_budget(rows: int, bits: int, ok: bool) -> None:
    assert crypto.within_budget(rows, bits) is ok
