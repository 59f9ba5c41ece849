"""Import, stage 4: writing in bulk, and the audit entries, in the caller's transaction.

One executemany per table on SQLite (each column type's own bind processing, applied column by
column, once for a column holding one value in every row) and one ``COPY`` per table on
PostgreSQL, never an ORM flush per row. Data-key ids are reserved before the keys are wrapped
(the wrapping context includes the id), and audit entries are chained in one batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.cases.import_sealing import Indexer
from portal.clock import utc_now
from portal.db.encrypted import EncryptedBlob, PlaintextRefused, Sealed
from portal.keys.models import DataKey
from portal.keys.vault import Vault

INSERT_BATCH = 5_000
IN_CHUNK = 900  # below SQLite's oldest host-parameter limit
KEY_ID_SPARE = 1_000  # SQLite: ids left free for other writers between reserving and inserting


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _defaults(table: Table, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Values for the columns the rows leave out, from their Python-side defaults (a column
    added later with ``default=`` must not break the bulk path); refuse if a required column
    has none."""
    fill: dict[str, Any] = {}
    for column in table.columns:
        if column.name in rows[0]:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            fill[column.name] = getattr(default, "arg", None)
        elif column.nullable and default is None and column.server_default is None:
            fill[column.name] = None
        elif column.server_default is None:
            raise ValueError(f"bulk insert into {table.name} needs a value for {column.name}")
    return fill


def bulk_insert(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    table = table_of(model)
    fill = _defaults(table, rows)
    dialect = db.get_bind().dialect
    columns = [*rows[0], *fill]

    def column(name: str) -> list[Any]:
        if name in fill:
            return [fill[name]] * len(rows)
        return [row[name] for row in rows]

    if dialect.name != "postgresql":
        # executemany through the driver, with each column type's own bind processing (the
        # EncryptedBlob guard included), minus SQLAlchemy's per-row statement bookkeeping.
        compiled = insert(table).compile(dialect=dialect, column_keys=columns)
        order = [compiled.binds[name].key for name in compiled.positiontup or ()]
        data = [_bound(table.c[name].type, column(name), dialect) for name in order]
        params = list(zip(*data, strict=True))
        connection = db.connection()
        for start in range(0, len(params), INSERT_BATCH):
            connection.exec_driver_sql(compiled.string, params[start : start + INSERT_BATCH])
        return
    from psycopg import sql  # PostgreSQL only

    data = []
    for name in columns:
        values = column(name)
        if isinstance(table.c[name].type, EncryptedBlob):
            values = _unsealed_bytes(values)
        data.append(values)
    raw = db.connection().connection.driver_connection
    if raw is None:
        raise RuntimeError("no database connection")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        write_row = copy.write_row
        for record in zip(*data, strict=True):
            write_row(record)


def _unsealed_bytes(values: Sequence[Any]) -> list[Any]:
    """The EncryptedBlob column type's guard and conversion: only sealed values reach an
    encrypted column, as plain bytes."""
    for value in values:
        if value is not None and not isinstance(value, Sealed):
            raise PlaintextRefused("encrypted column given a plain value")
    return [None if value is None else bytes(value) for value in values]


def _bound(column_type: Any, values: list[Any], dialect: Any) -> Sequence[Any]:
    """One column's values as the driver takes them."""
    if isinstance(column_type, EncryptedBlob):
        return _unsealed_bytes(values)
    process = column_type.bind_processor(dialect)
    if process is None:
        return values
    first = values[0]
    if all(value is first for value in values):  # one value in every row: process it once
        return [process(first)] * len(values)
    return list(map(process, values))


def reserve_key_ids(
    db: Session, vault: Vault, count: int, *, index: Indexer | None = None, spare: int = 0
) -> list[int]:
    """Ids for ``count`` new data keys, so keys can be wrapped before they are inserted.

    PostgreSQL hands out a sequence range, which no one else can take. SQLite has no sequence:
    in the same transaction as the insert, ``max(id)`` is safe (every transaction holds the write
    lock); when the insert comes later, ``spare`` ids are skipped so other writers (which take
    ``max(id) + 1``) meanwhile do not reach ours, and ``_write`` checks they did not.
    """
    (index or Indexer(vault)).prepare()  # making the index key takes a key id: do it first
    if db.get_bind().dialect.name == "postgresql":
        rows = db.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('data_key', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).scalars()
        return [int(r) for r in rows]
    start = int(db.scalar(select(func.coalesce(func.max(DataKey.id), 0))) or 0) + 1 + spare
    return list(range(start, start + count))


class KeyIdsTaken(Exception):
    """Another writer took some of the reserved data-key ids (SQLite only; reserve again)."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    object_type: str
    object_id: str | None = None
    case_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    subject_ref: str | None = None
    fields: Sequence[str] = ()


def record_many(
    db: Session,
    actor: Actor | None,
    category: str,
    entries: Sequence[AuditEntry],
    *,
    now: datetime | None = None,
) -> None:
    """Append many chained audit entries with one executemany.

    The same chain as ``portal.audit.service.record`` (same lock, same head cache, same hash), so
    single and bulk appends can be mixed in one transaction.
    """
    if not entries:
        return
    at = now or utc_now()
    request_id = audit.request_id_var.get()
    rows = audit.chain(
        db,
        [
            {
                "at": at,
                "actor_id": actor.user_id if actor else None,
                "actor_role": actor.role.value if actor else None,
                "category": category,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "case_id": entry.case_id,
                "subject_id": entry.subject_id,
                "subject_ref": entry.subject_ref,
                "fields": ",".join(sorted(entry.fields)) or None,
                "recipient": None,
                "purpose": None,
                "request_id": request_id,
            }
            for entry in entries
        ],
    )
    bulk_insert(db, AuditEvent, rows)
