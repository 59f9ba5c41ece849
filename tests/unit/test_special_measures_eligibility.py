"""Special measures eligibility (YJCEA 1999 ss16, 17, 21): every rule, with its explanation."""

from __future__ import annotations

from datetime import date

import pytest

from portal.cases.offences import OffenceType, offence_type
from portal.cases.reference import CrimeCategory
from portal.special_measures.eligibility import (
    Recorded,
    assess,
    eighteenth_birthday,
    measure_warnings,
    s16_age,
    s16_incapacity,
    s17_4_modern_slavery,
    s17_4_sexual,
    s17_4a_domestic_abuse,
    s17_5_weapons,
    s17_fear,
    s21_primary_rule,
)

TODAY = date(2026, 3, 2)


def offence(**flags: object) -> OffenceType:
    return OffenceType(code="X", title="Test offence", category=CrimeCategory.OTHER, **flags)  # type: ignore[arg-type]


def catalogue(code: str) -> OffenceType:
    found = offence_type(code)
    assert found is not None, code
    return found


# --- s16(1)(a): under 18 at the time of the hearing ------------------------------------------


def test_under_18_at_the_hearing_is_eligible() -> None:
    finding = s16_age(date(2010, 6, 1), date(2026, 3, 2))
    assert finding.applies is True
    assert finding.automatic
    assert finding.section == "s16(1)(a)"
    assert "Aged 15 on the hearing on 2 March 2026" in finding.explanation
    assert "turns 18 on 1 June 2028" in finding.explanation


def test_a_witness_who_turns_18_between_offence_and_hearing_is_not_eligible_by_age() -> None:
    born = date(2008, 5, 10)  # 17 at the offence, 18 at the hearing
    offence_on = date(2025, 11, 1)
    hearing_on = date(2026, 6, 1)
    finding = s16_age(born, hearing_on, offence_on=offence_on)
    assert finding.applies is False
    assert "Under 18 at the offence but turns 18 on 10 May 2026" in finding.explanation
    assert "not at the offence" in finding.explanation

    result = assess(
        offences=[offence()],
        complainant=True,
        born=born,
        hearing_on=hearing_on,
        today=TODAY,
        offence_on=offence_on,
    )
    assert not result.eligible
    assert result.primary_rule is None  # no s21 primary rule for an adult at the hearing
    # The same witness, heard before their birthday, is eligible.
    earlier = assess(
        offences=[offence()], complainant=True, born=born, hearing_on=date(2026, 5, 9), today=TODAY
    )
    assert [f.code for f in earlier.grounds] == ["s16_age"]
    assert earlier.primary_rule is not None
    assert earlier.primary_rule.applies


def test_the_18th_birthday_itself_is_too_late() -> None:
    born = date(2008, 3, 2)
    assert s16_age(born, date(2026, 3, 1)).applies is True
    assert s16_age(born, date(2026, 3, 2)).applies is False


def test_leap_day_birthday_turns_18_on_1_march() -> None:
    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 3, 1)
    assert s16_age(date(2008, 2, 29), date(2026, 2, 28)).applies is True
    assert s16_age(date(2008, 2, 29), date(2026, 3, 1)).applies is False


def test_adult_witness_is_not_eligible_by_age() -> None:
    finding = s16_age(date(1980, 1, 1), TODAY)
    assert finding.applies is False
    assert finding.explanation.startswith("Aged 46 on the hearing")


def test_unknown_date_of_birth_is_not_known() -> None:
    finding = s16_age(None, TODAY)
    assert finding.applies is None
    assert "Date of birth not recorded" in finding.explanation


def test_without_a_hearing_date_age_is_worked_out_for_today() -> None:
    result = assess(
        offences=[], complainant=False, born=date(2012, 1, 1), hearing_on=None, today=TODAY
    )
    assert result.hearing_assumed
    assert result.hearing_on == TODAY
    assert "no hearing date recorded" in result.findings[0].explanation


