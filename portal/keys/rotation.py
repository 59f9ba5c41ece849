"""Key rotation: re-wrap data keys under a new KEK, or re-encrypt values under new data keys.

Both are resumable after any interruption (including ``kill -9``) because progress lives in the
database, never in the process:

* **KEK rotation** (cheap, no data touched): every data key not yet wrapped by the active KEK is
  unwrapped with its old KEK and wrapped with the active one, a batch per transaction. Rerunning
  carries on with whatever is left.
* **Data rotation**: for each data key created before the rotation began, a new key is created
  for the same owner, every row sealed under the old key is re-encrypted under the new one, and
  the old key is retired, all in one transaction per key (so a key is either fully moved or not
  at all). Re-encrypted rows keep optimistic locking: a concurrent edit gets a conflict page,
  never a silent overwrite. The rotation start time is stored, so a resumed run does not rotate
  the keys it has just created.

Retired keys keep their wrapped bytes so old backups stay readable for the backup retention
period; ``destroy`` them afterwards (docs/data-protection.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.clock import utc_now
from portal.db.base import Base
from portal.db.encrypted import EncryptedBlob, Sealed
from portal.db.session import unit_of_work
from portal.keys.models import DataKey, KeyRotation
from portal.keys.vault import KeyCache, Vault, _key_context
from portal.security import crypto
from portal.security.crypto import Context, KeyProvider

log = logging.getLogger("portal.security")

Progress = Callable[[int, int], None]  # (done, total)
ROTATED_PURPOSES = ("person", "case", "sealed", "system")


# --- KEK rotation ---------------------------------------------------------------------------


def keys_off_active_kek(db: Session, provider: KeyProvider) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(DataKey)
            .where(DataKey.kek_id != provider.active_kek_id, DataKey.wrapped.is_not(None))
        )
        or 0
    )


def rewrap_all(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    *,
    batch: int = 500,
    progress: Progress | None = None,
) -> int:
    with unit_of_work(factory) as db:
        total = keys_off_active_kek(db, provider)
    done = 0
    while True:
        with unit_of_work(factory) as db:
            keys = db.scalars(
                select(DataKey)
                .where(DataKey.kek_id != provider.active_kek_id, DataKey.wrapped.is_not(None))
                .order_by(DataKey.id)
                .limit(batch)
            ).all()
            for key in keys:
                assert key.wrapped is not None
                dek = provider.unwrap(key.wrapped, kek_id=key.kek_id, context=_key_context(key))
                key.kek_id = provider.active_kek_id
                key.wrapped = provider.wrap(dek, kek_id=key.kek_id, context=_key_context(key))
        done += len(keys)
        if progress:
            progress(done, max(total, done))
        if not keys:
            return done


# --- data rotation --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SealedTable:
    model: type[Base]
    columns: tuple[str, ...]


def sealed_tables() -> list[SealedTable]:
    """Every mapped table that has a ``key_id`` and encrypted columns."""
    import portal.models  # noqa: F401  (every model registered)

    found: list[SealedTable] = []
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if "key_id" not in table.c:
            continue
        columns = tuple(c.name for c in table.c if isinstance(c.type, EncryptedBlob))
        if columns:
            found.append(SealedTable(mapper.class_, columns))
    return sorted(found, key=lambda t: t.model.__tablename__)


def _current_rotation(db: Session) -> KeyRotation:
    rotation = db.scalars(
        select(KeyRotation)
        .where(KeyRotation.kind == "data", KeyRotation.finished_at.is_(None))
        .order_by(KeyRotation.id)
    ).first()
    if rotation is None:
        rotation = KeyRotation(kind="data", started_at=utc_now())
        db.add(rotation)
        db.flush()
    return rotation


def _keys_to_rotate(db: Session, started_at: datetime, limit: int) -> list[DataKey]:
    return list(
        db.scalars(
            select(DataKey)
            .where(
                DataKey.state == "active",
                DataKey.purpose.in_(ROTATED_PURPOSES),
                DataKey.created_at < started_at,
            )
            .order_by(DataKey.id)
            .limit(limit)
        )
    )


def rotate_data(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    *,
    batch: int = 200,
    progress: Progress | None = None,
    stop_after: int | None = None,
) -> int:
    """Re-encrypt everything under fresh data keys. Returns how many keys were rotated.

    Keys move a batch per transaction: every row sealed under a key in the batch is
    re-encrypted, the rows point at the new keys and the old keys are retired, or none of it.
    """
    with unit_of_work(factory) as db:
        rotation = _current_rotation(db)
        started_at = rotation.started_at
        total = int(
            db.scalar(
                select(func.count())
                .select_from(DataKey)
                .where(
                    DataKey.state == "active",
                    DataKey.purpose.in_(ROTATED_PURPOSES),
                    DataKey.created_at < started_at,
                )
            )
            or 0
        )
    cache = KeyCache()
    rotated = 0
    tables = sealed_tables()
    while True:
        size = batch if stop_after is None else max(1, min(batch, stop_after - rotated))
        with unit_of_work(factory) as db:
            keys = _keys_to_rotate(db, started_at, size)
            if not keys:
                _current_rotation(db).finished_at = utc_now()
                break
            _rotate_batch(db, Vault(db, provider, cache), keys, tables)
        rotated += len(keys)
        if progress:
            progress(rotated, max(total, rotated))
        if stop_after is not None and rotated >= stop_after:
            return rotated
    log.info("keys.data_rotation_finished keys=%s", rotated)
    return rotated


def _rotate_batch(
    db: Session, vault: Vault, old_keys: list[DataKey], tables: list[SealedTable]
) -> None:
    new_ids = vault.new_keys([(k.purpose, k.owner_id) for k in old_keys])
    mapping = {old.id: new for old, new in zip(old_keys, new_ids, strict=True)}
    vault.load(mapping)
    aeads = {new: vault._aead(new) for new in new_ids}
    for table in tables:
        model: Any = table.model
        for row in db.scalars(select(model).where(model.key_id.in_(mapping))):
            new_id = mapping[row.key_id]
            for column in table.columns:
                plaintext = vault.open_internal(row, column)
                if plaintext is None:
                    continue
                context = Context(row.__tablename__, column, str(row.id))
                setattr(row, column, Sealed(crypto.seal(aeads[new_id], new_id, plaintext, context)))
            row.key_id = new_id
    for old in old_keys:
        old.state = "retired"
    db.flush()


def values_left_on_retired_keys(db: Session) -> int:
    retired = select(DataKey.id).where(DataKey.state == "retired")
    count = 0
    for table in sealed_tables():
        model: Any = table.model
        count += int(
            db.scalar(select(func.count()).select_from(model).where(model.key_id.in_(retired))) or 0
        )
    return count


def check_keks(db: Session, provider: KeyProvider) -> str | None:
    """A problem with the configured KEKs, in words, or None. Used before the portal starts.

    Every KEK that wraps a data key must be configured and must unwrap one of its keys.
    """
    rows = db.execute(
        select(DataKey.kek_id, func.min(DataKey.id))
        .where(DataKey.wrapped.is_not(None))
        .group_by(DataKey.kek_id)
    ).all()
    for kek_id, key_id in rows:
        if kek_id not in provider.known_kek_ids():
            return (
                f"Data keys are wrapped by KEK {kek_id!r}, which is not configured. Restore it "
                "(key file or PORTAL_KEK) and, if you are rotating, run `portal keys rotate`."
            )
        key = db.get(DataKey, key_id)
        if key is None or key.wrapped is None:
            continue
        try:
            provider.unwrap(key.wrapped, kek_id=kek_id, context=_key_context(key))
        except crypto.IntegrityError:
            return (
                f"KEK {kek_id!r} does not unwrap the data keys: it is the wrong key. Check the "
                "key file or PORTAL_KEK; never start the portal with a guessed key."
            )
    return None
