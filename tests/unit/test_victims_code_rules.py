"""Victims' Code rules files: the bundled 2020 Code, validation and version selection."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

from portal.victims_code.rules import (
    RULES_DIR,
    TRIGGER_EVENTS,
    RulesError,
    Settings,
    load_all,
    load_rules,
    parse_rules,
    rules_in_force,
)

CODE_2020 = RULES_DIR / "2020.toml"

# code: (right, trigger, responsible body, standard limit, enhanced limit, clock start)
EXPECTED_2020 = {
    "R1-UNDERSTAND": (1, "first_contact", "all_providers", None, None, "event"),
    "R2-CRIME-RECORDED": (2, "crime_reported", "police", None, None, "event"),
    "R3-POLICE-CONFIRMATION": (3, "crime_reported", "police", None, None, "event"),
    "R3-REPORT-FRAUD-CONFIRMATION": (3, "crime_reported", "report_fraud", None, None, "event"),
    "R4-NEEDS-ASSESSMENT": (4, "crime_reported", "police", None, None, "event"),
    "R4-SUPPORT-REFERRAL": (4, "crime_reported", "police", 2, 2, "event"),
    "R4-WCU-NEEDS-ASSESSMENT": (4, "not_guilty_plea", "witness_care_unit", None, None, "event"),
    "R5-COMPENSATION-INFO": (5, "crime_reported", "police", None, None, "event"),
    "R6-POLICE-ARREST": (6, "suspect_arrested", "police", 5, 1, "event"),
    "R6-POLICE-INTERVIEW": (6, "suspect_interviewed", "police", 5, 1, "event"),
    "R6-POLICE-RELEASE": (6, "suspect_released", "police", 5, 1, "event"),
    "R6-POLICE-BAIL-CHANGE": (6, "police_bail_changed", "police", 5, 1, "event"),
    "R6-POLICE-NO-INVESTIGATION": (6, "no_investigation_decision", "police", 5, 1, "event"),
    "R6-POLICE-CHARGE": (6, "charge_decision", "police", 5, 1, "event"),
    "R6-POLICE-NO-CHARGE": (6, "no_charge_decision", "police", 5, 1, "event"),
    "R6-POLICE-OUT-OF-COURT": (6, "out_of_court_disposal", "police", 5, 1, "event"),
    "R6-POLICE-VRR-ACK": (6, "vrr_request", "police", 10, 10, "received"),
    "R6-POLICE-VRR-OUTCOME": (6, "vrr_request", "police", 30, 30, "received"),
    "R6-CPS-NO-CHARGE": (6, "no_charge_decision", "vlu", 5, 1, "event"),
    "R6-CPS-DISCONTINUANCE": (6, "discontinuance", "vlu", 5, 1, "event"),
    "R6-CPS-OFFER-NO-EVIDENCE": (6, "offer_no_evidence", "vlu", 5, 1, "event"),
    "R6-CPS-SUBSTANTIAL-ALTERATION": (6, "substantial_alteration", "vlu", 5, 1, "event"),
    "R6-CPS-VRR-REQUEST": (6, "vcl_letter_sent", "cps", 10, 10, "event"),
    "R7-VPS-OFFER": (7, "crime_reported", "police", None, None, "event"),
    "R7-VPS-TO-COURT": (7, "vps_made", "cps", None, None, "received"),
    "R8-WCU-HEARING": (8, "hearing_listed", "witness_care_unit", 1, 1, "received"),
    "R8-COURT-BAIL-TO-WCU": (8, "bail_decision", "court", 5, 5, "event"),
    "R8-WCU-BAIL": (8, "bail_decision", "witness_care_unit", 5, 1, "received"),
    "R8-WCU-GIVE-EVIDENCE": (8, "required_to_give_evidence", "witness_care_unit", 1, 1, "received"),
    "R8-WCU-SPECIAL-MEASURES": (
        8,
        "special_measures_decision",
        "witness_care_unit",
        5,
        1,
        "received",
    ),
    "R9-COURT-VERDICT-TO-WCU": (9, "verdict", "court", 5, 5, "event"),
    "R9-COURT-SENTENCE-TO-WCU": (9, "sentence", "court", 5, 5, "event"),
    "R9-WCU-VERDICT": (9, "verdict", "witness_care_unit", 1, 1, "received"),
    "R9-WCU-SENTENCE": (9, "sentence", "witness_care_unit", 1, 1, "received"),
    "R9-WCU-PROTECTIVE-ORDER": (
        9,
        "protective_order_made",
        "witness_care_unit",
        1,
        1,
        "received",
    ),
    "R9-APPEAL": (9, "appeal", "witness_care_unit", None, None, "received"),
    "R10-EXPENSES": (10, "expenses_claim", "cps", None, None, "received"),
    "R10-PROPERTY-RETURN": (10, "property_no_longer_needed", "police", None, None, "event"),
    "R11-VCS-REFERRAL": (11, "sentence", "witness_care_unit", 20, 20, "event"),
    # complaints to the CPS are answered by its Victim Liaison Unit (DR 2)
    "R12-COMPLAINT-RESPONSE": (12, "complaint_received", "vlu", 10, 10, "received"),
}

VALID = """
[rules]
version = "test"
title = "Test Code"
in_force_from = 2030-01-01
source = "test"

