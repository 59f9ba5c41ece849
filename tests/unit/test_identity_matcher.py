"""Finding a sealed person's true identity in free text (portal.anonymity.identity)."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from portal.anonymity.identity import (
    SEALED_TEXT,
    build_matcher,
    date_forms,
    fold,
    sealed_text_errors,
)

REFERENCE = "P-BCDFGHJK"
PSEUDONYM = f"Witness {REFERENCE}"


def matcher(**values: str | None):
    defaults: dict[str, str | None] = {
        "full_name": "Amira Noor Khan-Müller",
        "address": "12 Acacia Avenue\nTesttown\nSW1A 1AA",
        "phone": "+44 7700 900123",
        "email": "amira.k@example.com",
        "date_of_birth": "1990-03-04",
        "aliases": "Mira Jones; Zoë Ødegård",
    }
    return build_matcher(uuid.uuid4(), REFERENCE, defaults | values)


def test_folding_ignores_case_accents_punctuation_and_line_breaks() -> None:
    folded, where = fold("Zoë\n  ØDEGÅRD,\tok")
    assert folded == " zoe odegard ok "
    assert len(where) == len(folded)


@pytest.mark.parametrize(
    "text",
    [
        "Dear Amira Noor Khan-Müller,",
        "dear AMIRA NOOR KHAN MULLER",
        "Dear Amira\nNoor   Khan-Muller",
        "we spoke to amira khan today",  # two parts in order, any case
        "Ms Khan-Müller called",  # a title and a surname
        "ms noor said so",
        "Dear Amira",  # one part on its own, written as a name
        "AMIRA is scared",
        "The Khan's family",
        "Mira Jones rang",  # an alias
        "zoe odegard",  # an alias, accents typed or not
    ],
)
def test_names_are_found_however_they_are_typed(text: str) -> None:
    assert matcher().found_in(text), text


@pytest.mark.parametrize(
    "text",
    [
        f"Dear {PSEUDONYM},",  # the pseudonym is what people must use
        "Dear Sir or Madam",
        "amira is a lowercase word here",  # one part, not written as a name
        "Khanate of the steppes",  # part of another word
        "",
    ],
)
def test_what_is_not_the_identity(text: str) -> None:
    assert not matcher().found_in(text), text


def test_everyday_words_that_are_names_stay_writable() -> None:
    will = matcher(full_name="Will Hope Brown", aliases=None)
    assert not will.found_in("We will write again. We hope this helps. The brown envelope.")
    assert will.found_in("Will said he saw it")  # written as a name
    assert will.found_in("will brown said")  # two parts: the name, whatever the case


def test_the_portals_own_words_are_not_taken_for_a_name_on_their_own() -> None:
    vera = matcher(full_name="Vera Victim", aliases=None)
    letter = "Yours sincerely\nCPS London North Victim Liaison Unit\nVictim Support can help."
    assert not vera.found_in(letter)
    assert vera.found_in("Dear Vera Victim")
    assert vera.found_in("Dear Ms Victim")
    west = matcher(full_name="Kanye West", aliases=None)
    assert not west.found_in("CPS West Midlands Victim Liaison Unit")
    assert west.found_in("Mr West will attend") and west.found_in("Kanye said")


@pytest.mark.parametrize(
    "text",
    [
        "lives at 12 Acacia Avenue",
        "12 acacia avenue testtown",
        "postcode sw1a1aa",
        "SW1A 1AA",
        "call 07700 900123",
        "call (07700) 900-123",
        "+44 7700 900 123",
        "447700900123",
        "write to AMIRA.K@EXAMPLE.COM",
        "born 4/3/1990",
        "born 04.03.90",
        "born 1990-03-04",
        "born 4 March 1990",
        "born 4th of Mar 1990",
        "born March 4, 1990",
    ],
)
def test_address_phone_email_and_date_of_birth_are_found(text: str) -> None:
    assert matcher().found_in(text), text


def test_a_town_alone_or_other_numbers_are_not_the_address_or_phone() -> None:
    m = matcher()
    assert not m.found_in("She moved to Testtown")
    assert not m.found_in("Case 01AB1234567, hearing on 5 March 1990")
    assert not m.found_in("call 07700 900999")


def test_date_forms_cover_the_usual_spellings() -> None:
    forms = date_forms(date(2001, 9, 4))
    for typed in ("4 9 2001", "04 09 01", "2001 09 04", "4th sept 2001", "september 4 2001"):
        assert f" {typed} " in forms, typed


def test_masking_puts_the_pseudonym_for_names_and_withholds_the_rest() -> None:
    m = matcher()
    text = "Dear Amira Khan,\nWe will visit 12 Acacia Avenue. Call 07700 900123 (born 4/3/1990)."
    assert m.mask(text) == (
        f"Dear {PSEUDONYM},\nWe will visit [address withheld]. Call [phone number withheld] "
        "(born [date of birth withheld])."
    )
    assert not m.found_in(m.mask(text))


def test_masking_a_json_document_keeps_its_shape() -> None:
    m = matcher()
    raw = json.dumps({"notes": "Amira is anxious", "needs": {"x": {"details": "Zoë's mum"}}})
    masked = json.loads(m.mask_json(raw))
    assert masked == {
        "notes": f"{PSEUDONYM} is anxious",
        "needs": {"x": {"details": f"{PSEUDONYM}'s mum"}},
    }
    untouched = json.dumps({"notes": "nothing to see"})
    assert m.mask_json(untouched) is untouched


def test_nothing_shows_the_true_values() -> None:
    m = matcher()
    assert repr(m) == f"<IdentityMatcher {REFERENCE}>"
    errors = sealed_text_errors([m], {"body": ("The letter", "Dear Amira Khan")})
    assert errors == {
        "body": SEALED_TEXT.format(label="The letter", pseudonym=PSEUDONYM),
    }
    assert "Amira" not in errors["body"] and PSEUDONYM in errors["body"]
    assert sealed_text_errors([m], {"body": ("The letter", f"Dear {PSEUDONYM}")}) == {}


def test_an_empty_record_finds_nothing() -> None:
    empty = build_matcher(uuid.uuid4(), REFERENCE, {})
    assert not empty.found_in("Dear Amira Khan")
    assert empty.mask("Dear Amira Khan") == "Dear Amira Khan"


@pytest.mark.parametrize(
    "text", ["Dear Amira,\n\n(07700) 900-123!", "  12 ACACIA avenue  ", "x", "", "--a--b--"]
)
def test_the_quick_fold_agrees_with_the_full_one(text: str) -> None:
    from portal.anonymity.identity import quick_fold

    assert quick_fold(text) == fold(text)[0]
    assert quick_fold("Zoë") is None  # not ASCII: only the full fold