# --- s16(1)(b), (2) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("mental_disorder", "Mental disorder (Mental Health Act 1983)"),
        ("impairment", "Significant impairment of intelligence and social functioning"),
        ("physical", "Physical disability or physical disorder"),
    ],
)
def test_each_s16_condition_is_a_ground(field: str, label: str) -> None:
    findings = s16_incapacity(Recorded(**{field: True}))
    assert [f.label for f in findings] == [label]
    assert findings[0].applies is True
    assert not findings[0].automatic
    assert "s16(4)" in findings[0].explanation
    result = assess(
        offences=[],
        complainant=False,
        born=date(1980, 1, 1),
        hearing_on=TODAY,
        today=TODAY,
        recorded=Recorded(**{field: True}),
    )
    assert result.s16
    assert result.summary == "Vulnerable (s16)"


def test_no_condition_no_s16_ground() -> None:
    assert s16_incapacity(Recorded()) == []


# --- s17(1)-(3): fear or distress -------------------------------------------------------------


def test_fear_or_distress_lists_the_statutory_factors() -> None:
    finding = s17_fear(Recorded(fear_or_distress=True, factors=("behaviour", "age")))
    assert finding is not None
    assert finding.applies is True
    assert not finding.automatic
    assert "behaviour towards the witness by the accused" in finding.explanation
    assert "the witness's age" in finding.explanation
    assert "s17(3)" in finding.explanation


def test_fear_or_distress_without_factors_says_so() -> None:
    finding = s17_fear(Recorded(fear_or_distress=True))
    assert finding is not None
    assert "No s17(2) factors recorded yet" in finding.explanation


def test_no_fear_recorded_no_s17_ground() -> None:
    assert s17_fear(Recorded(factors=("age",))) is None


# --- automatic eligibility --------------------------------------------------------------------


def test_sexual_offence_complainant_is_automatically_eligible() -> None:
    cse = catalogue("SOA2003-S48")  # causing or inciting child sexual exploitation
    finding = s17_4_sexual([cse], complainant=True)
    assert finding is not None
    assert finding.applies is True
    assert finding.automatic
    assert finding.section == "s17(4)"
    assert "causing or inciting child sexual exploitation" in finding.explanation
    assert "An application is still needed" in finding.explanation


def test_a_witness_who_is_not_the_complainant_is_not_automatic_for_sexual_offences() -> None:
    assert s17_4_sexual([catalogue("SOA2003-S1")], complainant=False) is None


def test_no_sexual_offence_no_s17_4() -> None:
    assert s17_4_sexual([offence()], complainant=True) is None


def test_a_witness_may_decline_automatic_eligibility() -> None:
    finding = s17_4_sexual([catalogue("SOA2003-S1")], complainant=True, declined=True)
    assert finding is not None
    assert finding.applies is False
    assert finding.declined
    assert "do not wish to be eligible" in finding.explanation
    result = assess(
        offences=[catalogue("SOA2003-S1")],
        complainant=True,
        born=date(1990, 1, 1),
        hearing_on=TODAY,
        today=TODAY,
        recorded=Recorded(declines_automatic=True),
    )
    assert not result.eligible
    # Declining s17(4) leaves s17(1) open: fear or distress still counts.
    feared = assess(
        offences=[catalogue("SOA2003-S1")],
        complainant=True,
        born=date(1990, 1, 1),
        hearing_on=TODAY,
        today=TODAY,
        recorded=Recorded(declines_automatic=True, fear_or_distress=True, factors=("offence",)),
    )
    assert [f.code for f in feared.grounds] == ["s17_fear"]


@pytest.mark.parametrize("section", [1, 2])
def test_modern_slavery_s1_and_s2_complainants_are_automatic(section: int) -> None:
    finding = s17_4_modern_slavery([catalogue(f"MSA2015-S{section}")], complainant=True)
    assert finding is not None
    assert finding.applies is True
    assert f"Modern Slavery Act 2015 s{section}" in finding.explanation


def test_other_modern_slavery_act_sections_are_not_automatic() -> None:
    assert s17_4_modern_slavery([offence(msa=3)], complainant=True) is None
    assert s17_4_modern_slavery([catalogue("MSA2015-S2")], complainant=False) is None


