"""Database faults that mean "the service is unavailable", not "the portal has a bug".

A stopped, frozen or unreachable database, a statement or lock that ran out of time, a pool with
no free connection, and a full disk all answer a GOV.UK "service unavailable" page (503), logged
once with their kind; never a generic 500 and never a hung request (issue 19 points 4 and 8).
"""

from __future__ import annotations

import errno
import threading
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

# A page gives up waiting for the database after this long (a frozen server never answers).
REQUEST_DEADLINE_S = 10.0
HEALTH_TIMEOUT_S = 2.0

DISK_FULL_SQLSTATE = "53100"
_DISK_FULL_TEXT = ("database or disk is full", "no space left on device", "could not extend file")


class DatabaseUnavailable(Exception):
    """The database did not answer in time (raised by the web edge's deadline)."""


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DatabaseUnavailable | sa_exc.TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) or bool(
            exc.connection_invalidated
        )
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    original: Any = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) == DISK_FULL_SQLSTATE:
        return True
    return any(text in str(original or exc).lower() for text in _DISK_FULL_TEXT)


def kind_of(exc: BaseException) -> str:
    """A short, data-free name for the log."""
    if is_disk_full(exc):
        return "disk_full"
    if isinstance(exc, DatabaseUnavailable):
        return "deadline"
    if isinstance(exc, sa_exc.TimeoutError):
        return "pool_timeout"
    text = str(getattr(exc, "orig", exc)).lower()
    for needle, kind in (
        ("statement timeout", "statement_timeout"),
        ("canceling statement", "statement_timeout"),
        ("interrupted", "statement_timeout"),
        ("lock timeout", "lock_timeout"),
        ("database is locked", "locked"),
        ("timeout expired", "connect_timeout"),
        ("connection", "connection"),
    ):
        if needle in text:
            return kind
    return "operational"


# Probes in flight at once: more than this means they are stuck on a frozen database.
_probes = threading.BoundedSemaphore(8)


def probe(engine: Engine) -> str:
    """``ok`` or why not, from one ``SELECT 1`` on a raw pooled connection (no transaction,
    so on SQLite no write lock). Called from a worker thread; probes already stuck on a frozen
    database makes the next ones answer at once instead of piling up threads."""
    if not _probes.acquire(blocking=False):
        return "unavailable (earlier checks have not returned)"
    started = time.monotonic()
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            cursor.close()
            connection.rollback()
        finally:
            connection.close()
    except Exception as exc:
        return f"unavailable ({kind_of(exc)})"
    finally:
        _probes.release()
    return "ok" if time.monotonic() - started < HEALTH_TIMEOUT_S else "slow"
