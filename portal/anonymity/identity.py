"""Finding a sealed person's true identity in free text, by what the text says.

The vault pseudonymises the identifying *columns* of a sealed person (portal.keys.vault). Letters,
notes, messages and the other free texts are not identifying columns: a name typed into them is
found here, by content. A matcher holds one person's true identifying values, folded (case,
accents, punctuation and line breaks do not matter) and compared on whole words:

* the full name, each alias and a business's named contact, whole; any two of their parts in
  order ("Amira Khan" for Amira Noor Khan); a title and a surname ("Ms Khan"); and each part of
  at least ``MIN_PART`` letters on its own. A part on its own only counts when it is written with
  a capital (``Amira``, ``AMIRA``), since names such as Will, Hope or Brown are everyday words,
  and not when it is a word of the portal's own standard texts ("Victim", "North", "Court": the
  letter templates, the Areas and the units' names), or no letter could be written;
* the address, whole; its first line and any line with a house number; the postcode, with or
  without its space;
* the phone number, however it is spaced, with or without +44 or the leading 0;
* the email address;
* the date of birth as people type it: 2001-03-04, 4/3/2001, 04.03.01, 4 March 2001, 4th of Mar
  2001, March 4 2001.

The values are opened with ``Vault.open_internal`` (the policy would hand back the pseudonym), once
per person per vault (a vault lives for one request or one job batch). Nothing here returns, logs
or shows a true value: callers get yes or no, the masked text, or an error naming the pseudonym.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases.models import CaseParty
from portal.cases.reference import AREAS
from portal.keys.vault import KeyUnavailable, Vault, pseudonym
from portal.people.models import Person
from portal.vlu.directory import directory
from portal.vlu.letters import TEMPLATE_DIR, VRR_REMEDY, VRR_REMEDY_DEFAULT

MIN_PART = 3  # a name part shorter than this ("Li", "Wu") is only found with the rest of the name
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lady", "lord", "rev"})
WITHHELD = {
    "address": "[address withheld]",
    "phone": "[phone number withheld]",
    "email": "[email address withheld]",
    "date_of_birth": "[date of birth withheld]",
}
SEALED_TEXT = (
    "{label} includes the true identity of a person whose identity is sealed — use their "
    "pseudonym {pseudonym}"
)
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th"}
    | {"æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe"}
)
_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?) ?(\d[a-z]{2})\b")
_DIGIT_RUN = re.compile(r"\d+(?: \d+)*")
_SPLIT_LINES = re.compile(r"[\n,;]+")


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased, without accents, every run of other characters one space, between
    sentinel spaces; and, for each folded character, the index of the character it came from."""
    chars = [" "]
    where = [0]
    for index, character in enumerate(text):
        for part in unicodedata.normalize("NFKD", character.translate(_LETTERS)):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                if folded.isalnum():
                    chars.append(folded)
                    where.append(index)
                elif chars[-1] != " ":
                    chars.append(" ")
                    where.append(index)
    if chars[-1] != " ":
        chars.append(" ")
        where.append(len(text))
    return "".join(chars), where


_ASCII_WORD = re.compile(r"[a-z0-9]+")
_NOT_DIGIT = re.compile(r"\D+")


def quick_fold(text: str) -> str | None:
    """``fold(text)[0]`` without the index, fast, for ASCII text (None for any other)."""
    if not text.isascii():
        return None
    words = _ASCII_WORD.findall(text.lower())
    return f" {' '.join(words)} " if words else " "


def _folded(value: str) -> str:
    return fold(value)[0]


@dataclass(frozen=True, slots=True)
class _Needle:
    kind: str  # "name", "address", "email", "date_of_birth" (phones are matched on digits)
    folded: str  # with its sentinel spaces
    capitalised: bool = False  # found only where the text writes it with a capital


