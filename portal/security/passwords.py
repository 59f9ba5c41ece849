"""Password hashing (argon2id) and the password policy.

Hashing uses ``argon2.PasswordHasher()`` defaults (RFC 9106 low-memory profile: 64 MiB, t=3, p=4),
which exceed the OWASP and ASVS floors (security.md 1.2). Each hash needs 64 MiB, so concurrent
hashing is capped by a semaphore; hashing always runs in a worker thread, never on the event loop.

Policy follows NCSC and ASVS 6.2: length, not composition; a deny-list of common passwords
(zxcvbn's ranked list of 30,000) and context words; no truncation; at least 64 characters allowed.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 15
MAX_BYTES = 1024
CONTEXT_WORDS = (
    "safeguarding",
    "portal",
    "witness",
    "victim",
    "prosecution",
    "prosecutor",
    "crown",
    "cps",
    "liaison",
    "password",
)

_hasher = PasswordHasher()
_hash_slots = threading.BoundedSemaphore(2)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("dummy password for timing equalisation")


def hash_password(password: str) -> str:
    with _hash_slots:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. With no stored hash, spend the same time and say no."""
    with _hash_slots:
        try:
            return (
                _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _deny_list() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return frozenset(str(p).casefold() for p in FREQUENCY_LISTS["passwords"])


@dataclass(frozen=True, slots=True)
class PolicyResult:
    ok: bool
    message: str = ""


def _squash(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", value).casefold() if ch.isalnum())


def check_password_policy(password: str, *, username: str = "") -> PolicyResult:
    """Accept a password only if it is long enough, not common and not built from context."""
    if len(password.encode("utf-8")) > MAX_BYTES:
        return PolicyResult(False, f"Password must be {MAX_BYTES} bytes or fewer")
    if len(password) < MIN_LENGTH:
        return PolicyResult(False, f"Password must be {MIN_LENGTH} characters or more")
    folded = password.casefold()
    squashed = _squash(password)
    if folded in _deny_list() or squashed in _deny_list():
        return PolicyResult(False, "Password is too common: choose a longer, less predictable one")
    if username and _squash(username) and _squash(username) in squashed:
        return PolicyResult(False, "Password must not contain your username")
    remainder = squashed
    for word in sorted(CONTEXT_WORDS, key=len, reverse=True):
        remainder = remainder.replace(word, "")
    for common in ("123456789", "12345", "qwerty", "abcdef"):
        remainder = remainder.replace(common, "")
    if len(set(remainder)) < 5:
        return PolicyResult(
            False, "Password is too predictable: avoid repeated characters and the service's name"
        )
    return PolicyResult(True)
