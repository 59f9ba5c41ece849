"""Engines, sessions and the unit of work.

One unit of work per request (house rule 4): services ``flush`` and never ``commit``; the web edge
(``portal.web.routing``) opens the unit of work, commits when the handler returns normally and rolls
back on any exception, so a change and its audit row commit together or not at all.

SQLite is set up for durability and for several processes at once (security.md section 6): WAL,
``synchronous=FULL`` (commits survive power loss), foreign keys on, a 5 s busy timeout, and every
transaction started with ``BEGIN IMMEDIATE`` so that a read-then-write transaction cannot fail with
SQLITE_BUSY despite the timeout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from portal.kit.events import EVENTS_KEY, EventBus
from portal.settings import Settings, prepare_database_files

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(settings: Settings, **kwargs: Any) -> Engine:
    if settings.is_sqlite:
        prepare_database_files(settings)  # 0700 folder, 0600 files, or SettingsError
        engine = create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        settings.database_url,
        pool_pre_ping=True,
        pool_size=max(2, settings.db_threads),
        max_overflow=4,
        **kwargs,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(
    engine: Engine, *, events: EventBus | None = None
) -> sessionmaker[Session]:
    """Sessions on ``engine``. ``events`` is the domain-event bus their use cases publish to
    (portal.kit.events); the application's comes from ``portal.wiring.session_factory``."""
    info = {EVENTS_KEY: events} if events is not None else {}
    return sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit if the block finishes, roll back if it raises. Only the web edge and CLI use this."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def serialize_on(session: Session, key: str) -> None:
    """Serialise concurrent transactions on ``key`` until this transaction ends.

    SQLite already serialises writers (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    advisory lock, so check-then-insert logic (login throttling) is atomic across processes.
    """
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(key.encode()).digest()
        lock_id = int.from_bytes(digest[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})
