"""Engines, sessions and the unit of work.

One unit of work per request (house rule 4): services ``flush`` and never ``commit``; the web edge
(``portal.web.routing``) opens the unit of work, commits when the handler returns normally and rolls
back on any exception, so a change and its audit row commit together or not at all.

SQLite is set up for durability and for several processes at once (security.md section 6): WAL,
``synchronous=FULL`` (commits survive power loss), foreign keys on, a 5 s busy timeout, and every
writing transaction started with ``BEGIN IMMEDIATE`` so that a read-then-write transaction cannot
fail with SQLITE_BUSY despite the timeout.

Safe requests (GET, HEAD) run in a *read* unit of work instead (``read_unit_of_work``): a deferred
transaction (on SQLite a WAL snapshot that takes no lock) in which nothing may be written. What a
read must record (the audit rows of what it showed, a session's last-seen time) is queued with
``write_later`` and written by the edge in one short ``unit_of_work`` after the page is rendered
and before it is sent. A read transaction is never upgraded to a write one: a flush or an
INSERT/UPDATE/DELETE in it raises ``ReadOnlyViolation``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from portal.kit.events import EVENTS_KEY, EventBus
from portal.settings import Settings, prepare_database_files

SQLITE_BUSY_TIMEOUT_MS = 5000
# Timeouts (issue 19 point 4): nothing waits on the database for ever. Web requests get the short
# statement timeout; commands (migrations, rotation, bulk jobs) the long one. Migrations lift it.
CONNECT_TIMEOUT_S = 3
POOL_TIMEOUT_S = 5
WEB_STATEMENT_TIMEOUT_S = 5.0
STATEMENT_TIMEOUT_S = 60.0
LOCK_TIMEOUT_MS = 5000
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
# Connection.info key: seconds a statement may run on this connection, None for no limit.
STATEMENT_TIMEOUT_KEY = "portal_statement_timeout_s"

# The connection execution option that marks a read unit of work (SQLite: plain deferred BEGIN).
READ_OPTION = "portal_read"
_READ_KEY = "portal.read"  # Session.info: this session is a read unit of work
_LATER_KEY = "portal.write_later"  # Session.info: writes queued for the short write at the end

Deferred = Callable[[Session], None]


class ReadOnlyViolation(RuntimeError):
    """Something tried to write inside a read unit of work (a bug: queue it with write_later)."""


def make_engine(
    settings: Settings, *, statement_timeout_s: float | None = STATEMENT_TIMEOUT_S, **kwargs: Any
) -> Engine:
    if settings.is_sqlite:
        prepare_database_files(settings)  # 0700 folder, 0600 files, or SettingsError
        engine = create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,  # a database error's log line never carries what was typed
            pool_timeout=POOL_TIMEOUT_S,
            **kwargs,
        )
        _configure_sqlite(engine, statement_timeout_s)
        return engine
    options = [
        f"-c lock_timeout={LOCK_TIMEOUT_MS}",
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}",
    ]
    if statement_timeout_s is not None:
        options.append(f"-c statement_timeout={int(statement_timeout_s * 1000)}")
    return create_engine(
        settings.database_url,
        pool_pre_ping=True,
        hide_parameters=True,  # a database error's log line never carries what was typed
        pool_size=max(2, settings.db_threads),
        max_overflow=4,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": " ".join(options),
            # A server that vanished (not one that is merely slow) is noticed within ~20 s.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 2,
            "tcp_user_timeout": 20_000,
        },
        **kwargs,
    )


def _configure_sqlite(engine: Engine, statement_timeout_s: float | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Take transaction control away from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
        # SQLite has no statement timeout: a progress handler interrupts a statement that runs
        # past its deadline ("interrupted", an OperationalError), which the edge answers 503.
        info = record.info
        info.setdefault(STATEMENT_TIMEOUT_KEY, statement_timeout_s)
        dbapi_connection.set_progress_handler(
            lambda: 1 if time.monotonic() > info.get("portal_deadline", math.inf) else 0, 20_000
        )

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(connection: Any, *_: Any) -> None:
        limit = connection.info.get(STATEMENT_TIMEOUT_KEY)
        connection.info["portal_deadline"] = math.inf if limit is None else time.monotonic() + limit

    @event.listens_for(engine, "after_cursor_execute")
    def _stop_clock(connection: Any, *_: Any) -> None:
        connection.info["portal_deadline"] = math.inf

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_OPTION):
            # Deferred: the snapshot starts at the first read and no lock is ever taken, since
            # nothing is written in a read unit of work (so it never needs upgrading).
            connection.exec_driver_sql("BEGIN")
        else:
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


@contextmanager
def read_unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A read: no lock held, nothing written, always rolled back at the end.

    Writes a read needs are queued with ``write_later``; the caller takes them with
    ``take_later`` and runs them in a short ``unit_of_work`` once the read is over.
    """
    session = factory()
    session.info[_READ_KEY] = True
    session.info[_LATER_KEY] = []
    try:
        session.connection(execution_options={READ_OPTION: True})
        yield session
    finally:
        session.rollback()
        session.close()


def is_read(session: Session) -> bool:
    """Whether ``session`` is a read unit of work (writes must be queued, not made)."""
    return bool(session.info.get(_READ_KEY))


def write_later(session: Session, write: Deferred) -> None:
    """Queue ``write(db)`` for the short write transaction at the end of a read; in a writing
    unit of work it runs at once."""
    if is_read(session):
        session.info[_LATER_KEY].append(write)
    else:
        write(session)


def take_later(session: Session) -> list[Deferred]:
    """The writes a read queued, in order (and no longer queued)."""
    queued: list[Deferred] = session.info.get(_LATER_KEY) or []
    session.info[_LATER_KEY] = []
    return queued


@event.listens_for(Session, "before_flush")
def _no_flush_in_reads(session: Session, _context: Any, _instances: Any) -> None:
    if is_read(session):
        raise ReadOnlyViolation("a read unit of work tried to flush changes")


@event.listens_for(Session, "do_orm_execute")
def _no_dml_in_reads(state: ORMExecuteState) -> None:
    if is_read(state.session) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyViolation("a read unit of work tried to write")


def serialize_on(session: Session, key: str) -> None:
    """Serialise concurrent transactions on ``key`` until this transaction ends.

    SQLite already serialises writers (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    advisory lock, so check-then-insert logic (login throttling) is atomic across processes.
    """
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(key.encode()).digest()
        lock_id = int.from_bytes(digest[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})
