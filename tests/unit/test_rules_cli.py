"""``portal rules``: due, workdays and list, including one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portal.victims_code.cli import rules
from tests.unit.test_victims_code_rules import EXPECTED_2020, VALID


def run(*args: str) -> Result:
    return CliRunner().invoke(rules, list(args))


def assert_one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_due_prints_the_iso_date_then_the_explanation() -> None:
    result = run("due", "R6-CPS-NO-CHARGE", "--trigger", "2026-12-24", "--enhanced")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2026-12-29",
        "due Tue 29 Dec 2026: decision recorded Thu 24 Dec; enhanced rights, 1 working day; "
        "25 and 28 Dec are bank holidays: Christmas Day, Boxing Day (substitute day); "
        "weekend 26-27 Dec skipped",
    ]


def test_due_for_a_standard_victim_and_a_lower_case_code() -> None:
    result = run("due", "r6-cps-no-charge", "--trigger", "2026-12-24")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "2027-01-05"


def test_due_counts_from_receipt_when_the_clock_starts_there() -> None:
    result = run("due", "R9-WCU-SENTENCE", "--trigger", "2027-12-23", "--received", "2027-12-24")
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert first == "2027-12-29"
    assert "sentence Thu 23 Dec; received Fri 24 Dec" in second
    assert "27 and 28 Dec are bank holidays" in second


def test_due_without_a_fixed_limit_prints_none() -> None:
    result = run("due", "R5-COMPENSATION-INFO", "--trigger", "2026-04-03")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "none"
    assert result.stdout.splitlines()[1].startswith("no fixed time limit")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("due", "R99-NOPE", "--trigger", "2026-04-02"), "unknown entitlement code 'R99-NOPE'"),
        (("due", "R9-WCU-VERDICT", "--trigger", "2026-02-30"), "--trigger must be a date"),
        (
            ("due", "R9-WCU-VERDICT", "--trigger", "2026-04-02", "--received", "4/4/26"),
            "--received",
        ),
        (
            ("due", "R9-WCU-VERDICT", "--trigger", "2026-04-02", "--received", "2026-04-01"),
            "is before the trigger date",
        ),
        (("due", "R9-WCU-VERDICT", "--trigger", "2020-01-01"), "no Victims' Code rules version"),
        (("workdays", "2026-13-01", "3"), "START must be a date"),
        (("workdays", "2026-12-24", "three"), "N must be a whole number"),
        (("list", "--on", "yesterday"), "--on must be a date"),
        (("list", "--rules-file", "/nonexistent/rules.toml"), "cannot read rules file"),
    ],
)
def test_errors_exit_2_with_one_line(args: tuple[str, ...], fragment: str) -> None:
    assert_one_line_error(run(*args), fragment)


def test_a_broken_rules_file_is_reported_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(VALID.replace("right = 6", "right = 13"), encoding="utf-8")
    result = run("due", "X-1", "--trigger", "2030-06-03", "--rules-file", str(path))
    assert_one_line_error(result, "entitlement X-1: field 'right' must be between 1 and 12")


def test_a_rules_file_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(VALID, encoding="utf-8")
    result = run("due", "X-1", "--trigger", "2030-06-03", "--rules-file", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "2030-06-10"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-12-24", "1", "2026-12-29"),
        ("2027-12-24", "1", "2027-12-29"),
        ("2027-12-31", "1", "2028-01-04"),
        ("2026-04-02", "5", "2026-04-13"),
        ("2026-04-02", "0", "2026-04-02"),
    ],
)
def test_workdays_prints_the_date_first(start: str, n: str, expected: str) -> None:
    result = run("workdays", start, n)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == expected


def test_workdays_names_the_skipped_days() -> None:
    result = run("workdays", "2026-12-24", "1")
    assert result.stdout.splitlines()[1] == (
        "1 working day after Thu 24 Dec 2026; skipped Fri 25 Dec 2026: Christmas Day; "
        "Sat 26 Dec 2026: weekend; Sun 27 Dec 2026: weekend; "
        "Mon 28 Dec 2026: Boxing Day (substitute day)"
    )
    business = run("workdays", "2026-04-02", "10", "--business-days")
    assert business.stdout.splitlines()[0] == "2026-04-20"
    assert "10 business days after" in business.stdout


def test_list_shows_every_entitlement() -> None:
    result = run("list", "--on", "2026-06-01")
    assert result.exit_code == 0, result.output
    for code in EXPECTED_2020:
        assert code in result.stdout
    assert "5 WD" in result.stdout
    assert "from receipt" in result.stdout


def test_list_json_has_every_entitlement_with_limits() -> None:
    result = run("list", "--json", "--on", "2026-06-01")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["version"] == "2020"
    assert data["in_force_from"] == "2021-04-01"
    assert data["settings"]["vrr_request_window_working_days"] == 10
    found = {
        e["code"]: (e["standard_limit"], e["enhanced_limit"], e["clock_start"])
        for e in data["entitlements"]
    }
    assert found == {code: (v[3], v[4], v[5]) for code, v in EXPECTED_2020.items()}
    vcs = next(e for e in data["entitlements"] if e["code"] == "R11-VCS-REFERRAL")
    assert vcs["conditions"]["min_custody_months"] == 12


def test_review_prints_the_right_to_review_timescales_from_the_rules_data() -> None:
    result = run("review", "--sent", "2026-12-21")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Victims' Right to Review, rules version 2020"
    assert "request window: 10 WD from the decision letter" in lines
    assert "local resolution: 20 WD from the request" in lines
    assert "independent review: 30 WD from the victim's request" in lines
    assert "long-stop: 3 months from the decision letter" in lines
    # 10 working days after 21 December 2026, skipping Christmas, Boxing Day (substitute) and
    # New Year's Day.
    assert lines[-1] == "letter sent 2026-12-21: ask by 2027-01-07"


def test_review_follows_a_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    settings = "[settings]\nvrr_local_resolution_working_days = 5\n"
    path.write_text(VALID.replace("[[entitlement]]", settings + "\n[[entitlement]]", 1))
    result = run("review", "--rules-file", str(path))
    assert result.exit_code == 0, result.output
    assert "local resolution: 5 WD from the request" in result.stdout.splitlines()
