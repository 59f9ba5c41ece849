"""Why a bulk send could not send a letter, from the facts of the person's record (pure)."""

from __future__ import annotations

import pytest

from portal.people.contact import ContactFacts
from portal.people.service import SafeContact
from portal.vlu.contact import (
    ASK_WITNESS_CARE,
    LETTER_NAMES_SEALED,
    UNSENT_REASONS,
    unsent_reason,
)
from portal.vlu.service.bulk import refusal_code
from portal.vlu.service.sending import ADDRESS_REPLACED

LETTER = SafeContact(channels=("letter",))


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (ContactFacts(safe=SafeContact(), erased=True), "erased"),
        (ContactFacts(safe=LETTER, identity_sealed=True, has_address=True), "sealed"),
        (ContactFacts(safe=SafeContact(), has_address=True), "no_safe_channel"),
        (ContactFacts(safe=SafeContact(channels=("phone",)), has_phone=True), "opted_out"),
        (ContactFacts(safe=LETTER), "no_contact_detail"),
        (ContactFacts(safe=SafeContact(channels=("letter", "email"))), "no_contact_detail"),
        (ContactFacts(safe=LETTER, has_address=True), "other"),  # allowed: refused elsewhere
    ],
)
def test_each_reason(facts: ContactFacts, reason: str) -> None:
    assert unsent_reason(facts) == reason
    assert reason in UNSENT_REASONS


def test_a_refused_send_is_coded_by_its_words() -> None:
    assert refusal_code(ADDRESS_REPLACED) == "address_replaced"
    assert refusal_code(LETTER_NAMES_SEALED) == "names_sealed"
    assert refusal_code("Something else") == "other"


def test_witness_care_is_asked_only_for_what_they_can_record() -> None:
    assert {"no_safe_channel", "no_contact_detail"} == ASK_WITNESS_CARE
