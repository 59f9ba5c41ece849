"""The one safe-contact check for every record that a person was told something.

A person's safe-contact rules (recorded by their witness care officer) say which channels are
safe; a channel also needs the contact detail it uses. Every "told" record goes through
``told_refusal``: the obligation page's "Mark as met" form, My work's "Mark met today" and the
Victim Liaison Unit's letter send (which adds its own anonymity checks, portal.vlu.contact).
Forms offer only ``safe_channels``; no rules recorded means nothing is offered until they are.

``ContactFacts`` carries facts, never values: which channels are safe and whether a detail is
recorded. ``contact_facts`` opens only the safe-contact rules. "Through their representative"
needs a nominated representative: a parent, guardian or representative recorded on the person
page with "Contact the person through them" (``portal.people.linked`` keeps the person's
``representative`` pointing at them, so no query is needed here).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.keys.vault import Vault
from portal.people.models import Person
from portal.people.service import SafeContact

# How a person was told (stored on the obligation), in the safe-contact rules' vocabulary.
TOLD_CHANNELS: dict[str, str] = {
    "phone": "Phone call",
    "letter": "Letter",
    "email": "Email",
    "text": "Text message",
    "in_person": "In person",
    "via_representative": "Through their representative",
}

# The contact detail each channel needs (None: nothing to look up).
CHANNEL_NEEDS: dict[str, str | None] = {
    "phone": "phone",
    "text": "phone",
    "letter": "address",
    "email": "email",
    "via_representative": "representative",
    "in_person": None,
}

SAFE_CHANNEL_WORDS = {
    "phone": "phone",
    "text": "text message",
    "email": "email",
    "letter": "letter",
    "in_person": "in person",
    "via_representative": "through their representative",
}

DETAIL_MISSING = {
    "address": "No postal address is recorded for this victim",
    "email": "No email address is recorded for this victim",
    "phone": "No phone number is recorded for this victim",
    "representative": "No nominated representative is recorded for this victim",
}

NO_RULES = (
    "No safe way to contact this victim is recorded. Ask their witness care officer to record "
    "their safe-contact rules first"
)


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the person's record says, as far as telling them is concerned (no values)."""

    safe: SafeContact
    identity_sealed: bool = False
    erased: bool = False
    has_address: bool = False
    has_email: bool = False
    has_phone: bool = False
    has_representative: bool = False

    def has(self, detail: str | None) -> bool:
        return {
            None: True,
            "address": self.has_address,
            "email": self.has_email,
            "phone": self.has_phone,
            "representative": self.has_representative,
        }[detail]


def contact_facts(vault: Vault, person: Person) -> ContactFacts:
    """Presence of a detail is read from the row: nothing is opened but the safe-contact rules."""
    if person.erased:
        return ContactFacts(safe=SafeContact(), erased=True)
    return ContactFacts(
        safe=SafeContact.from_json(vault.open_text(person, "safe_contact")),
        identity_sealed=person.identity_sealed,
        has_address=person.address is not None,
        has_email=person.email is not None,
        has_phone=person.phone is not None,
        has_representative=person.representative is not None,
    )


def allowed_words(safe: SafeContact) -> str:
    words = [SAFE_CHANNEL_WORDS.get(c, c) for c in safe.channels]
    return ", ".join(words) if words else "none"


def channel_refusal(
    facts: ContactFacts, channel: str, *, label: str | None = None, leaves_voicemail: bool = False
) -> str | None:
    """Why ``channel`` is not a safe way to reach this person, or None. ``label`` names the
    channel in the message (the VLU names its send options)."""
    if facts.erased:
        return "This person's record has been erased: nothing can be recorded as told to them"
    if channel not in CHANNEL_NEEDS:
        return "Select how the victim was told"
    if not facts.safe.channels:
        return NO_RULES
    if channel not in facts.safe.channels:
        name = label or TOLD_CHANNELS[channel]
        return (
            f"{name} is not a safe way to contact this victim. Their safe-contact rules allow: "
            f"{allowed_words(facts.safe)}"
        )
    if leaves_voicemail and facts.safe.no_voicemail:
        return (
            "A voicemail must not be left for this victim: their safe-contact rules say no "
            "voicemail"
        )
    return None


def detail_refusal(facts: ContactFacts, channel: str) -> str | None:
    """Why ``channel`` cannot be used for want of the contact detail it needs, or None."""
    needs = CHANNEL_NEEDS.get(channel)
    if facts.has(needs):
        return None
    assert needs is not None
    return DETAIL_MISSING[needs]


def told_refusal(facts: ContactFacts, channel: str) -> str | None:
    """The safe-contact check for a record that the person was told: the channel is allowed by
    their rules and the detail it needs is recorded. None: the record may be made."""
    return channel_refusal(facts, channel) or detail_refusal(facts, channel)


def safe_channels(facts: ContactFacts) -> list[tuple[str, str]]:
    """The channels a "told" form may offer, as (value, label), in the usual order."""
    return [
        (code, label) for code, label in TOLD_CHANNELS.items() if told_refusal(facts, code) is None
    ]
