"""Password hashing (argon2id) and the password policy.

Hashing uses ``argon2.PasswordHasher()`` defaults (RFC 9106 low-memory profile: 64 MiB, t=3, p=4),
which exceed the OWASP and ASVS floors (security.md 1.2). Each hash needs 64 MiB and ~130 ms of a
core, so hashing has its own limiter (``HASHING``): at most half the machine's cores hash at once,
and when more than a few requests already wait for a slot the next one is refused at once with
``HashingBusy`` (the web answers 503 with Retry-After) instead of queueing. Hashing always runs in
a worker thread, never on the event loop, and sign-in runs it outside the database limiter
(portal.web.routing ``RequestContext.outside_db_slot``), so sign-ins cannot starve other pages.

Policy follows NCSC and ASVS 6.2: length, not composition; a deny-list of common passwords
(zxcvbn's ranked list of 30,000) and context words; no truncation; at least 64 characters allowed.
"""

from __future__ import annotations

import os
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

RETRY_AFTER_SECONDS = 2


class HashingBusy(Exception):
    """Too many password checks are already waiting: try again in a moment (503)."""


class HashLimiter:
    """At most ``slots`` hashes at once; at most ``max_waiting`` callers wait for a slot, and
    anyone beyond that (or waiting longer than ``timeout`` seconds) gets ``HashingBusy``."""

    def __init__(self, slots: int, max_waiting: int, timeout: float = 10.0) -> None:
        self.slots = slots
        self.max_waiting = max_waiting
        self._timeout = timeout
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    def busy(self) -> bool:
        """Whether a new caller would be refused now (a cheap check before any other work)."""
        return self._waiting >= self.max_waiting

    def __enter__(self) -> None:
        if self._semaphore.acquire(blocking=False):
            return
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise HashingBusy
            self._waiting += 1
        try:
            if not self._semaphore.acquire(timeout=self._timeout):
                raise HashingBusy
        finally:
            with self._lock:
                self._waiting -= 1

    def __exit__(self, *_exc: object) -> None:
        self._semaphore.release()


HASHING = HashLimiter(slots=max(1, (os.cpu_count() or 2) // 2), max_waiting=4)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("dummy password for timing equalisation")


def hash_password(password: str) -> str:
    with HASHING:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. With no stored hash, spend the same time and say no."""
    with HASHING:
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
