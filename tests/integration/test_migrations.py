"""Migrations are the only way the schema is built, and they agree with the models (T45)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import portal.models  # noqa: F401
from portal.db.base import Base
from portal.db.migrate import alembic_config, downgrade, upgrade
from portal.db.session import make_engine
from tests.conftest import make_settings
from tests.support.database import fresh_database


def test_single_head() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_models_match_migrations(engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "updown") as url:
        engine = make_engine(make_settings(url, tmp_path))
        try:
            upgrade(engine)
            tables = set(inspect(engine).get_table_names())
            assert {t.name for t in Base.metadata.sorted_tables} <= tables
            downgrade(engine, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade(engine)
            assert {t.name for t in Base.metadata.sorted_tables} <= set(
                inspect(engine).get_table_names()
            )
        finally:
            engine.dispose()


def test_migration_files_are_numbered_in_order() -> None:
    versions = sorted(
        p.name for p in (Path(__file__).parents[2] / "migrations" / "versions").glob("*.py")
    )
    for index, name in enumerate(versions, start=1):
        assert name.startswith(f"{index:04d}_"), name
