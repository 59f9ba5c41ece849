"""Readability (Flesch reading ease, computed here) and the letter templates' merge fields."""

from __future__ import annotations

from datetime import date

import pytest

from portal.vlu import letters
from portal.vlu.letters import FIELDS, TEMPLATES, LetterFacts, MergeError, compose, merge
from portal.vlu.readability import TARGET, flesch, sentences_of, syllables

REASONS = (
    "We looked at all the evidence again. A key witness has told us they can no longer "
    "remember what happened. Without their evidence, there is not enough to prove the case "
    "in court."
)


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("cat", 1),
        ("happy", 2),
        ("table", 2),
        ("decision", 3),
        ("prosecution", 4),
        ("discontinue", 4),
        ("stopped", 1),
        ("case", 1),
    ],
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_a_known_score() -> None:
    result = flesch("The cat sat on the mat.")
    assert (result.words, result.sentences, result.syllables) == (6, 1, 6)
    assert result.score == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1, abs=0.05)
    assert result.meets_target


def test_lines_without_a_full_stop_are_sentences() -> None:
    assert sentences_of("Dear Vera Victim\n\nI am writing. It is about your case.\nYours") == [
        "Dear Vera Victim",
        "I am writing.",
        "It is about your case.",
        "Yours",
    ]


def test_jargon_and_long_sentences_score_lower_and_are_named() -> None:
    plain = flesch("We have stopped the case. There is not enough evidence. We are sorry.")
    legal = flesch(
        "Pursuant to the Code for Crown Prosecutors, notwithstanding the aforementioned "
        "considerations, the evidential stage was not satisfied in respect of the indictment, "
        "as there was no realistic prospect of conviction on the available evidence adduced."
    )
    assert plain.score >= TARGET > legal.score
    assert plain.jargon == ()
    assert {"pursuant to", "notwithstanding", "evidential", "adduce", "in respect of"} <= set(
        legal.jargon
    )
    assert legal.long_sentences == 1
    assert legal.band in {"Difficult", "Very difficult"}


def test_no_text() -> None:
    empty = flesch("   \n ")
    assert empty.words == 0
    assert not empty.meets_target
    assert empty.band == "No text yet"


@pytest.mark.parametrize("kind", list(TEMPLATES))
@pytest.mark.parametrize("vrr", [True, False])
def test_every_template_merges_and_is_plain_english(kind: str, vrr: bool) -> None:
    text = compose(
        LetterFacts(
            decision_kind=kind,
            greeting_name="Vera Victim",
            urn="01AB1234526",
            decision_date=date(2026, 3, 3),
            reasons=REASONS,
            vrr_applies=vrr and kind != "substantial_alteration",
            meeting_offered=True,
            unit_name="CPS London North Victim Liaison Unit",
            officer_name="Grace Lewis",
            vrr_window=10,
            vrr_longstop=3,
        )
    )
    assert "{{" not in text and "}}" not in text
    assert text.startswith("Dear Vera Victim\n")
    assert "3 March 2026" in text and "01AB1234526" in text and REASONS in text
    assert ("Victims' Right to Review" in text) is (vrr and kind != "substantial_alteration")
    assert "Meeting us" in text
    assert "\n\n\n" not in text
    assert flesch(text).score >= TARGET


def test_after_offering_no_evidence_the_letter_says_the_case_cannot_restart() -> None:
    facts = {
        "greeting_name": None,
        "urn": "01AB1234526",
        "decision_date": date(2026, 3, 3),
        "reasons": REASONS,
        "vrr_applies": True,
        "meeting_offered": False,
        "unit_name": "Unit",
        "officer_name": "Officer",
        "vrr_window": 10,
        "vrr_longstop": 3,
    }
    one = compose(LetterFacts(decision_kind="offer_no_evidence", **facts))
    other = compose(LetterFacts(decision_kind="discontinuance", **facts))
    assert "we cannot start the case again" in one
    assert "the case may start again" in other
    assert one.startswith("Dear Sir or Madam")
    assert "Meeting us" not in one


def test_templates_use_only_documented_fields() -> None:
    for name in [*TEMPLATES, "vrr", "meeting"]:
        used = letters.fields_used(letters.template_text(name))
        assert used <= set(FIELDS), (name, used - set(FIELDS))
    assert "reasons" in letters.fields_used(letters.template_text("discontinuance"))


def test_a_missing_field_is_an_error_never_left_in_the_letter() -> None:
    with pytest.raises(MergeError):
        merge("Dear {{greeting_name}}", {"greeting": "x"})
    with pytest.raises(MergeError):
        letters.template_text("../../etc/passwd")


def test_jargon_comes_from_rules_data_and_is_matched_without_case() -> None:
    from portal.vlu.readability import jargon_terms, parse_jargon

    terms = jargon_terms()
    assert {"notwithstanding", "pursuant to", "full code test"} <= set(terms)
    found = flesch("The Full Code Test was applied, NOTWITHSTANDING this, pursuant to policy.")
    assert found.jargon == tuple(
        t for t in terms if t in {"notwithstanding", "pursuant to", "full code test"}
    )
    assert flesch("We stopped the case.", ("stopped",)).jargon == ("stopped",)
    assert flesch("We stopped the case.", ()).jargon == ()
    with pytest.raises(ValueError, match="plain_english"):
        parse_jargon({})
    with pytest.raises(ValueError, match="plain_english"):
        parse_jargon({"plain_english": {"jargon": ["ok", ""]}})
