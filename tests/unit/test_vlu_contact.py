"""Safe-contact and anonymity rules for sending a letter, and the VLU directory."""

from __future__ import annotations

import pytest

from portal.cases.reference import AREAS
from portal.people.service import SafeContact
from portal.vlu.contact import (
    SEND_CHANNELS,
    Recipient,
    allowed_channels,
    bulk_channel,
    send_refusal,
)
from portal.vlu.directory import directory

EVERYTHING = SafeContact(
    channels=("phone", "text", "email", "letter", "in_person", "via_representative")
)


def person(safe: SafeContact = EVERYTHING, **kw: bool) -> Recipient:
    details = {
        "has_address": True,
        "has_email": True,
        "has_phone": True,
        "has_representative": True,
    }
    details.update(kw)
    return Recipient(safe=safe, **details)


def test_every_channel_is_allowed_when_the_rules_allow_it() -> None:
    for channel in SEND_CHANNELS:
        assert send_refusal(person(), channel, letter_carries_identity=False) is None


def test_a_channel_the_rules_do_not_allow_is_refused_with_the_reason() -> None:
    reason = send_refusal(
        person(SafeContact(channels=("phone", "in_person"))),
        "letter",
        letter_carries_identity=False,
    )
    assert reason is not None
    assert "Letter by post is not a safe way to contact this victim" in reason
    assert "phone, in person" in reason


def test_no_rules_recorded_means_nothing_is_allowed() -> None:
    for channel in SEND_CHANNELS:
        reason = send_refusal(person(SafeContact()), channel, letter_carries_identity=False)
        assert reason is not None and "No safe way to contact" in reason


def test_no_voicemail_forbids_the_voicemail_channel_only() -> None:
    rules = SafeContact(channels=("phone",), no_voicemail=True)
    reason = send_refusal(person(rules), "voicemail", letter_carries_identity=False)
    assert reason is not None and "voicemail" in reason
    assert send_refusal(person(rules), "phone", letter_carries_identity=False) is None
    allowed_with_voicemail = SafeContact(channels=("phone",), no_voicemail=False)
    assert (
        send_refusal(person(allowed_with_voicemail), "voicemail", letter_carries_identity=False)
        is None
    )


@pytest.mark.parametrize("channel", ["letter", "email"])
def test_a_sealed_identity_gets_nothing_that_carries_the_true_name_or_address(
    channel: str,
) -> None:
    reason = send_refusal(person(identity_sealed=True), channel, letter_carries_identity=False)
    assert reason is not None and "anonymity restriction" in reason


def test_a_sealed_identity_can_be_written_to_through_a_safe_route_without_their_name() -> None:
    sealed = person(identity_sealed=True)
    assert send_refusal(sealed, "via_representative", letter_carries_identity=False) is None
    assert send_refusal(sealed, "in_person", letter_carries_identity=False) is None
    reason = send_refusal(sealed, "via_representative", letter_carries_identity=True)
    assert reason is not None and "includes the true identity of a person" in reason


def test_no_letter_naming_a_sealed_identity_goes_to_anyone() -> None:
    # ``letter_carries_identity`` is about anyone sealed in the case: a victim whose own identity
    # is not sealed still cannot be sent a letter that names a sealed witness.
    for channel in ("letter", "email", "phone", "via_representative", "in_person"):
        reason = send_refusal(person(), channel, letter_carries_identity=True)
        assert reason is not None and "Use their pseudonym" in reason, channel


def test_erased_and_missing_details_are_refused() -> None:
    erased = Recipient(safe=EVERYTHING, erased=True)
    assert "erased" in (send_refusal(erased, "letter", letter_carries_identity=False) or "")
    for channel, detail, words in (
        ("letter", "has_address", "postal address"),
        ("email", "has_email", "email address"),
        ("phone", "has_phone", "phone number"),
        ("via_representative", "has_representative", "representative"),
    ):
        reason = send_refusal(person(**{detail: False}), channel, letter_carries_identity=False)
        assert reason is not None and words in reason, channel
    assert send_refusal(person(), "carrier-pigeon", letter_carries_identity=False) == (
        "Select how to send the letter"
    )


def test_bulk_sending_picks_the_first_allowed_written_channel() -> None:
    assert bulk_channel(person(), letter_carries_identity=False) == "letter"
    email_only = person(SafeContact(channels=("email", "phone")))
    assert bulk_channel(email_only, letter_carries_identity=False) == "email"
    phone_only = person(SafeContact(channels=("phone",)))
    assert bulk_channel(phone_only, letter_carries_identity=False) is None
    assert allowed_channels(phone_only, letter_carries_identity=False) == ["phone", "voicemail"]


def test_every_cps_area_has_a_victim_liaison_unit() -> None:
    units = directory().units
    assert set(units) == set(AREAS)
    for area, label in AREAS.items():
        assert label.split(" and ")[0].split("-")[0] in units[area].name
        assert directory().unit_for(area).area == area
    with pytest.raises(LookupError):
        directory().unit_for("atlantis")


def test_the_meeting_rule_is_data_and_flagged_unconfirmed() -> None:
    rule = directory().meeting
    assert rule.status == "UNCONFIRMED"
    assert "discontinuance" in rule.decisions
    assert "no_charge_decision" not in rule.decisions
    assert {"cse", "sexual"} <= rule.categories
