"""The database is set up for durability and concurrency as security.md section 6 asks."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support.database import backend


def test_connection_settings_for_this_backend(engine) -> None:
    """SQLite: WAL, synchronous=FULL, foreign keys, busy timeout. PostgreSQL: psycopg 3."""
    if backend() == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    else:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1


def test_timestamps_round_trip_as_aware_utc(db) -> None:
    from portal.accounts.roles import Role
    from tests.support.factories import make_user

    user = make_user(db, role=Role.AUDITOR)
    db.commit()
    db.expire_all()
    assert user.created_at.tzinfo is not None
    assert user.created_at.utcoffset().total_seconds() == 0
    db.commit()


def test_naive_datetimes_are_refused(db) -> None:
    from datetime import datetime

    from sqlalchemy.exc import StatementError

    from portal.accounts.roles import Role
    from tests.support.factories import make_user

    user = make_user(db, role=Role.AUDITOR)
    user.password_changed_at = datetime(2026, 1, 1)
    with pytest.raises(StatementError, match="naive datetime"):
        db.flush()
    db.rollback()
