"""The vault: seal and open personal fields of ORM rows, and compute blind indexes.

A row that holds encrypted columns has an ``id`` (generated before insert) and a ``key_id`` (the
data key its values are sealed under). Every value is bound to its table, column, row id and key
id, so a value moved anywhere else fails to open.

Unwrapped data keys are cached per process (unwrapping is an AES-GCM operation, cheap, but not
free), yet every request re-reads the key rows it uses: a key destroyed by another process is
never used again, because its row says so.

Who may see what is the vault's business too, so that no page can forget it. Every value opened
goes through the viewer's ``Disclosure``: case workers see everything except sealed identities
(anonymity orders) they hold no unmask grant for; auditors, and any role that is not case work,
see every person as if their identity were sealed, and no free text at all.
"""

from __future__ import annotations

import enum
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from portal.clock import utc_now
from portal.db.encrypted import Sealed, Sensitive
from portal.db.session import is_read, serialize_on
from portal.keys.ledger import Erasure, ErasureLedger
from portal.keys.models import DataKey
from portal.kit.errors import NotFound
from portal.security import crypto
from portal.security.crypto import (
    Context,
    IntegrityError,
    KeyDestroyed,
    KeyMissing,
    KeyProvider,
    KeyUnavailable,
)

log = logging.getLogger("portal.security")
T = TypeVar("T")

__all__ = [
    "Disclosure",
    "Erased",
    "IdentitySealed",
    "IntegrityError",
    "KeyCache",
    "KeyMissing",
    "KeyDestroyed",
    "KeyUnavailable",
    "Vault",
]


class Encryptable(Protocol):
    __tablename__: str
    id: uuid.UUID
    key_id: int


def _key_context(key: DataKey) -> bytes:
    return f"{key.id}|{key.purpose}|{key.owner_id or '-'}".encode()


class KeyCache:
    """Unwrapped data keys by (key id, KEK id, wrapped bytes); bounded, thread-safe."""

    def __init__(self, size: int = 20_000) -> None:
        self._items: OrderedDict[tuple[int, str, bytes], AESGCM] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, provider: KeyProvider, key: DataKey) -> AESGCM:
        if key.wrapped is None or key.state == "destroyed":
            raise KeyDestroyed(f"data key {key.id} has been destroyed")
        cache_key = (key.id, key.kek_id, key.wrapped)
        with self._lock:
            found = self._items.get(cache_key)
            if found is not None:
                self._items.move_to_end(cache_key)
                return found
        dek = provider.unwrap(key.wrapped, kek_id=key.kek_id, context=_key_context(key))
        aead = AESGCM(dek)
        with self._lock:
            self._items[cache_key] = aead
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return aead

    def forget(self, key_id: int) -> None:
        with self._lock:
            for cache_key in [k for k in self._items if k[0] == key_id]:
                del self._items[cache_key]


class IdentitySealed(Exception):
    """The value belongs to a sealed identity (anonymity order) and this user has no grant."""


class Erased(NotFound):
    """The value belonged to an erased person: their data key is destroyed, it is gone (404)."""


# What a sealed identity hides (anonymity orders, issue 7): the person's identifying fields,
# their reference numbers and their documents. Operational notes (needs, actions) stay visible.
SEALED_COLUMNS: dict[str, dict[str, str | None]] = {
    "person": {
        "full_name": "PSEUDONYM",
        "aliases": None,
        "date_of_birth": None,
        "address": None,
        "phone": None,
        "email": None,
        "business_contact": None,
        "representative": None,
    },
    "person_reference": {"value": None},
    # A parent's or representative's name and details would point to the person.
    "person_contact": {"name": None, "phone": None, "email": None, "address": None},
    "document": {"filename": "Withheld document", "content": "REFUSE"},
}


WITHHELD = "Withheld"

# What an erased person's values open as (issue 19 point 2): their key is destroyed, so nothing
# sealed under it opens, but the pages that list them still work. The name becomes a marker with
# the person's reference (plain metadata); every other value is simply absent.
ERASED_COLUMNS: dict[str, dict[str, str | None]] = {
    "person": {"full_name": "ERASED"},
    "document": {"filename": "Erased document", "content": "GONE"},
}


def erased_marker(reference: str | None) -> str:
    return f"Erased record {reference}" if reference else "Erased record"


def pseudonym(reference: str) -> str:
    return f"Witness {reference}"


