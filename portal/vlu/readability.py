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
from dataclasses import dataclass
from functools import lru_cache

TARGET = 60.0  # plain English
LONG_SENTENCE_WORDS = 25  # GOV.UK style: sentences of 25 words or fewer

# Legal words and phrases that should be replaced or explained in a letter to a victim.
JARGON = (
    "adduce",
    "aforementioned",
    "evidential",
    "forthwith",
    "herein",
    "hereby",
    "in accordance with",
    "in respect of",
    "indictment",
    "inter alia",
    "notwithstanding",
    "nolle prosequi",
    "prima facie",
    "pursuant to",
    "realistic prospect of conviction",
    "thereof",
    "whereby",
    "with regard to",
)

_JARGON = re.compile(r"\b(" + "|".join(re.escape(term) for term in JARGON) + r")(?:s|d|ed|ing)?\b")
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


def flesch(text: str) -> Readability:
    pieces = sentences_of(text)
    word_count = syllable_count = long_count = 0
    for piece in pieces:
        words = _WORD.findall(piece)
        word_count += len(words)
        syllable_count += sum(syllables(w) for w in words)
        if len(words) > LONG_SENTENCE_WORDS:
            long_count += 1
    lowered = " ".join(text.lower().split())
    found = {m.group(1) for m in _JARGON.finditer(lowered)}
    jargon = tuple(term for term in JARGON if term in found)
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
