"""Labelled enums (portal.kit.enums): stored values, labels and form choices declared together."""

from __future__ import annotations

import pytest

from portal.accounts.roles import Role
from portal.kit.enums import LabelledStrEnum
from portal.special_measures.states import Outcome as SmOutcome
from portal.vlu.states import Action as VluAction


class Colour(LabelledStrEnum):
    RED = "red", "Red as a post box"
    DARK_BLUE = "dark_blue"


def test_a_member_is_its_stored_value() -> None:
    assert Colour.RED == "red"
    assert Colour("dark_blue") is Colour.DARK_BLUE
    assert f"{Colour.RED}" == "red" and str(Colour.RED) == "red"
    with pytest.raises(ValueError, match="purple"):
        Colour("purple")


def test_labels_are_declared_or_made_from_the_value() -> None:
    assert Colour.RED.label == "Red as a post box"
    assert Colour.DARK_BLUE.label == "Dark blue"


def test_choices_and_labels_for_forms_and_tables() -> None:
    assert Colour.choices() == [("red", "Red as a post box"), ("dark_blue", "Dark blue")]
    assert Colour.choices([Colour.DARK_BLUE]) == [("dark_blue", "Dark blue")]
    assert Colour.labels() == {"red": "Red as a post box", "dark_blue": "Dark blue"}


def test_the_converted_enums_keep_their_labels() -> None:
    assert Role.VLU_OFFICER.label == "Victim Liaison Unit officer"
    assert Role.choices()[0] == ("witness_care_officer", "Witness care officer")
    assert SmOutcome.GRANTED_IN_PART.label == "Granted in part"
    assert VluAction.RETURN.label == "Letter returned for changes"