class Disclosure(enum.Enum):
    """How much a vault opens for the person it works for."""

    # Everything, except the identifying fields of a sealed identity without an unmask grant.
    CASEWORK = "casework"
    # Auditors: every person's identifying fields open as SEALED_COLUMNS says (the full name as
    # the person's reference), whether sealed or not; every other personal value (free text,
    # notes, letters, defendants' names) is withheld. Grants are ignored.
    PSEUDONYMISED = "pseudonymised"


def _masked(row: Encryptable, replacement: str | None, shown_as: str) -> bytes | None:
    """What a withheld identifying value opens as (SEALED_COLUMNS)."""
    if replacement == "REFUSE":
        raise IdentitySealed(row.__tablename__)
    if replacement == "PSEUDONYM":
        return shown_as.encode()
    return None if replacement is None else replacement.encode()


def _erased(row: Encryptable, column: str) -> bytes | None:
    """What a value sealed under a destroyed key opens as (ERASED_COLUMNS)."""
    replacement = ERASED_COLUMNS.get(row.__tablename__, {}).get(column)
    if replacement == "GONE":
        raise Erased(row.__tablename__)
    if replacement == "ERASED":
        return erased_marker(getattr(row, "reference", None)).encode()
    return None if replacement is None else replacement.encode()


VAULT_KEY = "portal.vault"