@cache
def standard_words() -> frozenset[str]:
    """The capitalised words of the portal's own standard texts, folded."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(TEMPLATE_DIR.glob("*.txt"))]
    texts += [*VRR_REMEDY.values(), VRR_REMEDY_DEFAULT, *AREAS.values(), "Witness"]
    texts += [unit.name for unit in directory().units.values()]
    return frozenset(
        _folded(word).strip()
        for text in texts
        for word in re.findall(r"[^\W\d_]+", text)
        if word[0].isupper()
    )


def _name_needles(value: str) -> list[_Needle]:
    whole = _folded(value)
    parts = [p for p in whole.split() if p not in TITLES]
    if not parts:
        return []
    found = [_Needle("name", f" {' '.join(parts)} ")]
    if whole.strip() != " ".join(parts):
        found.append(_Needle("name", whole))
    found += [_Needle("name", f" {a} {b} ") for i, a in enumerate(parts) for b in parts[i + 1 :]]
    if len(parts) > 1:
        found += [_Needle("name", f" {t} {p} ") for t in sorted(TITLES) for p in parts[1:]]
        found += [
            _Needle("name", f" {p} ", capitalised=True)
            for p in parts
            if len(p) >= MIN_PART and p not in standard_words()
        ]
    return [n for n in found if len(n.folded.strip()) >= 2]


def _address_needles(value: str) -> list[_Needle]:
    found = [_Needle("address", _folded(value))]
    lines = [line for line in _SPLIT_LINES.split(value) if line.strip()]
    for number, line in enumerate(lines):
        folded = _folded(line)
        has_number = any(c.isdigit() for c in folded)
        has_words = any(c.isalpha() for c in folded)
        if (number == 0 or has_number) and has_words and len(folded.strip()) >= 5:
            found.append(_Needle("address", folded))
    for outward, inward in _POSTCODE.findall(_folded(value)):
        found += [
            _Needle("address", f" {outward} {inward} "),
            _Needle("address", f" {outward}{inward} "),
        ]
    return found


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{({1: 'st', 2: 'nd', 3: 'rd'}).get(day % 10, 'th')}"


def date_forms(born: date) -> list[str]:
    """The ways a date of birth is typed, folded (so 4/3/2001 and 4-3-2001 are one form)."""
    d, m, y = born.day, born.month, born.year
    days = {str(d), f"{d:02d}"}
    months = {str(m), f"{m:02d}"}
    years = {str(y), f"{y % 100:02d}"}
    forms = {f"{dd} {mm} {yy}" for dd in days for mm in months for yy in years}
    forms |= {f"{y} {mm} {dd}" for dd in days for mm in months}
    names = {calendar.month_name[m].lower(), calendar.month_abbr[m].lower()}
    if m == 9:
        names.add("sept")
    spoken = days | {_ordinal(d)}
    for name in names:
        for dd in spoken:
            forms |= {f"{dd} {name} {y}", f"{dd} of {name} {y}", f"{name} {dd} {y}"}
    return sorted(f" {form} " for form in forms)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _phone_digits(value: str) -> str | None:
    digits = "".join(c for c in value if c.isdigit())
    digits = digits.removeprefix("00").removeprefix("44").lstrip("0")
    return digits if len(digits) >= 7 else None


def _merge(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one; and neighbours of one kind with only spaces between them (the
    parts of one name found separately)."""
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and (
            start < merged[-1][1]
            or (kind == merged[-1][2] and not text[merged[-1][1] : start].strip())
        ):
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


