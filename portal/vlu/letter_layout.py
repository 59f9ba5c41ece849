"""What a decision letter carries around its text, so that it is fit to post: the service's
letterhead, the unit's name and contact details (from portal/data/vlu.toml), the recipient's
name and address block (the victim's, or their nominated representative's when the letter goes
through them), the date, a reference to quote, and the protective marking of the copy.

Pure: it is given what was opened from the record and decides nothing about who may see it (the
vault already withheld a sealed identity's name and address). The printable page and the PDF
are both laid out from one ``LetterLayout``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from portal.people.records import SafeContact
from portal.vlu.directory import Directory
from portal.vlu.directory import Unit as VluUnit

_LINE_BREAK = re.compile(r"\s*(?:\n|,)\s*")


def address_lines(text: str | None) -> tuple[str, ...]:
    """A postal address as typed (lines, or one line with commas) as the lines of a block."""
    if not text:
        return ()
    return tuple(line for line in _LINE_BREAK.split(text.strip()) if line)


@dataclass(frozen=True, slots=True)
class AddressBlock:
    """Whom the letter is addressed to, one line an item (name first); empty when nothing may
    be printed (a sealed identity, or nothing recorded)."""

    lines: tuple[str, ...]
    to_representative: bool = False


def representative_of(raw: str | None) -> Mapping[str, object]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def goes_to_representative(
    channel: str | None, safe: SafeContact, has_representative: bool
) -> bool:
    """The letter is addressed to the representative when it was sent through them, or, before
    it is sent, when the victim may only be reached through them (no letter to the victim)."""
    if channel is not None:
        return channel == "via_representative"
    return (
        has_representative
        and "via_representative" in safe.channels
        and "letter" not in safe.channels
    )


def recipient_block(
    *,
    name: str | None,
    business: str | None,
    address: str | None,
    representative: Mapping[str, object],
    to_representative: bool,
) -> AddressBlock:
    if to_representative:
        rep_name = str(representative.get("name") or "").strip()
        lines = [rep_name] if rep_name else []
        organisation = str(representative.get("organisation") or "").strip()
        if organisation:
            lines.append(organisation)
        lines.extend(address_lines(str(representative.get("address") or "")))
        return AddressBlock(tuple(lines), to_representative=True)
    if not address:
        return AddressBlock(())  # a sealed identity, or no address: nothing to print
    lines = [n for n in (business, name) if n and n.strip()]
    return AddressBlock((*lines, *address_lines(address)))


@dataclass(frozen=True, slots=True)
class LetterLayout:
    letterhead: str
    unit: VluUnit
    recipient: AddressBlock
    dated: str
    reference: str
    marking: str  # "" for none: the victim's copy

    @property
    def contact_lines(self) -> tuple[str, ...]:
        """The unit's contact details as printed under its address."""
        return (f"Phone: {self.unit.phone}", f"Email: {self.unit.email}")


def layout(
    directory: Directory,
    unit: VluUnit,
    *,
    recipient: AddressBlock,
    dated: str,
    urn: str,
    person_reference: str,
    victim_copy: bool = True,
) -> LetterLayout:
    markings = directory.markings
    return LetterLayout(
        letterhead=directory.letterhead,
        unit=unit,
        recipient=recipient,
        dated=dated,
        reference=f"{urn}/{person_reference}",
        marking=markings.victim_copy if victim_copy else markings.file_copy,
    )
