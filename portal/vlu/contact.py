"""How a letter may be sent: the victim's safe-contact rules and anonymity decide, not the sender.

``send_refusal`` is pure (no database): it gets what the person's record says and returns the
reason a send must be refused, in words the officer can act on, or ``None``. The rules:

* nothing goes to an erased record;
* the channel must be one the victim's safe-contact rules allow (the same check as every other
  record that a victim was told: portal.people.contact) (no rules recorded: nothing is
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

from portal.people.contact import ContactFacts, channel_refusal, detail_refusal


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

# Used when a bulk send picks a channel for each victim: the first one that is allowed wins.
BULK_PREFERENCE = ("letter", "email", "via_representative")


# What the person's record says (portal.people.contact: the one safe-contact check).
Recipient = ContactFacts


LETTER_NAMES_SEALED = (
    "The letter includes the true identity of a person whose identity is sealed by an "
    "anonymity restriction. Use their pseudonym and redraft the letter"
)


def send_refusal(
    recipient: Recipient, channel: str, *, letter_carries_identity: bool
) -> str | None:
    """Why sending by ``channel`` must be refused, or None if it may go."""
    if recipient.erased:
        return "This person's record has been erased: nothing can be sent to them"
    spec = SEND_CHANNELS.get(channel)
    if spec is None:
        return "Select how to send the letter"
    refusal = channel_refusal(
        recipient, spec.safe_channel, label=spec.label, leaves_voicemail=spec.may_leave_voicemail
    )
    if refusal is not None:
        return refusal
    if recipient.identity_sealed and spec.reveals_identity:
        return (
            "This victim's identity is protected by an anonymity restriction. A letter by post or "
            "email would carry their true name and address: send it through their representative "
            "or in person"
        )
    if letter_carries_identity:
        return LETTER_NAMES_SEALED
    return detail_refusal(recipient, spec.safe_channel)


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


# Why a bulk send left a letter unsent (stored on ``vlu_not_sent``; the list's filter).
UNSENT_REASONS: dict[str, str] = {
    "no_safe_channel": "No safe way to contact them is recorded",
    "no_contact_detail": "No address, email or representative recorded for a safe channel",
    "opted_out": "Their safe-contact rules allow no letter, email or representative",
    "sealed": "Their identity is sealed: an officer sends the letter by hand",
    "names_sealed": "The letter names someone whose identity is sealed: redraft it",
    "address_replaced": "Their address changed after the letter was drafted",
    "erased": "Their record has been erased",
    "other": "The letter could not be sent: open it to see why",
}
# The reasons a witness care officer can put right by recording safe-contact details.
ASK_WITNESS_CARE = frozenset({"no_safe_channel", "no_contact_detail"})


def unsent_reason(recipient: Recipient) -> str:
    """Why no bulk channel is allowed for ``recipient`` (a code of ``UNSENT_REASONS``)."""
    if recipient.erased:
        return "erased"
    if recipient.identity_sealed:
        return "sealed"
    if not recipient.safe.channels:
        return "no_safe_channel"
    allowed = [
        c for c in BULK_PREFERENCE if SEND_CHANNELS[c].safe_channel in recipient.safe.channels
    ]
    if not allowed:
        return "opted_out"
    if all(not recipient.has(SEND_CHANNELS[c].needs) for c in allowed):
        return "no_contact_detail"
    return "other"
