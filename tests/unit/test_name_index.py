"""Name words, their sounds and the one normaliser (issue 15 point 8)."""

from __future__ import annotations

import pytest

from portal.security import crypto
from portal.security import name_search as name_index

KEY = b"k" * 32


def index(name: str, value: str | None) -> int | None:
    return None if not value else crypto.blind_index(KEY, name, value, 16)


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("O’Brien", "O'Brien"),  # right single quotation mark
        ("O‘Brien", "O'Brien"),  # left single quotation mark
        ("Oʼbrien", "O'Brien"),  # modifier letter apostrophe
        ("O´Brien", "O'Brien"),  # acute accent (NFKD alone makes it a space)
        ("O＇Brien", "O'Brien"),  # full-width apostrophe
        ("“Bobby” Smith", '"Bobby" Smith'),
        ("«Bobby» Smith", '"Bobby" Smith'),
        ("Mary‑Jane Smith", "Mary-Jane Smith"),  # non-breaking hyphen
        ("Mary–Jane Smith", "Mary-Jane Smith"),  # en dash
    ],
)
def test_look_alike_punctuation_shares_the_exact_index(typed: str, recorded: str) -> None:
    assert crypto.normalise(typed) == crypto.normalise(recorded)
    assert crypto.blind_index(KEY, "person.full_name", typed, 16) == crypto.blind_index(
        KEY, "person.full_name", recorded, 16
    )


def test_ascii_normalises_as_before() -> None:
    """The importer's fast path normalises ASCII by case-folding and collapsing spaces only."""
    for value in ("O'Brien", '"Bob" Smith-Jones', "a`b", "  ANNA   maria "):
        assert crypto.normalise(value) == " ".join(value.casefold().split())


def test_name_words_drop_punctuation_and_split_hyphens() -> None:
    assert crypto.name_words("Mary-Jane  O’Brien") == ["mary", "jane", "obrien"]
    assert crypto.name_words("Zoë  ZOE") == ["zoe"]
    assert crypto.name_words(" ’ - ") == []


@pytest.mark.parametrize(
    ("a", "b"), [("Smith", "Smyth"), ("Catherine", "Kathryn"), ("Stephen", "Steven")]
)
def test_sound_alikes_share_a_sound(a: str, b: str) -> None:
    assert name_index.sound_of(a.lower()) == name_index.sound_of(b.lower()) is not None


def test_no_sound_for_digits_or_other_alphabets() -> None:
    assert name_index.sound_of("r2d2") is None
    assert name_index.sound_of("иван") is None


def test_a_word_is_found_by_its_spelling_or_its_sound() -> None:
    recorded = name_index.word_values(index, "Vera Smyth")
    for typed in ("vera", "SMYTH", "Smith"):
        (values,) = name_index.query_words(index, typed)
        assert set(values) & recorded, typed
    (values,) = name_index.query_words(index, "Jones")
    assert not set(values) & recorded


def test_spelling_and_sound_values_are_domain_separated() -> None:
    """A word whose spelling equals another word's Metaphone code gets different values."""
    assert index(name_index.WORD, "sm0") != index(name_index.SOUND, "sm0")


@pytest.mark.parametrize(
    ("typed", "found", "exact"),
    [
        ("Vera", True, True),
        ("canary VERA", True, True),
        ("Vera O’Brien", False, False),
        ("Verra", True, False),  # sounds the same
        ("Cana", False, False),  # part of a word
        ("Ver Canary", True, False),
    ],
)
def test_every_word_typed_must_be_in_the_name_or_sound_like_one(
    typed: str, found: bool, exact: bool
) -> None:
    assert name_index.matches_words("Vera Canary", typed) == name_index.WordMatch(found, exact)