class IdentityMatcher:
    """One person's true identifying values, ready to be looked for in text. Its repr and the
    results of its methods never include the values."""

    __slots__ = ("_needles", "_phones", "person_id", "pseudonym", "reference")

    def __init__(
        self,
        person_id: uuid.UUID,
        reference: str,
        needles: Iterable[_Needle],
        phones: Iterable[str],
    ) -> None:
        self.person_id = person_id
        self.reference = reference
        self.pseudonym = pseudonym(reference)
        self._needles = tuple(dict.fromkeys(needles))
        self._phones = tuple(dict.fromkeys(phones))

    @property
    def id(self) -> uuid.UUID:
        """The person's id: a matcher is the audit ``Subject`` of what is found about them."""
        return self.person_id

    def __repr__(self) -> str:
        return f"<IdentityMatcher {self.reference}>"

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where the true identity appears in ``text``: (start, end, kind), merged."""
        if not text or not self.may_be_in(text, quick_fold(text)):
            return []
        return self.spans_folded(text, *fold(text))

    def may_be_in(self, text: str, quick: str | None) -> bool:
        """False when ``text`` certainly does not name the person (most texts: cheap to say)."""
        if not (self._needles or self._phones):
            return False
        if quick is None:
            return True  # not ASCII: only the full fold can tell
        if any(needle.folded in quick for needle in self._needles):
            return True
        digits = _NOT_DIGIT.sub("", quick)
        return any(phone in digits for phone in self._phones)

    def spans_folded(self, text: str, folded: str, where: list[int]) -> list[tuple[int, int, str]]:
        """``spans`` for a text already folded (checking one text against many people)."""
        found: list[tuple[int, int, str]] = []
        for needle in self._needles:
            at = folded.find(needle.folded)
            while at != -1:
                first, last = at + 1, at + len(needle.folded) - 2
                start, end = where[first], where[last] + 1
                if not needle.capitalised or text[start].isupper():
                    found.append((start, end, needle.kind))
                at = folded.find(needle.folded, at + 1)
        for run in _DIGIT_RUN.finditer(folded) if self._phones else ():
            positions = [run.start() + i for i, c in enumerate(run.group()) if c != " "]
            digits = run.group().replace(" ", "")
            for phone in self._phones:
                at = digits.find(phone)
                while at != -1:
                    lead = at if digits[:at] in {"", "0", "44", "440", "0044"} else None
                    first = positions[0] if lead is not None else positions[at]
                    start, end = where[first], where[positions[at + len(phone) - 1]] + 1
                    if start > 0 and text[start - 1] in "+(":
                        start -= 1
                    found.append((start, end, "phone"))
                    at = digits.find(phone, at + 1)
        return _merge(text, found)

    def found_in(self, text: str | None) -> bool:
        return bool(text) and bool(self.spans(text or ""))

    def mask(self, text: str) -> str:
        """``text`` with the true identity replaced: names by the pseudonym, the rest withheld."""
        for start, end, kind in reversed(self.spans(text)):
            text = text[:start] + WITHHELD.get(kind, self.pseudonym) + text[end:]
        return text

    def mask_json(self, raw: str) -> str:
        """The same for a JSON document: every string in it, keys left alone. ``raw`` itself
        when nothing in it names the person."""
        changed = False

        def walk(value: Any) -> Any:
            nonlocal changed
            if isinstance(value, str):
                masked = self.mask(value)
                changed = changed or masked != value
                return masked
            if isinstance(value, list):
                return [walk(v) for v in value]
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            return value

        document = walk(json.loads(raw))
        return json.dumps(document) if changed else raw


def build_matcher(
    person_id: uuid.UUID, reference: str, values: Mapping[str, str | None]
) -> IdentityMatcher:
    """A matcher from plain values (the column names of ``person``)."""
    needles: list[_Needle] = []
    phones: list[str] = []
    for column in ("full_name", "business_contact"):
        if values.get(column):
            needles += _name_needles(values[column] or "")
    for alias in _SPLIT_LINES.split(values.get("aliases") or ""):
        if alias.strip():
            needles += _name_needles(alias)
    if values.get("address"):
        needles += _address_needles(values["address"] or "")
    if values.get("email"):
        needles.append(_Needle("email", _folded(values["email"] or "")))
    if values.get("phone") and (digits := _phone_digits(values["phone"] or "")):
        phones.append(digits)
    born = _iso_date(values.get("date_of_birth"))
    if born is not None:
        needles += [_Needle("date_of_birth", form) for form in date_forms(born)]
    return IdentityMatcher(person_id, reference, (n for n in needles if n.folded.strip()), phones)


class StoredText:
    """A stored row's sealed values read without the ORM (all that opening needs: the table, the
    row's id and key id, and the sealed columns), so sweeping thousands of rows stays cheap."""

    id: uuid.UUID
    key_id: int

    def __init__(self, table: str, row_id: uuid.UUID, key_id: int, sealed: Mapping[str, Any]):
        self.__tablename__ = table
        self.id = row_id
        self.key_id = key_id
        for column, value in sealed.items():
            setattr(self, column, value)


