"""Shared fixtures: one migrated database per test session, emptied after every test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db.base import Base
from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.settings import Settings
from portal.wiring import session_factory
from tests.support.database import fresh_database

# Property tests check correctness, not speed: no per-example deadline (a loaded CI machine
# would otherwise fail them at random), and no example database written into the tree.
hypothesis_settings.register_profile("portal", deadline=None, database=None)
hypothesis_settings.load_profile("portal")

TEST_SECRET = "ab" * 32
TEST_KEK = "kek-test:" + "cd" * 32


def make_settings(database_url: str, instance_dir: Path, **overrides: str) -> Settings:
    env = {
        "PORTAL_INSTANCE_DIR": str(instance_dir),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_KEK": TEST_KEK,
        "PORTAL_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with fresh_database(tmp_path_factory.mktemp("db"), worker) as url:
        yield url


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def settings(database_url: str, instance_dir: Path) -> Settings:
    return make_settings(database_url, instance_dir)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    empty_all_tables(engine)


def empty_all_tables(engine: Engine) -> None:
    """Between tests only: the append-only triggers on the audit log are lifted for the
    cleanup (the test role is a superuser on PostgreSQL; SQLite triggers are dropped and
    recreated). The application itself can do neither."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # One round trip for every table: a statement each cost ~1 ms on the CI machine,
            # some 60 of them after each of ~1,900 tests.
            deletes = " ".join(f'DELETE FROM "{name}";' for name in tables)
            conn.exec_driver_sql(f"SET LOCAL session_replication_role = replica; {deletes}")
            return
        conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
        for name in tables:
            conn.execute(text(f'DELETE FROM "{name}"'))
        for verb in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON "
                    "audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
                )
            )


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A unit of work that commits at the end of the test (like a request would)."""
    with unit_of_work(session_factory(engine)) as session:
        yield session


@pytest.fixture
def commit(engine: Engine) -> Callable[[Callable[[Session], object]], object]:
    """Run ``fn(session)`` in its own committed unit of work and return its result."""

    def run(fn: Callable[[Session], object]) -> object:
        with unit_of_work(session_factory(engine)) as session:
            return fn(session)

    return run


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[Starlette]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
