"""Import, stage 3: wrapping a data key for each person and sealing their values, in memory.

CPU only, no database: ``build`` turns validated people into the rows the write stage inserts.
The bytes are exactly what ``portal.keys.vault`` would write (``Vault.open`` reads imported people
like any other; tests check it). Everything per person is done in one tight loop: random bytes
are drawn once per batch, the associated data's fixed part once per column, and blind indexes
with OpenSSL's one-shot HMAC.
"""

from __future__ import annotations

import hmac
import os
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.cases.import_rows import NewPerson
from portal.cases.models import Case
from portal.clock import utc_now
from portal.db.encrypted import Sealed
from portal.keys.vault import Vault
from portal.security import crypto
from portal.security.crypto import normalise
from portal.security.name_search import word_values

_HEADER = crypto.HEADER
_NONCE = crypto.NONCE_BYTES


def _field(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


class Sealer:
    """Seals many values quickly, in exactly ``crypto.seal``'s format.

    ``crypto.associated_data`` rebuilds the whole associated data for every value; here the part
    that is the same for every row of a column (app, version, table, column) is built once. The
    bytes are identical (tests open imported values with ``Vault.open``).
    """

    def __init__(self) -> None:
        self._prefixes: dict[tuple[str, str], bytes] = {}
        self._random = _Random()

    def prefix(self, table: str, column: str) -> bytes:
        prefix = self._prefixes.get((table, column))
        if prefix is None:
            full = crypto.associated_data(table, column, "", 0)
            prefix = full[: len(full) - len(_field(b"")) - len(_field(b"0"))]
            self._prefixes[(table, column)] = prefix
        return prefix

    def seal(
        self, aead: AESGCM, key_id: int, table: str, column: str, row_id: str, value: str
    ) -> Sealed:
        aad = self.prefix(table, column) + _field(row_id.encode()) + _field(str(key_id).encode())
        nonce = self._random.take(_NONCE)
        header = _HEADER.pack(crypto.FORMAT_VERSION, key_id)
        return Sealed(header + nonce + aead.encrypt(nonce, value.encode("utf-8"), aad))


class _Random:
    """``os.urandom`` drawn in 64 KiB blocks: one system call for thousands of nonces."""

    _BLOCK = 64 * 1024

    def __init__(self) -> None:
        self._buffer = b""
        self._at = 0

    def take(self, count: int) -> bytes:
        end = self._at + count
        if end > len(self._buffer):
            self._buffer, self._at, end = os.urandom(max(self._BLOCK, count)), 0, count
        chunk = self._buffer[self._at : end]
        self._at = end
        return chunk


class Indexer:
    """Blind indexes for non-empty values, remembered for the length of one import.

    The same numbers as ``crypto.blind_index`` (a test checks it), with OpenSSL's one-shot HMAC
    and ASCII values normalised without Unicode tables.
    """

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._key: bytes | None = None
        self._seen: dict[tuple[str, str], int] = {}

    def prepare(self) -> None:
        """Fetch (or create) the index key now, before key ids are reserved."""
        if self._key is None:
            self._key = self._vault.index_key()

    def __call__(self, name: str, value: str | None) -> int | None:
        if not value:
            return None
        found = self._seen.get((name, value))
        if found is None:  # values reaching here are validated, so never blank once normalised
            found = self._compute(name, value)
            self._seen[(name, value)] = found
        return found

    def _compute(self, name: str, value: str) -> int:
        if self._key is None:
            self.prepare()
        assert self._key is not None
        bits = self._vault.index_bits
        if not 1 <= bits <= 62:
            raise ValueError("blind index width must be between 1 and 62 bits")
        # NFKD leaves ASCII alone, and ASCII has no combining marks.
        normal = " ".join(value.casefold().split()) if value.isascii() else normalise(value)
        digest = hmac.digest(self._key, f"{name}\x00{normal}".encode(), "sha256")
        return int.from_bytes(digest[:8], "big") >> (64 - bits)


def key_context(key_id: int, purpose: str, owner_id: uuid.UUID) -> bytes:
    """``portal.keys.vault``'s wrapping context for a data key (a test checks they agree)."""
    return f"{key_id}|{purpose}|{owner_id}".encode()


@dataclass(slots=True)
class Built:
    """Everything sealed and ready to insert; only person references are still to choose."""

    key_ids: list[int]
    person_ids: list[uuid.UUID]
    key_rows: list[dict[str, Any]]
    person_rows: list[dict[str, Any]]
    party_rows: list[dict[str, Any]]
    reference_rows: list[dict[str, Any]]
    name_word_rows: list[dict[str, Any]]  # portal.people.name_index: first names, surnames, sounds


_PERSON_COLUMNS = (
    "full_name",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "business_contact",
    "communication_needs",
    "safe_contact",
)


class _PersonSealer:
    """Seals one person's values under their data key (``crypto.seal``'s format)."""

    __slots__ = ("_encrypt", "_header", "_key_field", "_random")

    def __init__(self, aead: AESGCM, *, header: bytes, key_id: int, random: _Random) -> None:
        self._encrypt = aead.encrypt
        self._header = header
        self._key_field = _field(str(key_id).encode())
        self._random = random

    def __call__(self, prefix: bytes, row_id: str, value: str) -> Sealed:
        nonce = self._random.take(_NONCE)
        aad = prefix + _field(row_id.encode()) + self._key_field
        return Sealed(self._header + nonce + self._encrypt(nonce, value.encode("utf-8"), aad))


def _new_uuid(random: _Random) -> uuid.UUID:
    """``uuid.uuid4()``, from the batch's random bytes."""
    return uuid.UUID(bytes=random.take(16), version=4)


def build(
    vault: Vault,
    case: Case,
    people: Sequence[NewPerson],
    key_ids: Sequence[int],
    *,
    index: Indexer,
) -> Built:
    """Wrap a key for each person and seal their values: CPU only, no database."""
    now = utc_now()
    provider = vault.provider
    kek_id = provider.active_kek_id
    wrap = provider.wrap
    sealer = Sealer()
    random = sealer._random
    version = crypto.FORMAT_VERSION
    prefixes = {column: sealer.prefix("person", column) for column in _PERSON_COLUMNS}
    reasons_prefix = sealer.prefix("case_party", "enhanced_reasons")
    reference_prefix = sealer.prefix("person_reference", "value")

    key_rows: list[dict[str, Any]] = []
    person_rows: list[dict[str, Any]] = []
    party_rows: list[dict[str, Any]] = []
    reference_rows: list[dict[str, Any]] = []
    name_word_rows: list[dict[str, Any]] = []
    person_ids: list[uuid.UUID] = []
    case_id = case.id
    for person, key_id in zip(people, key_ids, strict=True):
        person_id = _new_uuid(random)
        pid = str(person_id)
        person_ids.append(person_id)
        dek = random.take(crypto.KEY_BYTES)

        seal = _PersonSealer(
            AESGCM(dek), header=_HEADER.pack(version, key_id), key_id=key_id, random=random
        )
        key_rows.append(
            {
                "id": key_id,
                "purpose": "person",
                "owner_id": person_id,
                "kek_id": kek_id,
                "wrapped": wrap(
                    dek, kek_id=kek_id, context=key_context(key_id, "person", person_id)
                ),
                "state": "active",
                "created_at": now,
                "destroyed_at": None,
            }
        )
        values = person.stored() | {
            "communication_needs": person.needs.to_json() if person.needs else None,
            "safe_contact": person.safe_contact.to_json() if person.safe_contact else None,
        }
        row: dict[str, Any] = {
            "id": person_id,
            "key_id": key_id,
            "reference": None,  # chosen by the write stage, where uniqueness can be checked
            "is_business": person.is_business,
            "aliases": None,
            "representative": None,
            "name_index": index("person.full_name", person.full_name),
            "dob_index": index("person.date_of_birth", person.born),
            "erased": False,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for column, value in values.items():
            row[column] = None if value is None else seal(prefixes[column], pid, value)
        person_rows.append(row)
        name_word_rows.extend(
            {"id": _new_uuid(random), "person_id": person_id, "value_index": value}
            for value in sorted(word_values(index, person.full_name))
        )
        party_id = _new_uuid(random)
        party_rows.append(
            {
                "id": party_id,
                "case_id": case_id,
                "person_id": person_id,
                "is_victim": person.is_victim,
                "is_witness": person.is_witness,
                "persistently_targeted": person.persistently_targeted,
                "vulnerable": person.vulnerable,
                "intimidated": person.intimidated,
                "key_id": key_id,
                "enhanced_reasons": (
                    seal(reasons_prefix, str(party_id), person.enhanced_reasons)
                    if person.enhanced_reasons
                    else None
                ),
                "risk_level": person.risk_level,
                "pre_trial_visit_on": None,
                "witness_service_referred_on": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        for kind, value in person.references:
            reference_id = _new_uuid(random)
            reference_rows.append(
                {
                    "id": reference_id,
                    "person_id": person_id,
                    "kind": kind,
                    "key_id": key_id,
                    "value": seal(reference_prefix, str(reference_id), value.strip()),
                    "value_index": index("person_reference.value", value),
                }
            )
    return Built(
        list(key_ids), person_ids, key_rows, person_rows, party_rows, reference_rows, name_word_rows
    )
