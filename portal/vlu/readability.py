"""How easy a letter is to read: the Flesch reading ease score, computed here (no dependency).

    score = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)

Higher is easier: 60 to 70 is plain English, which most adults read easily; HMCPSI found decision
letters full of legal jargon (domain-rules.md 2). Syllables are counted with the usual vowel-group
heuristic (a trailing silent "e", "es" or "ed" does not count), which is close enough to rank
drafts; it is a guide for the writer, not a pass mark. Lines without a full stop (the greeting,
headings, the sign-off) count as sentences of their own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

TARGET = 60.0  # plain English
LONG_SENTENCE_WORDS = 25  # GOV.UK style: sentences of 25 words or fewer

# Legal words and phrases that should be replaced or explained in a letter to a victim: rules data
# (``[plain_english]`` in portal/data/vlu.toml), so the list can grow without a code change.
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "vlu.toml"


def parse_jargon(data: dict[str, object]) -> tuple[str, ...]:
    table = data.get("plain_english")
    terms = table.get("jargon") if isinstance(table, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise ValueError("vlu.toml needs a [plain_english] table with a list of jargon terms")
    return tuple(dict.fromkeys(" ".join(t.lower().split()) for t in terms))


@cache
def jargon_terms() -> tuple[str, ...]:
    return parse_jargon(tomllib.loads(DATA_FILE.read_text()))


@cache
def _jargon_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")(?:s|d|ed|ing)?\b")


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_SILENT_END = re.compile(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$")
_VOWEL_GROUP = re.compile(r"[aeiouy]{1,2}")


@lru_cache(maxsize=20_000)
def syllables(word: str) -> int:
    """Syllables in one word (heuristic; at least 1). Cached: letters reuse their words."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if len(w) <= 3:
        return 1
    w = _SILENT_END.sub("", w)
    w = w.removeprefix("y")
    return max(1, len(_VOWEL_GROUP.findall(w)))


def sentences_of(text: str) -> list[str]:
    found: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            piece = line[start : match.end()].strip()
            if _WORD.search(piece):
                found.append(piece)
            start = match.end()
        rest = line[start:].strip()
        if _WORD.search(rest):
            found.append(rest)
    return found


@dataclass(frozen=True, slots=True)
class Readability:
    score: float
    words: int
    sentences: int
    syllables: int
    long_sentences: int
    jargon: tuple[str, ...]

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def meets_target(self) -> bool:
        return self.words > 0 and self.score >= TARGET

    @property
    def band(self) -> str:
        s = self.score
        if self.words == 0:
            return "No text yet"
        if s >= 80:
            return "Very easy to read"
        if s >= 70:
            return "Easy to read"
        if s >= TARGET:
            return "Plain English"
        if s >= 50:
            return "Fairly difficult"
        if s >= 30:
            return "Difficult"
        return "Very difficult"


def flesch(text: str, jargon_list: tuple[str, ...] | None = None) -> Readability:
    """Score ``text``. Score only what a person wrote (the prosecutor's reasons, apart from the
    template around them) when the question is whether *they* wrote plain English."""
    terms = jargon_terms() if jargon_list is None else jargon_list
    pieces = sentences_of(text)
    word_count = syllable_count = long_count = 0
    for piece in pieces:
        words = _WORD.findall(piece)
        word_count += len(words)
        syllable_count += sum(syllables(w) for w in words)
        if len(words) > LONG_SENTENCE_WORDS:
            long_count += 1
    lowered = " ".join(text.lower().split())
    found = {m.group(1) for m in _jargon_pattern(terms).finditer(lowered)} if terms else set()
    jargon = tuple(term for term in terms if term in found)
    if word_count == 0:
        return Readability(0.0, 0, 0, 0, 0, jargon)
    score = 206.835 - 1.015 * (word_count / len(pieces)) - 84.6 * (syllable_count / word_count)
    return Readability(
        score=round(score, 1),
        words=word_count,
        sentences=len(pieces),
        syllables=syllable_count,
        long_sentences=long_count,
        jargon=jargon,
    )
