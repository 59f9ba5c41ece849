"""How a letter may be sent: the victim's safe-contact rules and anonymity decide, not the sender.

``send_refusal`` is pure (no database): it gets what the person's record says and returns the
reason a send must be refused, in words the officer can act on, or ``None``. The rules:

* nothing goes to an erased record;
* the channel must be one the victim's safe-contact rules allow (no rules recorded: nothing is
  allowed until the witness care officer records them);
* "no voicemail" forbids a channel that may leave a voicemail;
* an anonymity restriction (a sealed identity) forbids any letter that would carry the true name
  or address: post and email carry them by nature;
* no letter may contain the true identity of anyone whose identity is sealed, the victim or
  another person in the case (``letter_carries_identity``, found by comparing the letter with the
  true values: portal.anonymity.identity);
* the channel needs the contact detail it uses (an address to post to, and so on).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.people.service import SafeContact


@dataclass(frozen=True, slots=True)
class SendChannel:
    label: str
    safe_channel: str  # the safe-contact channel it uses (portal.people.service)
    obligation_channel: str  # how the Victims' Code obligation records it
    needs: str | None  # the contact detail it needs
    may_leave_voicemail: bool = False
    reveals_identity: bool = False  # carries the true name/address by nature


SEND_CHANNELS: dict[str, SendChannel] = {
    "letter": SendChannel("Letter by post", "letter", "letter", "address", reveals_identity=True),
    "email": SendChannel("Email", "email", "email", "email", reveals_identity=True),
    "phone": SendChannel(
        "Phone call to read and explain the letter, leaving no message", "phone", "phone", "phone"
    ),
    "voicemail": SendChannel(
        "Phone call, leaving a voicemail asking them to call back if there is no answer",
        "phone",
        "phone",
        "phone",
        may_leave_voicemail=True,
    ),
    "via_representative": SendChannel(
        "Through their nominated representative",
        "via_representative",
        "via_representative",
        "representative",
    ),
    "in_person": SendChannel(
        "In person (at a meeting or delivered by hand)", "in_person", "in_person", None
    ),
}

SAFE_CHANNEL_LABELS = {
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

# Used when a bulk send picks a channel for each victim: the first one that is allowed wins.
BULK_PREFERENCE = ("letter", "email", "via_representative")


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the person's record says, as far as sending is concerned (no values, only facts)."""

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


def _allowed_words(safe: SafeContact) -> str:
    words = [SAFE_CHANNEL_LABELS.get(c, c) for c in safe.channels]
    return ", ".join(words) if words else "none"


def send_refusal(
    recipient: Recipient, channel: str, *, letter_carries_identity: bool
) -> str | None:
    """Why sending by ``channel`` must be refused, or None if it may go."""
    if recipient.erased:
        return "This person's record has been erased: nothing can be sent to them"
    spec = SEND_CHANNELS.get(channel)
    if spec is None:
        return "Select how to send the letter"
    if not recipient.safe.channels:
        return (
            "No safe way to contact this victim is recorded. Ask their witness care officer to "
            "record their safe-contact rules first"
        )
    if spec.safe_channel not in recipient.safe.channels:
        return (
            f"{spec.label} is not a safe way to contact this victim. Their safe-contact rules "
            f"allow: {_allowed_words(recipient.safe)}"
        )
    if spec.may_leave_voicemail and recipient.safe.no_voicemail:
        return (
            "A voicemail must not be left for this victim: their safe-contact rules say no "
            "voicemail"
        )
    if recipient.identity_sealed and spec.reveals_identity:
        return (
            "This victim's identity is protected by an anonymity restriction. A letter by post or "
            "email would carry their true name and address: send it through their representative "
            "or in person"
        )
    if letter_carries_identity:
        return (
            "The letter includes the true identity of a person whose identity is sealed by an "
            "anonymity restriction. Use their pseudonym and redraft the letter"
        )
    if not recipient.has(spec.needs):
        assert spec.needs is not None
        return DETAIL_MISSING[spec.needs]
    return None


def allowed_channels(recipient: Recipient, *, letter_carries_identity: bool) -> list[str]:
    return [
        code
        for code in SEND_CHANNELS
        if send_refusal(recipient, code, letter_carries_identity=letter_carries_identity) is None
    ]


def bulk_channel(recipient: Recipient, *, letter_carries_identity: bool) -> str | None:
    for code in BULK_PREFERENCE:
        if send_refusal(recipient, code, letter_carries_identity=letter_carries_identity) is None:
            return code
    return None
