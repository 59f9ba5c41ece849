"""The offence catalogue covers every "most serious crime" category of domain-rules.md 1.3, with
the attributes the rules read (issue 15 point 5)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.cases.enhanced import derive
from portal.cases.offences import catalogue
from portal.cases.reference import CrimeCategory

# Each category, and how the catalogue shows an offence is in it.
MOST_SERIOUS = {
    "bereaved relatives (homicide)": lambda o: o.bereaved,
    "domestic abuse": lambda o: o.domestic_abuse,
    "hate crime": lambda o: o.hate,
    "terrorism": lambda o: o.terrorism,
    "sexual offences": lambda o: o.sexual,
    "human trafficking": lambda o: o.msa == 2,
    "attempted murder": lambda o: o.title == "Attempted murder",
    "kidnap": lambda o: "kidnap" in o.title.lower(),
    "false imprisonment": lambda o: o.title == "False imprisonment",
    "arson with intent to endanger life": lambda o: (
        "arson with intent to endanger life" in o.title.lower()
    ),
    "wounding or GBH with intent": lambda o: "grievous bodily harm with intent" in o.title.lower(),
}


@pytest.mark.parametrize("category", sorted(MOST_SERIOUS))
def test_every_most_serious_category_has_an_offence_marked_most_serious(category) -> None:
    found = [o for o in catalogue().values() if MOST_SERIOUS[category](o)]
    assert found, category
    assert all(o.most_serious for o in found), [o.code for o in found if not o.most_serious]


def test_every_entry_has_what_the_rules_read() -> None:
    codes = [o.code for o in catalogue().values()]
    assert len(codes) == len(set(codes))
    for offence in catalogue().values():
        assert offence.title and offence.code
        assert isinstance(offence.category, CrimeCategory)
        assert not (offence.bereaved and not offence.most_serious), offence.code


def test_a_bereaved_relative_has_enhanced_rights_as_a_victim_of_the_most_serious_crime() -> None:
    murder = catalogue()["CL-MURDER"]
    (category,) = derive(
        offences=[(murder, date(2025, 1, 1))],
        date_of_birth=date(1970, 1, 1),
        is_victim=True,
        persistently_targeted=False,
        vulnerable=False,
        intimidated=False,
    )
    assert category.code == "most_serious" and category.automatic
    assert "bereaved" in category.reason and "murder" in category.reason
    kidnap = catalogue()["CL-KIDNAP"]
    (category,) = derive(
        offences=[(kidnap, None)],
        date_of_birth=None,
        is_victim=True,
        persistently_targeted=False,
        vulnerable=False,
        intimidated=False,
    )
    assert category.reason == "The case includes kidnapping."
