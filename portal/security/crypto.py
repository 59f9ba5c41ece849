"""Field-level envelope encryption primitives: no database, no I/O.

Design (security.md 2.2; the shape of Polar's ``kit/encryption.py``, with our own choices):

* A key-encryption key (KEK) lives outside the database, behind ``KeyProvider`` so a KMS or HSM
  can replace the local provider. Data keys (DEKs) are random 256-bit keys stored only wrapped.
* Values are sealed with **AES-256-GCM**, a fresh 96-bit random nonce each time, and associated
  data binding the value to the application, format version, table, column, row id and key id.
  A value copied to another row, column or table, or relabelled with another key id, fails to
  open (``InvalidTag``).
* Ciphertext format, version 1: ``0x01 | key_id (4 bytes, big-endian) | nonce (12) | ct+tag``.
  The version and key id travel in clear so rotation can find old values and the format can evolve.
* Each person's values are sealed under that person's own DEK (crypto-shredding: destroying the
  DEK makes every copy unreadable, backups included). We do not derive per-column subkeys with
  HKDF: the associated data already binds each value to its column, and per-person keys keep the
  key count proportional to people, not to people x columns.
* Blind indexes are HMAC-SHA256 under a separate index key over a normalised value, truncated to
  a configured number of bits (CipherSweet's leakage budget; docs/data-protection.md).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import struct
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
APP = b"safeguarding-portal"
NONCE_BYTES = 12
KEY_BYTES = 32
HEADER = struct.Struct(">BI")  # version, key id


class IntegrityError(Exception):
    """A sealed value failed authentication: tampered, swapped, truncated or wrong key."""


class KeyUnavailable(Exception):
    """The data key is destroyed (crypto-shredded) or its KEK is not configured."""


class KeyMissing(KeyUnavailable):
    """A key that should exist does not: a KEK this instance does not hold (even after
    re-reading the keyring) or a data key row that is not there. A fault to fix, not erasure:
    it is logged and answered with a 500 page, never a silent 404."""


class KeyDestroyed(KeyUnavailable):
    """The data key was destroyed on purpose (erasure by crypto-shredding): not a fault."""


class KeyProvider(Protocol):
    """Wraps and unwraps data keys with a key-encryption key held outside the database."""

    @property
    def active_kek_id(self) -> str: ...

    def known_kek_ids(self) -> frozenset[str]: ...

    def wrap(self, dek: bytes, *, kek_id: str, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, *, kek_id: str, context: bytes) -> bytes: ...


class LocalKeyProvider:
    """KEKs from the instance key file or the environment; AES-256-GCM key wrapping."""

    def __init__(self, keks: dict[str, bytes], active: str) -> None:
        if active not in keks:
            raise ValueError("the active KEK id is not among the configured KEKs")
        for kek in keks.values():
            if len(kek) != KEY_BYTES:
                raise ValueError("a KEK must be 256 bits")
        self._aeads = {kek_id: AESGCM(kek) for kek_id, kek in keks.items()}
        self._active = active

    @property
    def active_kek_id(self) -> str:
        return self._active

    def known_kek_ids(self) -> frozenset[str]:
        return frozenset(self._aeads)

    def wrap(self, dek: bytes, *, kek_id: str, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead(kek_id).encrypt(nonce, dek, b"dek|" + context)

    def unwrap(self, wrapped: bytes, *, kek_id: str, context: bytes) -> bytes:
        try:
            return self._aead(kek_id).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], b"dek|" + context
            )
        except InvalidTag:
            raise IntegrityError("data key failed to unwrap: wrong KEK or tampered key") from None

    def _aead(self, kek_id: str) -> AESGCM:
        try:
            return self._aeads[kek_id]
        except KeyError:
            raise KeyMissing(f"KEK {kek_id!r} is not configured") from None

    def __repr__(self) -> str:
        return f"LocalKeyProvider(active={self._active!r}, keks=***)"


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _field(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


@functools.lru_cache(maxsize=4096)
def _prefix(table: str, column: str) -> bytes:
    """The (app, version, table, column) part of the associated data, built once per column."""
    parts = (APP, str(FORMAT_VERSION).encode(), table.encode(), column.encode())
    return b"".join(_field(part) for part in parts)


def associated_data(table: str, column: str, row_id: str, key_id: int) -> bytes:
    """Length-prefixed, so no two different contexts encode to the same bytes."""
    return _prefix(table, column) + _field(row_id.encode()) + _field(str(key_id).encode())


@dataclass(frozen=True, slots=True)
class Context:
    table: str
    column: str
    row_id: str

    def aad(self, key_id: int) -> bytes:
        return associated_data(self.table, self.column, self.row_id, key_id)


def seal(aead: AESGCM, key_id: int, plaintext: bytes, context: Context) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    header = HEADER.pack(FORMAT_VERSION, key_id)
    return header + nonce + aead.encrypt(nonce, plaintext, context.aad(key_id))


def key_id_of(sealed: bytes) -> int:
    if len(sealed) < HEADER.size + NONCE_BYTES + 16:
        raise IntegrityError("sealed value is too short")
    version, key_id = HEADER.unpack_from(sealed)
    if version != FORMAT_VERSION:
        raise IntegrityError(f"unknown ciphertext format version {version}")
    return int(key_id)


def open_sealed(aead: AESGCM, sealed: bytes, context: Context) -> bytes:
    key_id = key_id_of(sealed)
    nonce = sealed[HEADER.size : HEADER.size + NONCE_BYTES]
    body = sealed[HEADER.size + NONCE_BYTES :]
    try:
        return aead.decrypt(nonce, body, context.aad(key_id))
    except InvalidTag:
        raise IntegrityError("sealed value failed authentication") from None


# --- blind indexes --------------------------------------------------------------------------


# Characters people type for an apostrophe, a quotation mark or a hyphen, by keyboard, phone or
# word processor: each reads as its plain ASCII form, so "O’Brien" and "O'Brien" are one
# name. Only non-ASCII characters are mapped: ASCII text normalises as before (the importer
# relies on it).
_APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u02b9\u02bb\u02bc\u02bd\u02c8"
_APOSTROPHES += "\u055a\ua78b\ua78c\uff07"
_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u2039\u203a\u301d\u301e\uff02"
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
LOOK_ALIKES = str.maketrans(
    {
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_QUOTES, '"'),
        **dict.fromkeys(_HYPHENS, "-"),
    }
)
_WORD_BREAKS = re.compile(r"[\s\-/]+")


def normalise(value: str) -> str:
    """Case-folded, accents stripped, look-alike apostrophes, quotes and hyphens made plain,
    whitespace collapsed: 'Zoë  O’Brien ' -> "zoe o'brien". The one normaliser for every blind
    index, when it is written and when it is searched."""
    # Before NFKD too: it turns an acute accent (´) into a space and a combining mark.
    decomposed = unicodedata.normalize("NFKD", value.translate(LOOK_ALIKES)).translate(LOOK_ALIKES)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def name_words(value: str) -> list[str]:
    """The words of a normalised name, each without its punctuation, in order, once each:
    "Mary-Jane O’Brien" -> ["mary", "jane", "obrien"]."""
    words: list[str] = []
    for part in _WORD_BREAKS.split(normalise(value)):
        word = "".join(ch for ch in part if ch.isalnum())
        if word and word not in words:
            words.append(word)
    return words


def blind_index(index_key: bytes, name: str, value: str, bits: int) -> int:
    """HMAC-SHA256 of the normalised value under the index key, truncated to ``bits`` bits."""
    if not 1 <= bits <= 62:
        raise ValueError("blind index width must be between 1 and 62 bits")
    digest = hmac.new(index_key, f"{name}\x00{normalise(value)}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - bits)


def expected_coincidences(rows: int, bits: int) -> float:
    """CipherSweet's C = R / 2^L: how many rows share one index value on average."""
    return float(rows) / float(2**bits)


def within_budget(rows: int, bits: int) -> bool:
    """2 <= C < sqrt(R): duplicates are not revealed, and the index is still useful."""
    c = expected_coincidences(rows, bits)
    return bool(2 <= c < float(rows) ** 0.5)