def test_domestic_abuse_complainant_is_automatic_with_a_commencement_caveat() -> None:
    finding = s17_4a_domestic_abuse([catalogue("SCA2015-S76")], complainant=True)
    assert finding is not None
    assert finding.applies is True
    assert finding.section == "s17(4A)"
    assert "specified purposes" in finding.explanation
    assert s17_4a_domestic_abuse([catalogue("SCA2015-S76")], complainant=False) is None
    assert s17_4a_domestic_abuse([offence()], complainant=True) is None


def test_any_witness_in_a_weapons_case_is_automatic() -> None:
    finding = s17_5_weapons([catalogue("FA1968-S5")])
    assert finding is not None
    assert finding.applies is True
    assert finding.section == "s17(5)-(7), Sch 1A"
    result = assess(
        offences=[catalogue("FA1968-S5")],
        complainant=False,  # an eyewitness, not the complainant
        born=date(1980, 1, 1),
        hearing_on=TODAY,
        today=TODAY,
    )
    assert [f.code for f in result.automatic] == ["s17_5_weapons"]
    assert s17_5_weapons([offence()]) is None
    declined = s17_5_weapons([catalogue("FA1968-S5")], declined=True)
    assert declined is not None
    assert declined.applies is False


# --- s21: the child witness primary rule ------------------------------------------------------


def test_primary_rule_applies_to_a_child_at_the_hearing() -> None:
    child = s16_age(date(2012, 1, 1), TODAY)
    rule = s21_primary_rule(child)
    assert rule is not None
    assert rule.applies is True
    assert "video-recorded interview" in rule.explanation


def test_a_child_may_opt_out_of_the_primary_rule() -> None:
    rule = s21_primary_rule(s16_age(date(2012, 1, 1), TODAY), opts_out=True)
    assert rule is not None
    assert rule.applies is False
    assert rule.declined
    assert "The court decides" in rule.explanation


def test_no_primary_rule_for_an_adult_or_unknown_age() -> None:
    assert s21_primary_rule(s16_age(date(1990, 1, 1), TODAY)) is None
    assert s21_primary_rule(s16_age(None, TODAY)) is None


# --- the whole assessment -----------------------------------------------------------------------


def test_a_cse_complainant_child_is_vulnerable_and_intimidated_automatically() -> None:
    result = assess(
        offences=[catalogue("SOA2003-S48")],
        complainant=True,
        born=date(2011, 4, 1),
        hearing_on=date(2026, 9, 1),
        today=TODAY,
    )
    assert [f.code for f in result.grounds] == ["s16_age", "s17_4_sexual"]
    assert all(f.automatic for f in result.grounds)
    assert result.summary == "Vulnerable (s16) and intimidated (s17), automatic"
    assert result.primary_rule is not None
    assert result.primary_rule.applies


def test_nothing_recorded_is_not_eligible() -> None:
    result = assess(
        offences=[offence()], complainant=True, born=date(1980, 1, 1), hearing_on=TODAY, today=TODAY
    )
    assert not result.eligible
    assert result.summary == "Not eligible on what is recorded"


def test_intermediary_and_aids_need_an_s16_ground() -> None:
    intimidated = assess(
        offences=[catalogue("SOA2003-S1")],
        complainant=True,
        born=date(1990, 1, 1),
        hearing_on=TODAY,
        today=TODAY,
    )
    warnings = measure_warnings(["s24", "s29"], intimidated)
    assert len(warnings) == 1
    assert "s18(1)" in warnings[0]
    assert measure_warnings(["s23", "s24", "s28"], intimidated) == []
    vulnerable = assess(
        offences=[], complainant=False, born=date(2012, 1, 1), hearing_on=TODAY, today=TODAY
    )
    assert measure_warnings(["s29", "s30"], vulnerable) == []
    nobody = assess(
        offences=[], complainant=False, born=date(1980, 1, 1), hearing_on=TODAY, today=TODAY
    )
    assert measure_warnings(["s23"], nobody) == [
        "No eligibility ground is recorded for this witness yet."
    ]
