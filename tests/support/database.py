"""Test databases: SQLite by default, PostgreSQL when PORTAL_TEST_DATABASE_URL is set.

For PostgreSQL each test session (and each xdist worker) creates its own database on the server
named in PORTAL_TEST_DATABASE_URL and drops it at the end, so runs never see each other's data.
The schema is built only by running the Alembic migrations.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

PG_ENV = "PORTAL_TEST_DATABASE_URL"


def backend() -> str:
    return "postgresql" if os.environ.get(PG_ENV) else "sqlite"


@contextmanager
def fresh_database(tmp_dir: Path, label: str) -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        yield f"sqlite:///{tmp_dir / f'{label}.db'}"
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"portal_t_{label}_{secrets.token_hex(4)}".lower()
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway test database need not wait for the disk at every commit: nothing the
        # tests check depends on a commit surviving a crash of the server, and on this 2-core
        # CI machine the fsyncs were a large share of the PostgreSQL run.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
