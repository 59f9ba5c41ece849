"""The running process's keyring: KEKs that follow a rotation without a restart.

``portal keys rotate`` adds a KEK to the instance key file, makes it active and re-wraps every
data key under it, while the portal keeps serving. A process that started earlier would then
meet data keys wrapped by a KEK it does not hold. ``Keyring`` is the ``KeyProvider`` the app
uses: when asked for a KEK it does not hold (a cache miss on a key id), it re-reads the keyring
once and retries; if the KEK is still unknown the failure is a ``KeyMissing`` (a logged 500,
never a silent 404). It also notices, at most every ``check_seconds``, that the key file has
changed, so new data keys are wrapped by the new active KEK.

Re-reads are rate-limited (``min_reload_seconds``), so a truly missing KEK cannot make every
request read the key file.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from portal.security.crypto import KeyProvider

log = logging.getLogger("portal.security")


class Keyring:
    def __init__(
        self,
        load: Callable[[], KeyProvider],
        *,
        stamp: Callable[[], object] = lambda: None,
        check_seconds: float = 5.0,
        min_reload_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._stamp = stamp
        self._check_seconds = check_seconds
        self._min_reload_seconds = min_reload_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._current = load()
        self._seen_stamp = stamp()
        self._checked_at = clock()
        self._reloaded_at = float("-inf")

    @property
    def active_kek_id(self) -> str:
        self._reload_if_changed()
        return self._current.active_kek_id

    def known_kek_ids(self) -> frozenset[str]:
        return self._current.known_kek_ids()

    def wrap(self, dek: bytes, *, kek_id: str, context: bytes) -> bytes:
        return self._holding(kek_id).wrap(dek, kek_id=kek_id, context=context)

    def unwrap(self, wrapped: bytes, *, kek_id: str, context: bytes) -> bytes:
        return self._holding(kek_id).unwrap(wrapped, kek_id=kek_id, context=context)

    def reload(self) -> bool:
        """Re-read the keyring now (rate-limited); True if it was re-read."""
        with self._lock:
            now = self._clock()
            if now - self._reloaded_at < self._min_reload_seconds:
                return False
            self._reloaded_at = now
            self._checked_at = now
            self._seen_stamp = self._stamp()
            before = self._current.known_kek_ids()
            self._current = self._load()
            after = self._current.known_kek_ids()
        if after != before:
            log.info(
                "keys.keyring_reloaded keks=%d active=%s", len(after), self._current.active_kek_id
            )
        return True

    def _holding(self, kek_id: str) -> KeyProvider:
        current = self._current
        if kek_id not in current.known_kek_ids() and self.reload():
            current = self._current
        return current  # raises KeyMissing if it still does not hold the KEK

    def _reload_if_changed(self) -> None:
        now = self._clock()
        if now - self._checked_at < self._check_seconds:
            return
        self._checked_at = now
        if self._stamp() != self._seen_stamp:
            self.reload()

    def __repr__(self) -> str:
        return f"Keyring({self._current!r})"