[[entitlement]]
code = "X-1"
right = 6
title = "A decision letter"
description = "Told of a decision."
trigger = "discontinuance"
responsible_body = "vlu"
standard_limit = 5
enhanced_limit = 1
clock_start = "event"
opt_out = false
confidence = "P"
source = "test"
"""


def write(tmp_path: Path, text: str, name: str = "test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_2020_code_file_has_every_expected_entitlement_and_limit() -> None:
    rules = load_rules(CODE_2020)
    assert rules.version == "2020"
    assert rules.in_force_from == date(2021, 4, 1)
    assert rules.in_force_until is None
    found = {
        e.code: (
            e.right,
            e.trigger,
            e.responsible_body,
            e.standard_limit,
            e.enhanced_limit,
            e.clock_start,
        )
        for e in rules.entitlements
    }
    assert found == EXPECTED_2020
    assert {e.right for e in rules.entitlements} == set(range(1, 13))


def test_every_2020_entitlement_is_sourced_and_uses_known_triggers() -> None:
    for item in load_rules(CODE_2020).entitlements:
        assert item.source.strip(), item.code
        assert item.description.strip(), item.code
        assert item.confidence in {"P", "S", "R", "UNCONFIRMED"}, item.code
        assert item.trigger in TRIGGER_EVENTS, item.code


def test_2020_conditions_opt_outs_and_configurable_limits() -> None:
    rules = load_rules(CODE_2020)
    vcs = rules.get("R11-VCS-REFERRAL")
    assert vcs.conditions.requires_violent_or_sexual_offence
    assert vcs.conditions.min_custody_months == 12
    assert vcs.conditions.hospital_order_qualifies
    assert vcs.opt_out
    assert vcs.confidence == "UNCONFIRMED"
    assert vcs.limit_settings == ("vcs_referral_working_days",)
    vrr = rules.get("R6-CPS-VRR-REQUEST")
    assert vrr.conditions.decision_ends_all_proceedings
    assert vrr.kind == "window"
    assert vrr.limit_settings == ("vrr_request_window_working_days",)
    assert not rules.get("R6-CPS-SUBSTANTIAL-ALTERATION").conditions.decision_ends_all_proceedings
    assert rules.get("R6-CPS-NO-CHARGE").conditions.decision_maker == "cps"
    assert rules.get("R6-POLICE-NO-CHARGE").conditions.decision_maker == "police"
    assert rules.get("R4-SUPPORT-REFERRAL").opt_out
    assert rules.get("R7-VPS-OFFER").opt_out
    assert not rules.get("R9-WCU-VERDICT").opt_out
    assert rules.get("R4-WCU-NEEDS-ASSESSMENT").conditions.applies_to == "witness_also"
    assert not rules.get("R12-COMPLAINT-RESPONSE").conditions.requires_crime_report
    assert rules.get("R3-REPORT-FRAUD-CONFIRMATION").conditions.offence_categories == ("fraud",)


def test_settings_defaults_match_the_documented_values_and_the_2020_file() -> None:
    defaults = Settings()
    assert defaults.vrr_request_window_working_days == 10
    assert defaults.vrr_request_longstop_months == 3
    assert defaults.vcs_referral_working_days == 20
    assert defaults.special_measures_outcome_standard_working_days == 5
    assert defaults.special_measures_outcome_enhanced_working_days == 1
    assert defaults.special_measures_application_business_days_magistrates == 20
    assert defaults.special_measures_application_business_days_crown == 10
    assert defaults.special_measures_representations_business_days == 10
    assert defaults.support_referral_explicit_consent_categories == (
        "sexual_offence",
        "domestic_abuse",
        "bereaved",
    )
    assert defaults.trigger_day_counts is False
    assert load_rules(CODE_2020).settings == defaults


def test_settings_feed_entitlement_limits(tmp_path: Path) -> None:
    settings = (
        '[settings]\nvcs_referral_working_days = "none"\nvrr_request_window_working_days = 5\n'
    )
    text = VALID.replace("[[entitlement]]", settings + "\n[[entitlement]]")
    text = text.replace(
        "standard_limit = 5", 'standard_limit = "setting:vcs_referral_working_days"'
    )
    text = text.replace(
        "enhanced_limit = 1", 'enhanced_limit = "setting:vrr_request_window_working_days"'
    )
    rules = load_rules(write(tmp_path, text))
    item = rules.get("X-1")
    assert (item.standard_limit, item.enhanced_limit) == (None, 5)
    assert item.limit_settings == ("vcs_referral_working_days", "vrr_request_window_working_days")
    assert rules.settings.vcs_referral_working_days is None
    assert rules.settings.vrr_request_window_working_days == 5


def test_a_minimal_valid_file_loads() -> None:
    rules = parse_rules(tomllib.loads(VALID))
    assert rules.get("X-1").kind == "duty"
    assert rules.settings == Settings()
    with pytest.raises(RulesError, match="unknown entitlement code 'NOPE'"):
        rules.get("NOPE")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("right = 6", "right = 13", "entitlement X-1: field 'right' must be between 1 and 12"),
        (
            'trigger = "discontinuance"',
            'trigger = "arrested"',
            "entitlement X-1: field 'trigger' must be one of",
        ),
        (
            'responsible_body = "vlu"',
            'responsible_body = "nobody"',
            "entitlement X-1: field 'responsible_body'",
        ),
        (
            "enhanced_limit = 1",
            "enhanced_limit = 9",
            "entitlement X-1: field 'enhanced_limit' (9) is later",
        ),
        (
            "enhanced_limit = 1",
            'enhanced_limit = "none"',
            "entitlement X-1: field 'enhanced_limit' is 'none'",
        ),
        (
            "standard_limit = 5",
            "standard_limit = 0",
            "entitlement X-1: field 'standard_limit' must be a whole number",
        ),
        (
            "standard_limit = 5",
            'standard_limit = "setting:nope"',
            "unknown day-limit setting 'nope'",
        ),
        ('clock_start = "event"\n', "", "entitlement X-1: field 'clock_start' is required"),
        ("opt_out = false", 'opt_out = "no"', "entitlement X-1: field 'opt_out' must be bool"),
        (
            'confidence = "P"',
            'confidence = "likely"',
            "entitlement X-1: field 'confidence' must be one of",
        ),
        ('source = "test"\n\n[[', 'source = "test"\n[deadlines]\nx = 1\n\n[[', "unknown table"),
        ('source = "test"\n\n[[', 'source = "t"\ndeadline = 3\n\n[[', "[rules]: unknown field"),
        (
            "opt_out = false",
            "opt_out = false\ndeadline = 3",
            "entitlement X-1: unknown field 'deadline'",
        ),
        (
            "opt_out = false",
            'opt_out = false\n[entitlement.conditions]\napplies_to = "all"',
            "entitlement X-1: conditions: field 'applies_to' must be one of",
        ),
        (
            "opt_out = false",
            "opt_out = false\n[entitlement.conditions]\nmin_custody = 12",
            "entitlement X-1: conditions: unknown field 'min_custody'",
        ),
        (
            "[[entitlement]]",
            "[settings]\nvrr_request_window_days = 10\n[[entitlement]]",
            "settings: unknown field 'vrr_request_window_days'",
        ),
        (
            "[[entitlement]]",
            "[settings]\ntrigger_day_counts = 1\n[[entitlement]]",
            "settings: field 'trigger_day_counts' must be true or false",
        ),
        (
            "in_force_from = 2030-01-01",
            "in_force_from = 2030-01-01T09:00:00",
            "[rules]: field 'in_force_from' must be date",
        ),
        ('version = "test"\n', "", "[rules]: field 'version' is required"),
        ('code = "X-1"', "", "entitlement #1: field 'code' is required"),
        (
            "opt_out = false",
            "opt_out = false\ntracked = false",
            "entitlement X-1: field 'owner' must be one of ['police', 'court', 'report_fraud']",
        ),
        (
            "opt_out = false",
            'opt_out = false\ntracked = false\nowner = "cps"',
            "entitlement X-1: field 'owner' must be one of",
        ),
        (
            "opt_out = false",
            'opt_out = false\nowner = "police"',
            "entitlement X-1: field 'owner' is only for entitlements with tracked = false",
        ),
        (
            "opt_out = false",
            'opt_out = false\ntracked = "no"',
            "entitlement X-1: field 'tracked' must be true or false",
        ),
    ],
)
def test_broken_rules_files_fail_with_the_entitlement_and_field_named(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert message in str(caught.value)
    assert "test.toml" in str(caught.value)


def test_duplicate_codes_and_bad_toml_are_reported(tmp_path: Path) -> None:
    entitlement = VALID[VALID.index("[[entitlement]]") :]
    with pytest.raises(RulesError, match="entitlement X-1: field 'code' is duplicated"):
        load_rules(write(tmp_path, VALID + entitlement))
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(write(tmp_path, "[rules\n"))
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "missing.toml")
    with pytest.raises(RulesError, match="at least one entitlement"):
        load_rules(write(tmp_path, VALID[: VALID.index("[[entitlement]]")]))


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = VALID.replace("right = 6", "right = 0").replace(
        'clock_start = "event"', 'clock_start = "x"'
    )
    with pytest.raises(RulesError) as caught:
        load_rules(write(tmp_path, text))
    assert "field 'right'" in str(caught.value)
    assert "field 'clock_start'" in str(caught.value)


def test_the_version_in_force_is_chosen_by_date(tmp_path: Path) -> None:
    shutil.copy(CODE_2020, tmp_path / "2020.toml")
    newer = VALID.replace('version = "test"', 'version = "2027"').replace(
        "in_force_from = 2030-01-01", "in_force_from = 2027-01-01"
    )
    write(tmp_path, newer, "2027.toml")
    versions = load_all(tmp_path)
    assert [v.version for v in versions] == ["2020", "2027"]
    assert rules_in_force(date(2026, 12, 31), versions).version == "2020"
    assert rules_in_force(date(2027, 1, 1), versions).version == "2027"
    with pytest.raises(
        RulesError, match="no Victims' Code rules version is in force on 2021-03-31"
    ):
        rules_in_force(date(2021, 3, 31), versions)
    assert rules_in_force(date(2024, 6, 1)).version == "2020"


def test_a_version_can_end_before_the_next_one_starts(tmp_path: Path) -> None:
    ended = VALID.replace(
        "in_force_from = 2030-01-01", "in_force_from = 2030-01-01\nin_force_until = 2031-01-01"
    )
    versions = (load_rules(write(tmp_path, ended)),)
    assert rules_in_force(date(2030, 12, 31), versions).version == "test"
    with pytest.raises(RulesError, match="2031-01-01"):
        rules_in_force(date(2031, 1, 1), versions)


def test_clashing_rules_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.toml")
    write(tmp_path, VALID.replace("2030-01-01", "2032-01-01"), "b.toml")
    with pytest.raises(RulesError, match="share the version id test"):
        load_all(tmp_path)
    with pytest.raises(RulesError, match="no rules files"):
        load_all(tmp_path / "empty")
