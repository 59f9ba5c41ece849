"""Run Alembic migrations from code (``portal db upgrade``/``downgrade``, ``portal demo``, tests).

On SQLite a migration that alters a table rebuilds it (copy, drop, rename). With foreign keys
enforced, dropping a table that other rows refer to fails, so on a populated database those
rebuilds used to fail (0008 -> 0007). SQLite's own procedure for altering a table is followed
instead: foreign keys off for the migration (a PRAGMA that only works outside a transaction),
then ``PRAGMA foreign_key_check`` must find no broken reference before they are switched back on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from portal.db.session import STATEMENT_TIMEOUT_KEY
from portal.settings import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "migrations"


class MigrationProblem(Exception):
    """A migration left the database inconsistent (it was rolled back where the engine allows)."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migrating(engine) as (config, connection):
        command.upgrade(config, revision)
        connection.commit()


def downgrade(engine: Engine, revision: str) -> None:
    with _migrating(engine) as (config, connection):
        command.downgrade(config, revision)
        connection.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """Whether ``revision`` names a migration (or ``base``), so a typo never reaches Alembic."""
    if revision == "base":
        return True
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown or ambiguous ids
        return False


@contextmanager
def _migrating(engine: Engine) -> Iterator[tuple[Config, Connection]]:
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        limit = connection.info.get(STATEMENT_TIMEOUT_KEY)
        if sqlite:
            _pragma(connection, "PRAGMA foreign_keys=OFF")
            connection.info[STATEMENT_TIMEOUT_KEY] = None  # a migration may copy big tables
        else:
            connection.exec_driver_sql("SET statement_timeout = 0")
            connection.commit()
        try:
            config.attributes["connection"] = connection
            yield config, connection
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    tables = sorted({str(row[0]) for row in broken})
                    raise MigrationProblem(
                        "the migration left rows that refer to missing rows in: "
                        + ", ".join(tables)
                    )
        finally:
            connection.rollback()
            if sqlite:
                _pragma(connection, "PRAGMA foreign_keys=ON")
                connection.info[STATEMENT_TIMEOUT_KEY] = limit
            else:
                connection.exec_driver_sql("RESET statement_timeout")  # back to the engine's
                connection.commit()


def _pragma(connection: Connection, statement: str) -> None:
    # The engine's connections run the sqlite3 module in autocommit mode (portal.db.session),
    # so outside SQLAlchemy's transaction this PRAGMA takes effect at once.
    connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
