from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.security import passwords
from portal.security.passwords import check_password_policy


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "fourteen chars",
        "password",
        "passwordpassword",
        "123456789012345",
        "qwertyqwertyqwerty",
    ],
)
def test_short_or_common_passwords_are_rejected(password: str) -> None:
    assert not check_password_policy(password).ok


@pytest.mark.parametrize(
    "password",
    [
        "a long unusual passphrase",
        "correct horse battery staple",
        "x7$Qp!zR2m#Lw9vK",
        "é" * 4 + "ñøß þæ ðœ ŵħý",
    ],
)
def test_long_uncommon_passwords_are_accepted(password: str) -> None:
    assert check_password_policy(password).ok, check_password_policy(password).message


def test_no_composition_rules_and_64_plus_characters_allowed() -> None:
    assert check_password_policy("all lower case words are fine here").ok
    long = "the quick brown fox jumps over the lazy dog by the riverside at dawn"
    assert len(long) >= 64 and check_password_policy(long).ok


def test_context_words_and_username_are_rejected() -> None:
    assert not check_password_policy("safeguardingportal2026").ok
    assert not check_password_policy("witnessvictimcps12345").ok
    assert not check_password_policy("my name is jane.doe ok", username="jane.doe").ok


def test_byte_cap() -> None:
    assert not check_password_policy("a unique passphrase " + "😀" * 300).ok


def test_no_truncation_after_72_bytes() -> None:
    real = "horse " * 12 + "battery staple"
    stored = passwords.hash_password(real)
    assert passwords.verify_password(stored, real)
    assert not passwords.verify_password(stored, real[:-1] + "X")
    assert not passwords.verify_password(stored, real.upper())  # no case folding


def test_unknown_user_costs_a_verify_and_fails() -> None:
    assert passwords.verify_password(None, "anything at all here") is False


def test_hash_parameters_meet_the_floor() -> None:
    stored = passwords.hash_password("a long unusual passphrase")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_policy_accepts_only_long_enough_texts(password: str) -> None:
    result = check_password_policy(password)
    if len(password) < 15 or len(password.encode()) > 1024:
        assert not result.ok
    if result.ok:
        assert len(password) >= 15
    assert result.ok or result.message
