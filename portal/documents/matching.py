"""Where protected values appear in a document's extracted text (``portal.documents.extract``):
by place and whose, never the value. Used at upload (``portal.documents.disclosure``) and when an
identity is sealed after documents were uploaded (``portal.documents.sealing``)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from portal.anonymity.identity import IdentityMatcher, fold
from portal.documents.extract import Part

# A word broken over two lines with a hyphen ("Łukasie-" / "wicz"): read it joined as well, the
# line break moved after it so every line keeps its number.
_BROKEN_WORD = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w+)")


def _readings(text: str) -> list[str]:
    joined = _BROKEN_WORD.sub(lambda m: f"{m.group(1)}{m.group(2)}\n", text)
    return [text] if joined == text else [text, joined]


@dataclass(frozen=True, slots=True)
class Found:
    person_id: uuid.UUID
    kind: str
    location: str
    sealed_identity: bool  # False: only a victim's address


def check(matchers: list[tuple[IdentityMatcher, bool]], parts: list[Part]) -> list[Found]:
    """Every place in ``parts`` where a protected value appears, once per person, kind and
    place, in reading order."""
    found: dict[tuple[uuid.UUID, str, str], tuple[tuple[int, int], Found]] = {}
    for index, part in enumerate(parts):
        if not part.text.strip():
            continue
        for text in _readings(part.text):
            folded = fold(text)
            for matcher, whole in matchers:
                for start, _end, kind in matcher.spans_folded(text, *folded):
                    location = part.locate(start)
                    key = (matcher.person_id, kind, location)
                    order = (index, text.count("\n", 0, start))
                    found.setdefault(key, (order, Found(matcher.person_id, kind, location, whole)))
    return [item for _, item in sorted(found.values(), key=lambda pair: pair[0])]
