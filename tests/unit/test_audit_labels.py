"""The access log's action labels (portal.audit.labels): the steps that matter most have a
label of their own; any other action is still shown in words, never as a bare code."""

from __future__ import annotations

import pytest

from portal.audit.labels import ACTION_LABELS, action_label, list_label, refusal_reason
from portal.web.denials import ACTION as REFUSED


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("account.signed_in", "Signed in"),
        ("account.sign_in_failed", "Failed to sign in"),
        (REFUSED, "Was refused a page"),
        ("account.access_changed", "Changed an account's role or workplace"),
        ("account.deactivated", "Deactivated an account"),
        ("unmask.view", "Saw a sealed identity (unmasked)"),
        ("person.view", "Viewed a person's page"),
        ("unmask.approve", "Approved seeing a sealed identity"),
    ],
)
def test_the_steps_that_matter_have_their_own_label(action: str, label: str) -> None:
    assert action_label(action) == label


def test_an_unknown_action_is_shown_in_words() -> None:
    assert action_label("vlu.bulk.some_new_step") == "Vlu: bulk some new step"
    assert action_label(None) == ""


def test_labels_are_sentences_not_codes() -> None:
    for action, label in ACTION_LABELS.items():
        assert label[:1].isupper(), action
        assert "_" not in label and "." not in label, action


def test_a_list_page_counts_people() -> None:
    assert list_label(1) == "Viewed a list of 1 person"
    assert list_label(12) == "Viewed a list of 12 people"


def test_a_refusal_says_why() -> None:
    assert refusal_reason("route") == "not open to their role"
    assert refusal_reason("ActionNotPermitted") == "refused by the rules for this action"
    assert refusal_reason(None) == ""
