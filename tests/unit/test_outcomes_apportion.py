"""Apportionment across victims: exact to the penny, largest remainder, deterministic ties."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.outcomes.apportion import ApportionmentError, apportion
from portal.outcomes.money import parse_pounds, pounds


def _check(total: int, losses: dict[str, int], parts: dict[str, int]) -> None:
    assert set(parts) == set(losses)
    assert sum(parts.values()) == total
    whole = sum(losses.values())
    for key, loss in losses.items():
        exact = Fraction(total * loss, whole)
        assert abs(parts[key] - exact) < 1, key
        assert parts[key] >= 0


def test_a_million_pounds_across_2000_unequal_losses_sums_to_the_penny() -> None:
    rng = random.Random(20)
    losses = {f"V{i:05d}": rng.randint(1, 5_000_000) for i in range(2000)}
    assert len(set(losses.values())) > 1900  # unequal
    total = 1_000_000_00
    parts = apportion(total, losses)
    assert sum(parts.values()) == total
    _check(total, losses, parts)


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**12),
    losses=st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=60).filter(
        lambda xs: sum(xs) > 0
    ),
)
def test_parts_sum_to_the_whole_and_each_is_within_a_penny(total: int, losses: list[int]) -> None:
    keyed = {f"V{i:03d}": loss for i, loss in enumerate(losses)}
    _check(total, keyed, apportion(total, keyed))


def test_ties_go_to_the_lowest_key_and_the_answer_never_changes() -> None:
    losses = {"B": 1, "A": 1, "C": 1}
    assert apportion(100, losses) == {"A": 34, "B": 33, "C": 33}
    assert apportion(101, losses) == {"A": 34, "B": 34, "C": 33}
    assert apportion(100, dict(reversed(list(losses.items())))) == {"A": 34, "B": 33, "C": 33}


def test_the_largest_remainder_gets_the_spare_penny() -> None:
    # exact shares 0.6, 1.2, 1.2 of 3p... remainders 0.6 (A), 0.2, 0.2: A gets the spare.
    assert apportion(3, {"A": 1, "B": 2, "C": 2}) == {"A": 1, "B": 1, "C": 1}
    assert apportion(10, {"A": 1, "B": 2}) == {"A": 3, "B": 7}


def test_no_proven_loss_gets_nothing() -> None:
    assert apportion(1000, {"A": 0, "B": 5}) == {"A": 0, "B": 1000}
    assert apportion(0, {"A": 0}) == {"A": 0}


@pytest.mark.parametrize(
    ("total", "losses"), [(-1, {"A": 1}), (100, {"A": -1, "B": 2}), (100, {"A": 0})]
)
def test_impossible_apportionments_are_refused(total: int, losses: dict[str, int]) -> None:
    with pytest.raises(ApportionmentError):
        apportion(total, losses)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,234.56", 123456),
        ("12", 1200),
        ("0.05", 5),
        ("1000000.00", 100000000),
        ("1,000,000", 100000000),
        ("1.5", None),
        ("1,23", None),
        ("-5", None),
        ("１２", None),
        ("", None),
        ("12.345", None),
    ],
)
def test_amounts_are_parsed_in_whole_pence(typed: str, pence: int | None) -> None:
    assert parse_pounds(typed) == pence


def test_amounts_are_shown_in_pounds() -> None:
    assert pounds(123456) == "£1,234.56"
    assert pounds(5) == "£0.05"
    assert pounds(100000000) == "£1,000,000.00"
