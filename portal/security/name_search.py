"""Name words and their sounds for blind indexes: pure functions, no keys, no database.

``portal.people.name_index`` stores a person's values, ``portal.cases.import_sealing`` computes
them for an import and ``portal.search`` looks them up; all three go through these functions, so
a name is always split, spelled and sounded the same way (docs/data-protection.md, "Name words
and sounds"). ``index`` is a blind-index function, ``Vault.blind_index`` or the importer's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jellyfish

from portal.security.crypto import name_words

WORD = "person.full_name.word"
SOUND = "person.full_name.sound"
IndexOf = Callable[[str, str | None], int | None]  # (index name, value) -> blind index


def sound_of(word: str) -> str | None:
    """The Metaphone code of one normalised word, or None when it has none (digits, letters
    outside the Latin alphabet, or no sounded consonant)."""
    letters = "".join(ch for ch in word if ch.isascii() and ch.isalpha())
    if not letters or letters != word:
        return None
    return jellyfish.metaphone(letters) or None


def query_words(index: IndexOf, name: str) -> list[tuple[int, ...]]:
    """For each word typed, the index values that would find it: its word or its sound."""
    found: list[tuple[int, ...]] = []
    for word in name_words(name):
        values = {index(WORD, word), index(SOUND, sound_of(word))}
        found.append(tuple(sorted(v for v in values if v is not None)))
    return found


def word_values(index: IndexOf, full_name: str) -> set[int]:
    """Every name-word and sound index value of a full name."""
    return {value for values in query_words(index, full_name) for value in values}


@dataclass(frozen=True, slots=True)
class WordMatch:
    """How a decrypted name answers the words typed: every word found (``found``), and whether
    each was spelled as recorded (``exact``) or only sounds the same."""

    found: bool
    exact: bool


def matches_words(recorded: str, typed: str) -> WordMatch:
    """Whether every word typed is a word of the recorded name, or sounds like one."""
    words = name_words(recorded)
    sounds = {sound_of(word) for word in words} - {None}
    exact = True
    for word in name_words(typed):
        if word in words:
            continue
        if sound_of(word) not in sounds:
            return WordMatch(found=False, exact=False)
        exact = False
    return WordMatch(found=True, exact=exact)