IDENTIFYING = ("full_name", "aliases", "business_contact", "address", "phone", "email")
_MATCHERS: weakref.WeakKeyDictionary[Vault, dict[tuple[uuid.UUID, int], IdentityMatcher]] = (
    weakref.WeakKeyDictionary()
)


def matcher_for(vault: Vault, person: Person) -> IdentityMatcher:
    """The person's matcher, their values opened once for the life of ``vault``. An erased
    person's values cannot be opened any more: there is nothing left to find."""
    known = _MATCHERS.setdefault(vault, {})
    key = (person.id, person.version)
    if key not in known:
        values: dict[str, str | None] = {}
        if not person.erased:
            try:
                for column in (*IDENTIFYING, "date_of_birth"):
                    raw = vault.open_internal(person, column)  # compared, never shown
                    values[column] = raw.decode("utf-8") if raw is not None else None
            except KeyUnavailable:
                values = {}
        known[key] = build_matcher(person.id, person.reference, values)
    return known[key]


def address_matcher(vault: Vault, person: Person) -> IdentityMatcher:
    """A matcher of the person's address alone (a victim's address that must not be disclosed,
    for someone whose identity is not otherwise protected)."""
    values: dict[str, str | None] = {}
    if not person.erased:
        try:
            raw = vault.open_internal(person, "address")  # compared, never shown
        except KeyUnavailable:
            raw = None
        values["address"] = raw.decode("utf-8") if raw is not None else None
    return build_matcher(person.id, person.reference, values)


def sealed_in_cases(
    db: Session, vault: Vault, case_ids: Iterable[uuid.UUID], *, also: Person | None = None
) -> list[IdentityMatcher]:
    """Matchers for everyone whose identity is sealed in these cases (one query), plus ``also``:
    the person being sealed right now."""
    ids = list(set(case_ids))
    people: list[Person] = []
    if ids:
        people = list(
            db.scalars(
                select(Person).where(
                    Person.identity_sealed.is_(True),
                    Person.erased.is_(False),
                    Person.id.in_(select(CaseParty.person_id).where(CaseParty.case_id.in_(ids))),
                )
            )
        )
    if also is not None and also.id not in {p.id for p in people}:
        people.append(also)
    vault.load({p.key_id for p in people})
    return [matcher_for(vault, p) for p in people]


def sealed_text_errors(
    matchers: Iterable[IdentityMatcher], texts: Mapping[str, tuple[str, str | None]]
) -> dict[str, str]:
    """Field errors for each text (field -> (label, text)) that names a sealed person."""
    matchers = list(matchers)
    errors: dict[str, str] = {}
    for field, (label, text) in texts.items():
        if not text or not matchers:
            continue
        quick = quick_fold(text)
        possible = [m for m in matchers if m.may_be_in(text, quick)]
        folded = fold(text) if possible else None
        for matcher in possible:
            assert folded is not None
            if matcher.spans_folded(text, *folded):
                errors[field] = SEALED_TEXT.format(label=label, pseudonym=matcher.pseudonym)
                break
    return errors


def case_text_errors(
    db: Session,
    vault: Vault,
    case_id: uuid.UUID,
    texts: Mapping[str, tuple[str, str | None]],
    *,
    also: Person | None = None,
) -> dict[str, str]:
    """The check every service makes before saving free text in a case (field -> message)."""
    if not any(text for _, text in texts.values()):
        return {}
    return sealed_text_errors(sealed_in_cases(db, vault, [case_id], also=also), texts)