class Vault:
    @classmethod
    def of(cls, db: Session) -> Vault:
        """The vault the session's use case opened (for event handlers, portal.kit.events)."""
        vault = db.info.get(VAULT_KEY)
        if not isinstance(vault, cls):
            raise RuntimeError("no vault was opened on this session before the event")
        return vault

    def __init__(
        self,
        db: Session,
        provider: KeyProvider,
        cache: KeyCache,
        *,
        index_bits: int = 16,
        disclosure: Disclosure = Disclosure.CASEWORK,
        ledger: ErasureLedger | None = None,
    ) -> None:
        self.db = db
        self.ledger = ledger  # where erasures are written outside the database (keys.ledger)
        # The first vault opened on a session is the one its event handlers use (Vault.of).
        db.info.setdefault(VAULT_KEY, self)
        self.provider = provider
        self.cache = cache
        self.index_bits = index_bits
        self.disclosure = disclosure
        self._keys: dict[int, DataKey] = {}
        # key id -> its AESGCM, for this vault's life (one request): a field costs a dict lookup
        self._aeads: dict[int, AESGCM] = {}
        self._index_key: bytes | None = None
        # key id -> pseudonym, for people whose identity is sealed (looked up with the keys)
        self._sealed: dict[int, str] = {}
        # key id -> reference, for every person (looked up only for a pseudonymised viewer)
        self._references: dict[int, str] = {}
        self._sealed_checked: set[int] = set()
        # person key ids this user may see unsealed (an approved, unexpired unmask grant)
        self.unsealed_keys: set[int] = set()
        # of those, the ones whose sealed identifying values this vault opened (the edge logs
        # each as a disclosure: an unmasked view, distinct from a pseudonymised one)
        self.revealed: set[int] = set()

    # --- keys -------------------------------------------------------------------------------

    def new_key(self, purpose: str, owner_id: uuid.UUID | None = None) -> int:
        dek = crypto.new_data_key()
        key = DataKey(
            purpose=purpose,
            owner_id=owner_id,
            kek_id=self.provider.active_kek_id,
            state="active",
            created_at=utc_now(),
        )
        self.db.add(key)
        self.db.flush()  # assigns the id, which the wrapping context needs
        key.wrapped = self.provider.wrap(dek, kek_id=key.kek_id, context=_key_context(key))
        self.db.flush()
        self._keys[key.id] = key
        return key.id

    def new_keys(self, owners: list[tuple[str, uuid.UUID | None]]) -> list[int]:
        """Create many data keys with two statements (bulk import and rotation)."""
        now = utc_now()
        keys = [
            DataKey(
                purpose=purpose,
                owner_id=owner_id,
                kek_id=self.provider.active_kek_id,
                state="active",
                created_at=now,
            )
            for purpose, owner_id in owners
        ]
        self.db.add_all(keys)
        self.db.flush()
        for key in keys:
            key.wrapped = self.provider.wrap(
                crypto.new_data_key(), kek_id=key.kek_id, context=_key_context(key)
            )
            self._keys[key.id] = key
        self.db.flush()
        return [key.id for key in keys]

    def load(self, key_ids: Iterable[int]) -> None:
        """Fetch the key rows for ``key_ids``, and whose identities they seal, in one query
        (call before opening many rows). The sealed-identity part is a lookup on
        ``ix_person_key_id``, never a scan of the person table."""
        from portal.people.models import Person

        ids = set(key_ids)
        wanted = {k for k in ids if k not in self._keys}
        unchecked = ids - self._sealed_checked
        if not wanted:
            self._load_sealed(unchecked)
            return
        person = Person.key_id == DataKey.id
        if not self.pseudonymised:
            person = and_(person, Person.identity_sealed.is_(True))
        query = (
            select(DataKey, Person.reference, Person.identity_sealed)
            .outerjoin(Person, person)
            .where(DataKey.id.in_(wanted))
        )
        for key, reference, sealed in self.db.execute(query).all():
            self._keys[key.id] = key
            if reference is not None:
                if sealed:
                    self._sealed[key.id] = pseudonym(reference)
                self._references[key.id] = reference
        self._sealed_checked |= wanted
        self._load_sealed(unchecked - wanted)

    @property
    def pseudonymised(self) -> bool:
        """True when no true identity and no free text opens (auditors). Read models ask this
        only to say "not shown" rather than derive a conclusion from withheld values."""
        return self.disclosure is Disclosure.PSEUDONYMISED

    def _load_sealed(self, key_ids: set[int]) -> None:
        from portal.people.models import Person

        unknown = key_ids - self._sealed_checked
        if not unknown:
            return
        query = select(Person.key_id, Person.reference, Person.identity_sealed).where(
            Person.key_id.in_(unknown)
        )
        if not self.pseudonymised:
            query = query.where(Person.identity_sealed.is_(True))
        for key_id, reference, sealed in self.db.execute(query).all():
            if sealed:
                self._sealed[key_id] = pseudonym(reference)
            self._references[key_id] = reference
        self._sealed_checked |= unknown

    def sealed_for_me(self, row: Encryptable) -> str | None:
        """The pseudonym if ``row`` belongs to an identity this user may not see: a sealed one
        without a grant, or anyone's for a pseudonymised viewer (who sees the reference)."""
        if self.pseudonymised:
            self._load_sealed({row.key_id})
            return self._references.get(row.key_id, WITHHELD)
        return self._sealed_for_casework(row)

    def _sealed_for_casework(self, row: Encryptable) -> str | None:
        if row.key_id in self.unsealed_keys:
            return None
        self._load_sealed({row.key_id})
        return self._sealed.get(row.key_id)

    def _aead(self, key_id: int) -> AESGCM:
        found = self._aeads.get(key_id)
        if found is not None:
            return found
        if key_id not in self._keys:
            self.load([key_id])
        key = self._keys.get(key_id)
        if key is None:
            raise KeyMissing(f"data key {key_id} does not exist")
        aead = self.cache.get(self.provider, key)
        self._aeads[key_id] = aead
        return aead

    def destroy(self, key_id: int) -> None:
        """Crypto-shred: erase the wrapped key. Every value sealed under it becomes unreadable."""
        key = self.db.get(DataKey, key_id)
        if key is None:
            return
        now = utc_now()
        if self.ledger is not None and key.owner_id is not None:
            # Before the commit: a restored backup must never bring this person back.
            self.ledger.append(Erasure(key.owner_id, key_id, now))
        key.wrapped = None
        key.state = "destroyed"
        key.destroyed_at = now
        self.db.flush()
        self.cache.forget(key_id)
        self._keys.pop(key_id, None)
        self._aeads.pop(key_id, None)
        log.info("key.destroyed key_id=%s purpose=%s", key_id, key.purpose)

    # --- values -----------------------------------------------------------------------------

    def seal(self, row: Encryptable, column: str, value: str | None) -> Sealed | None:
        if value is None:
            return None
        return self.seal_bytes(row, column, value.encode("utf-8"))

    def seal_bytes(self, row: Encryptable, column: str, value: bytes) -> Sealed:
        if row.id is None or row.key_id is None:
            raise ValueError("give the row its id and key_id before sealing values for it")
        context = Context(row.__tablename__, column, str(row.id))
        return Sealed(crypto.seal(self._aead(row.key_id), row.key_id, value, context))

    def put(self, row: Encryptable, column: str, value: str | None) -> None:
        """Seal ``value`` and assign it to ``row.column``."""
        setattr(row, column, self.seal(row, column, value))

    def open(self, row: Encryptable, column: str) -> Sensitive | None:
        raw = self.open_bytes(row, column)
        return None if raw is None else Sensitive(raw.decode("utf-8"))

    def open_text(self, row: Encryptable, column: str) -> str | None:
        """The plain text, for code that must compute with it (never for logs)."""
        raw = self.open_bytes(row, column)
        return None if raw is None else raw.decode("utf-8")

    def open_bytes(self, row: Encryptable, column: str) -> bytes | None:
        """Open a value as this viewer may see it. For a sealed person without an unmask grant,
        identifying values come back as the pseudonym or not at all; for a pseudonymised viewer
        every person is treated so, and every other value is withheld (None)."""
        if getattr(row, column) is None:
            return None
        if self.pseudonymised:
            masked = SEALED_COLUMNS.get(row.__tablename__, {})
            if column not in masked:
                return None  # free text and everything else personal: never opened
            return _masked(row, masked[column], self.sealed_for_me(row) or WITHHELD)
        return self._open_casework(row, column)

    def _open_casework(self, row: Encryptable, column: str) -> bytes | None:
        masked = SEALED_COLUMNS.get(row.__tablename__, {})
        if column in masked and getattr(row, column) is not None:
            shown_as = self._sealed_for_casework(row)
            if shown_as is not None:
                return _masked(row, masked[column], shown_as)
            if row.key_id in self.unsealed_keys:
                self.revealed.add(row.key_id)
        try:
            return self._open(row, column)
        except KeyDestroyed:
            return _erased(row, column)

    def matches(
        self,
        row: Encryptable,
        column: str,
        wanted: str,
        *,
        normalise: Callable[[str], str] = lambda value: value,
    ) -> bool:
        """Whether the stored value equals ``wanted``, which the user typed (exact-match search).

        The answer shows nothing the user did not already know, so a pseudonymised viewer may
        find a person by a name they hold and is shown only the reference. A sealed identity
        without a grant never matches, for anyone: its true values are not searchable."""
        return bool(self.satisfies(row, column, lambda raw: normalise(raw) == normalise(wanted)))

    def satisfies(self, row: Encryptable, column: str, test: Callable[[str], T]) -> T | None:
        """``test`` of the stored value, under the same rule as ``matches`` (None for a sealed
        identity without a grant, or no value): search's comparisons, never the value itself."""
        raw = self._open_casework(row, column)
        if raw is None or self._sealed_for_casework(row) is not None:
            return None
        return test(raw.decode("utf-8"))

    def open_internal(self, row: Encryptable, column: str) -> bytes | None:
        """Open without the sealed-identity policy. ONLY for computations whose result is not
        the value itself (e.g. child status from a date of birth) and for rotation; every call
        site is listed in tests/unit/test_architecture.py. A value of an erased person (its key
        destroyed) opens as None: it no longer exists, which is not a fault."""
        try:
            return self._open(row, column)
        except KeyDestroyed:
            return None

    def _open(self, row: Encryptable, column: str) -> bytes | None:
        sealed = getattr(row, column)
        if sealed is None:
            return None
        context = Context(row.__tablename__, column, str(row.id))
        try:
            key_id = crypto.key_id_of(sealed)
            return crypto.open_sealed(self._aead(key_id), sealed, context)
        except IntegrityError:
            log.warning(
                "security.integrity_failure table=%s column=%s row_id=%s",
                row.__tablename__,
                column,
                row.id,
            )
            raise

    # --- blind indexes ----------------------------------------------------------------------

    def index_key(self) -> bytes:
        if self._index_key is None:
            key = self.db.scalars(
                select(DataKey).where(DataKey.purpose == "index", DataKey.state == "active")
            ).first()
            if key is None and is_read(self.db):
                # No index key yet, so no value has been indexed: nothing can match. A read
                # may not create the key; a throwaway one finds nothing (and search drops
                # false positives after opening the values anyway).
                return crypto.new_data_key()
            if key is None:
                serialize_on(self.db, "index-key")
                key = self.db.scalars(
                    select(DataKey).where(DataKey.purpose == "index", DataKey.state == "active")
                ).first()
            if key is None:
                key = self.db.get(DataKey, self.new_key("index"))
                assert key is not None
            if key.wrapped is None:
                raise KeyUnavailable("the blind-index key has been destroyed")
            self._index_key = self.provider.unwrap(
                key.wrapped, kek_id=key.kek_id, context=_key_context(key)
            )
        return self._index_key

    def blind_index(self, name: str, value: str | None) -> int | None:
        if value is None or not crypto.normalise(value):
            return None
        return crypto.blind_index(self.index_key(), name, value, self.index_bits)
