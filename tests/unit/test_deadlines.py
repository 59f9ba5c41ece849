"""Due dates for every 2020 Code entitlement, worked out by hand around bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.victims_code.deadlines import due_date, special_measures_application_due
from portal.victims_code.rules import RULES_DIR, Settings, load_rules

RULES = load_rules(RULES_DIR / "2020.toml")
D = date

# code, trigger, received, due for a standard victim, due for an enhanced victim.
# Calendar notes: Easter 2026 Fri 3 + Mon 6 Apr; Christmas 2026 Fri 25 + Mon 28 Dec (substitute),
# Fri 1 Jan 2027; Easter 2027 Fri 26 + Mon 29 Mar; Christmas 2027 Mon 27 + Tue 28 Dec
# (substitutes); New Year 2028 Mon 3 Jan (substitute); Early May 2026 Mon 4 May.
CASES = [
    ("R1-UNDERSTAND", D(2026, 4, 2), None, None, None),
    ("R2-CRIME-RECORDED", D(2026, 12, 24), None, None, None),
    ("R3-POLICE-CONFIRMATION", D(2027, 12, 24), None, None, None),
    ("R3-REPORT-FRAUD-CONFIRMATION", D(2027, 12, 31), None, None, None),
    ("R4-NEEDS-ASSESSMENT", D(2026, 4, 2), None, None, None),
    ("R4-SUPPORT-REFERRAL", D(2026, 4, 2), None, D(2026, 4, 8), D(2026, 4, 8)),
    ("R4-SUPPORT-REFERRAL", D(2026, 12, 24), None, D(2026, 12, 30), D(2026, 12, 30)),
    ("R4-WCU-NEEDS-ASSESSMENT", D(2026, 12, 24), None, None, None),
    ("R5-COMPENSATION-INFO", D(2026, 4, 3), None, None, None),
    ("R6-POLICE-ARREST", D(2026, 4, 2), None, D(2026, 4, 13), D(2026, 4, 7)),
    ("R6-POLICE-INTERVIEW", D(2026, 4, 3), None, D(2026, 4, 13), D(2026, 4, 7)),
    ("R6-POLICE-RELEASE", D(2026, 12, 24), None, D(2027, 1, 5), D(2026, 12, 29)),
    ("R6-POLICE-BAIL-CHANGE", D(2026, 12, 23), None, D(2027, 1, 4), D(2026, 12, 24)),
    ("R6-POLICE-NO-INVESTIGATION", D(2027, 12, 24), None, D(2028, 1, 5), D(2027, 12, 29)),
    ("R6-POLICE-CHARGE", D(2027, 12, 23), None, D(2028, 1, 4), D(2027, 12, 24)),
    ("R6-POLICE-NO-CHARGE", D(2027, 12, 31), None, D(2028, 1, 10), D(2028, 1, 4)),
    ("R6-POLICE-OUT-OF-COURT", D(2027, 12, 30), None, D(2028, 1, 7), D(2027, 12, 31)),
    ("R6-POLICE-VRR-ACK", D(2026, 12, 18), D(2026, 12, 24), D(2027, 1, 12), D(2027, 1, 12)),
    ("R6-POLICE-VRR-OUTCOME", D(2027, 12, 20), D(2027, 12, 22), D(2028, 2, 7), D(2028, 2, 7)),
    ("R6-CPS-NO-CHARGE", D(2026, 12, 24), None, D(2027, 1, 5), D(2026, 12, 29)),
    ("R6-CPS-DISCONTINUANCE", D(2026, 4, 2), None, D(2026, 4, 13), D(2026, 4, 7)),
    ("R6-CPS-OFFER-NO-EVIDENCE", D(2027, 12, 27), None, D(2028, 1, 5), D(2027, 12, 29)),
    ("R6-CPS-SUBSTANTIAL-ALTERATION", D(2027, 12, 28), None, D(2028, 1, 5), D(2027, 12, 29)),
    ("R6-CPS-VRR-REQUEST", D(2027, 12, 24), None, D(2028, 1, 12), D(2028, 1, 12)),
    ("R7-VPS-OFFER", D(2026, 12, 24), None, None, None),
    ("R7-VPS-TO-COURT", D(2026, 12, 24), D(2026, 12, 24), None, None),
    ("R8-WCU-HEARING", D(2026, 12, 22), D(2026, 12, 24), D(2026, 12, 29), D(2026, 12, 29)),
    ("R8-COURT-BAIL-TO-WCU", D(2026, 12, 24), None, D(2027, 1, 5), D(2027, 1, 5)),
    ("R8-WCU-BAIL", D(2026, 12, 24), D(2026, 12, 31), D(2027, 1, 8), D(2027, 1, 4)),
    ("R8-WCU-GIVE-EVIDENCE", D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 7), D(2026, 4, 7)),
    ("R8-WCU-SPECIAL-MEASURES", D(2027, 12, 23), D(2027, 12, 24), D(2028, 1, 5), D(2027, 12, 29)),
    ("R9-COURT-VERDICT-TO-WCU", D(2026, 4, 2), None, D(2026, 4, 13), D(2026, 4, 13)),
    ("R9-COURT-SENTENCE-TO-WCU", D(2027, 12, 31), None, D(2028, 1, 10), D(2028, 1, 10)),
    ("R9-WCU-VERDICT", D(2026, 12, 23), D(2026, 12, 24), D(2026, 12, 29), D(2026, 12, 29)),
    ("R9-WCU-SENTENCE", D(2027, 12, 31), D(2027, 12, 31), D(2028, 1, 4), D(2028, 1, 4)),
    ("R9-WCU-PROTECTIVE-ORDER", D(2026, 12, 24), D(2026, 12, 24), D(2026, 12, 29), D(2026, 12, 29)),
    ("R9-APPEAL", D(2027, 12, 24), D(2027, 12, 24), None, None),
    ("R10-EXPENSES", D(2026, 4, 2), D(2026, 4, 2), None, None),
    ("R10-PROPERTY-RETURN", D(2026, 4, 2), None, None, None),
    ("R11-VCS-REFERRAL", D(2026, 12, 24), None, D(2027, 1, 26), D(2027, 1, 26)),
    ("R12-COMPLAINT-RESPONSE", D(2027, 3, 24), D(2027, 3, 25), D(2027, 4, 12), D(2027, 4, 12)),
]


def test_every_entitlement_in_the_rules_file_has_a_worked_example() -> None:
    assert {case[0] for case in CASES} == {e.code for e in RULES.entitlements}


@pytest.mark.parametrize(("code", "trigger", "received", "standard", "enhanced"), CASES)
def test_due_dates_for_standard_and_enhanced_victims(
    code: str, trigger: date, received: date | None, standard: date | None, enhanced: date | None
) -> None:
    item = RULES.get(code)
    for is_enhanced, expected in ((False, standard), (True, enhanced)):
        result = due_date(
            item,
            trigger=trigger,
            received=received,
            enhanced=is_enhanced,
            calendar=ENGLAND_AND_WALES,
        )
        assert result.due == expected, f"{code} enhanced={is_enhanced}: {result.explain()}"
        assert result.explain().startswith("no fixed time limit" if expected is None else "")


def test_the_explanation_names_the_holidays_and_weekend() -> None:
    result = due_date(
        RULES.get("R6-CPS-NO-CHARGE"), trigger=D(2026, 12, 24), received=None, enhanced=True
    )
    assert result.explain() == (
        "due Tue 29 Dec 2026: decision recorded Thu 24 Dec; enhanced rights, 1 working day; "
        "25 and 28 Dec are bank holidays: Christmas Day, Boxing Day (substitute day); "
        "weekend 26-27 Dec skipped"
    )
    standard = due_date(
        RULES.get("R6-CPS-NO-CHARGE"), trigger=D(2026, 12, 24), received=None, enhanced=False
    )
    assert standard.explain().startswith(
        "due Tue 5 Jan 2027: decision recorded Thu 24 Dec 2026; standard rights, 5 working days; "
        "25 and 28 Dec 2026 and 1 Jan are bank holidays"
    )


def test_clock_from_receipt_counts_from_the_received_date() -> None:
    item = RULES.get("R9-WCU-VERDICT")
    on_event = due_date(item, trigger=D(2026, 12, 23), received=D(2026, 12, 23), enhanced=False)
    on_receipt = due_date(item, trigger=D(2026, 12, 23), received=D(2026, 12, 24), enhanced=False)
    assert on_event.due == D(2026, 12, 24)
    assert on_receipt.due == D(2026, 12, 29)
    assert "verdict Wed 23 Dec; received Thu 24 Dec; all victims, 1 working day" in (
        on_receipt.explain()
    )


def test_missing_receipt_falls_back_to_the_trigger_and_says_so() -> None:
    item = RULES.get("R8-WCU-HEARING")
    result = due_date(item, trigger=D(2027, 12, 24), received=None, enhanced=True)
    assert result.due == D(2027, 12, 29)
    assert result.fell_back_to_trigger
    assert "received date not recorded, so counted from the hearing listed date" in (
        result.explain()
    )


def test_event_clocks_ignore_the_received_date() -> None:
    item = RULES.get("R6-CPS-DISCONTINUANCE")
    result = due_date(item, trigger=D(2026, 4, 2), received=D(2026, 4, 9), enhanced=True)
    assert result.due == D(2026, 4, 7)
    assert "received" not in result.explain()


def test_a_receipt_before_the_event_is_refused() -> None:
    with pytest.raises(ValueError, match="before the trigger date"):
        due_date(
            RULES.get("R9-WCU-VERDICT"),
            trigger=D(2026, 4, 2),
            received=D(2026, 4, 1),
            enhanced=False,
        )


def test_no_fixed_limit_explains_itself() -> None:
    result = due_date(
        RULES.get("R7-VPS-OFFER"), trigger=D(2026, 12, 24), received=None, enhanced=True
    )
    assert result.due is None
    assert result.explain() == (
        "no fixed time limit: crime reported Thu 24 Dec 2026; "
        "no working-day limit: must be offered before sentence"
    )


def test_unconfirmed_limits_are_not_flagged_to_officers_and_victim_windows_are() -> None:
    sm = due_date(
        RULES.get("R8-WCU-SPECIAL-MEASURES"),
        trigger=D(2026, 4, 2),
        received=D(2026, 4, 2),
        enhanced=True,
    )
    assert sm.confidence == "UNCONFIRMED"  # known to the rules data ...
    assert "UNCONFIRMED" not in sm.explain() and "configurable" not in sm.explain()  # not shown
    window = due_date(
        RULES.get("R6-CPS-VRR-REQUEST"), trigger=D(2026, 4, 2), received=None, enhanced=False
    )
    assert window.explain().startswith("window closes Mon 20 Apr 2026: decision letter sent")


def test_counting_the_trigger_day_is_a_setting() -> None:
    item = RULES.get("R6-CPS-NO-CHARGE")
    enhanced = due_date(
        item, trigger=D(2026, 12, 23), received=None, enhanced=True, trigger_day_counts=True
    )
    standard = due_date(
        item, trigger=D(2026, 12, 23), received=None, enhanced=False, trigger_day_counts=True
    )
    on_saturday = due_date(
        item, trigger=D(2026, 12, 26), received=None, enhanced=True, trigger_day_counts=True
    )
    assert (enhanced.due, standard.due, on_saturday.due) == (
        D(2026, 12, 23),
        D(2026, 12, 31),
        D(2026, 12, 29),
    )
    assert "Wed 23 Dec counted as day 1" in enhanced.explain()


def test_special_measures_application_limits_come_from_settings() -> None:
    plea = D(2026, 4, 2)
    crown = special_measures_application_due(plea, court="crown", settings=Settings())
    magistrates = special_measures_application_due(plea, court="magistrates", settings=Settings())
    assert crown.due == D(2026, 4, 20)
    assert magistrates.due == D(2026, 5, 5)  # Early May bank holiday on Mon 4 May skipped
    assert "magistrates' court, 20 business days" in magistrates.explain()
    longer = Settings(special_measures_application_business_days_magistrates=28)
    assert special_measures_application_due(plea, court="magistrates", settings=longer).due == D(
        2026, 5, 15
    )


TIMED = [e for e in RULES.entitlements if e.standard_limit is not None]
dates = st.dates(min_value=date(2021, 4, 1), max_value=date(2030, 12, 31))


@settings(database=None, max_examples=300)
@given(
    index=st.integers(min_value=0, max_value=len(TIMED) - 1),
    trigger=dates,
    delay=st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
    counts=st.booleans(),
)
def test_due_date_properties(index: int, trigger: date, delay: int | None, counts: bool) -> None:
    item = TIMED[index]
    received = None if delay is None else trigger + timedelta(days=delay)
    results = [
        due_date(item, trigger=trigger, received=received, enhanced=e, trigger_day_counts=counts)
        for e in (False, True)
    ]
    standard, enhanced = (r.due for r in results)
    assert standard is not None
    assert enhanced is not None
    assert ENGLAND_AND_WALES.is_working_day(standard)
    assert ENGLAND_AND_WALES.is_working_day(enhanced)
    assert enhanced <= standard
    assert enhanced >= trigger
    if not counts:
        assert enhanced > trigger
    if item.clock_start == "received" and received is not None:
        assert enhanced >= received


@settings(database=None, max_examples=300)
@given(
    index=st.integers(min_value=0, max_value=len(TIMED) - 1),
    trigger=dates,
    gap=st.integers(min_value=0, max_value=45),
    enhanced=st.booleans(),
)
def test_an_extra_bank_holiday_never_makes_a_deadline_earlier(
    index: int, trigger: date, gap: int, enhanced: bool
) -> None:
    item = TIMED[index]
    extra = ENGLAND_AND_WALES.with_extra_holidays({trigger + timedelta(days=gap): "Extra"})
    plain = due_date(item, trigger=trigger, received=None, enhanced=enhanced)
    more = due_date(item, trigger=trigger, received=None, enhanced=enhanced, calendar=extra)
    assert plain.due is not None
    assert more.due is not None
    assert more.due >= plain.due
