"""Every migration downgrades and upgrades again on a populated database (issue 19 point 7)."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

import portal.models  # noqa: F401
from portal.db.migrate import alembic_config, current_revision, downgrade, upgrade
from portal.db.session import make_engine, unit_of_work
from portal.wiring import session_factory
from tests.conftest import make_settings
from tests.support.database import fresh_database
from tests.support.known_world import seed_known_world


def _row_counts(engine: Engine) -> dict[str, int]:
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
        }


def test_every_migration_downgrades_and_upgrades_on_a_populated_database(tmp_path: Path) -> None:
    revisions = [
        script.revision
        for script in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
    ]
    with fresh_database(tmp_path, "populated") as url:
        settings = make_settings(url, tmp_path)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            with unit_of_work(session_factory(engine)) as session:
                seed_known_world(session, settings)
            populated = _row_counts(engine)
            assert populated["person"] > 0 and populated["audit_event"] > 0
            for index in range(len(revisions) - 1, 0, -1):
                higher, lower = revisions[index], revisions[index - 1]
                before = _row_counts(engine)
                downgrade(engine, lower)
                assert current_revision(engine) == lower
                kept = _row_counts(engine)
                # A downgrade drops what the later migration added and nothing else.
                for name, count in kept.items():
                    assert count == before.get(name, count), (higher, name)
                upgrade(engine, higher)
                assert current_revision(engine) == higher
                again = _row_counts(engine)
                for name, count in kept.items():
                    assert again[name] == count, (higher, name)
                downgrade(engine, lower)
            downgrade(engine, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade(engine)
            assert current_revision(engine) == revisions[-1]
        finally:
            engine.dispose()


def _env(url: str, instance: Path) -> dict[str, str]:
    from tests.conftest import TEST_KEK, TEST_SECRET

    return {
        "PORTAL_DATABASE_URL": url,
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_KEK": TEST_KEK,
    }


def test_portal_db_downgrade_command_goes_down_and_upgrade_comes_back(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from portal import cli

    with fresh_database(tmp_path, "cli_down") as url:
        env = _env(url, tmp_path / "instance")
        runner = CliRunner()
        assert runner.invoke(cli.main, ["db", "upgrade"], env=env).exit_code == 0
        engine = make_engine(make_settings(url, tmp_path / "instance"))
        try:
            head = current_revision(engine)
            refused = runner.invoke(cli.main, ["db", "downgrade", "0011"], env=env, input="n\n")
            assert refused.exit_code != 0 and current_revision(engine) == head
            result = runner.invoke(cli.main, ["db", "downgrade", "0011", "--yes"], env=env)
            assert result.exit_code == 0, result.output
            assert current_revision(engine) == "0011"
            unknown = runner.invoke(cli.main, ["db", "downgrade", "9999", "--yes"], env=env)
            assert unknown.exit_code == 2 and "No migration" in unknown.output
            assert "Traceback" not in unknown.output
            assert runner.invoke(cli.main, ["db", "upgrade"], env=env).exit_code == 0
            assert current_revision(engine) == head
        finally:
            engine.dispose()
