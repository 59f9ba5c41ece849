"""The parts of a decision letter around its text (portal.vlu.letter_layout), the unit settings
they come from (portal/data/vlu.toml) and the wording for a decision that ends only part of the
proceedings (portal.vlu.letters)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.cases.reference import AREAS
from portal.people.records import SafeContact
from portal.vlu import letters
from portal.vlu.directory import directory, parse
from portal.vlu.letter_layout import (
    address_lines,
    goes_to_representative,
    layout,
    recipient_block,
)
from portal.vlu.letters import PART_TEMPLATES, LetterFacts, compose
from portal.vlu.readability import TARGET, flesch


def test_every_unit_has_the_contact_details_a_letter_prints() -> None:
    found = directory()
    for area in AREAS:
        unit = found.unit_for(area)
        assert unit.phone and "@" in unit.email and unit.address, area
    assert found.letterhead == "Crown Prosecution Service"
    assert found.markings.victim_copy == "" and found.markings.file_copy == "OFFICIAL-SENSITIVE"


def test_a_unit_without_contact_details_is_refused() -> None:
    meeting = {"decisions": [], "categories": [], "offence_flags": []}
    with pytest.raises(ValueError, match="phone number and an email"):
        parse({"unit": {"x": {"name": "X"}}, "meeting_offer": meeting})
    with pytest.raises(ValueError, match="postal address"):
        parse(
            {
                "unit": {"x": {"name": "X", "phone": "1", "email": "a@b", "address": []}},
                "meeting_offer": meeting,
            }
        )


def test_address_lines_from_lines_or_commas() -> None:
    assert address_lines("1 Test Street, Testtown") == ("1 Test Street", "Testtown")
    assert address_lines("Flat 2\n 3 Road \n\nTown AB1 2CD") == ("Flat 2", "3 Road", "Town AB1 2CD")
    assert address_lines(None) == ()


def test_the_address_block_is_the_victims_or_the_representatives() -> None:
    rep = {"name": "Rhys Advocate", "address": "4 Chambers Row, Lawtown"}
    own = recipient_block(
        name="Vera Victim",
        business=None,
        address="1 Street, Town",
        representative=rep,
        to_representative=False,
    )
    assert own.lines == ("Vera Victim", "1 Street", "Town") and not own.to_representative
    theirs = recipient_block(
        name="Vera Victim",
        business=None,
        address="1 Street, Town",
        representative=rep,
        to_representative=True,
    )
    assert theirs.lines == ("Rhys Advocate", "4 Chambers Row", "Lawtown")
    # A sealed identity: the vault gave no address, so nothing is printed.
    sealed = recipient_block(
        name=None, business=None, address=None, representative={}, to_representative=False
    )
    assert sealed.lines == ()


def test_when_the_letter_goes_to_the_representative() -> None:
    only_rep = SafeContact(channels=("via_representative",))
    both = SafeContact(channels=("letter", "via_representative"))
    assert goes_to_representative(None, only_rep, True)
    assert not goes_to_representative(None, only_rep, False)
    assert not goes_to_representative(None, both, True)
    assert goes_to_representative("via_representative", both, True)
    assert not goes_to_representative("letter", only_rep, True)


def test_the_victims_copy_has_no_marking_and_the_file_copy_has() -> None:
    found = directory()
    unit = found.unit_for("london-north")
    block = recipient_block(
        name="V", business=None, address="1 Street", representative={}, to_representative=False
    )
    victim = layout(
        found, unit, recipient=block, dated="3 March 2026", urn="01AB", person_reference="P-1"
    )
    kept = layout(
        found,
        unit,
        recipient=block,
        dated="3 March 2026",
        urn="01AB",
        person_reference="P-1",
        victim_copy=False,
    )
    assert victim.marking == "" and kept.marking == "OFFICIAL-SENSITIVE"
    assert victim.reference == "01AB/P-1"
    assert victim.contact_lines == (f"Phone: {unit.phone}", f"Email: {unit.email}")


def _facts(kind: str, *, ends_all: bool) -> LetterFacts:
    return LetterFacts(
        decision_kind=kind,
        greeting_name="Vera Victim",
        urn="01AB1234526",
        decision_date=date(2026, 3, 3),
        reasons="We looked again at the evidence.",
        vrr_applies=ends_all,
        meeting_offered=False,
        unit_name="CPS London North Victim Liaison Unit",
        officer_name="Grace Lewis",
        vrr_window=10,
        vrr_longstop=3,
        ends_all_proceedings=ends_all,
    )


@pytest.mark.parametrize("kind", list(PART_TEMPLATES))
def test_the_wording_matches_all_or_part_of_the_proceedings(kind: str) -> None:
    whole = compose(_facts(kind, ends_all=True))
    part = compose(_facts(kind, ends_all=False))
    assert "The rest of the case will go on" in part
    assert "The rest of the case will go on" not in whole
    assert "Right to Review" in whole and "Right to Review" not in part
    assert letters.fields_used(letters.template_text(PART_TEMPLATES[kind])) <= set(letters.FIELDS)
    assert flesch(part).score >= TARGET
