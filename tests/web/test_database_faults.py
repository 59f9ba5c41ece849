"""A frozen, unreachable or full database never hangs or 500s a user (issue 19 points 4, 8)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.app import create_app
from portal.db.session import make_engine
from portal.web import routing
from tests.conftest import make_settings
from tests.support.factories import add_person, make_case, make_user
from tests.support.web import csrf_from
from tests.web.test_case_pages import client_as

UNAVAILABLE = "Sorry, the service is unavailable"
UNREACHABLE_PG = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def test_a_long_statement_is_stopped_by_the_statement_timeout(settings) -> None:
    engine = make_engine(settings, statement_timeout_s=0.3)
    slow = (
        "SELECT pg_sleep(5)"
        if engine.dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM n"
    )
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text(slow))
        assert time.monotonic() - started < 3
        with engine.connect() as connection:  # the connection is usable again
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_frozen_database_gives_the_unavailable_page_within_seconds(
    app, db, settings, monkeypatch
) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    client = client_as(app, db, user)
    assert client.get("/home").status_code == 200
    release = threading.Event()
    real = routing.accounts.load_session

    def frozen(*args, **kwargs):
        release.wait(10)  # the database does not answer
        return real(*args, **kwargs)

    monkeypatch.setattr(routing, "REQUEST_DEADLINE_S", 1.0)
    monkeypatch.setattr(routing.accounts, "load_session", frozen)
    try:
        started = time.monotonic()
        page = client.get("/home")
        elapsed = time.monotonic() - started
    finally:
        release.set()
    assert page.status_code == 503 and UNAVAILABLE in page.text
    assert page.headers["retry-after"]
    assert elapsed < 3


def test_an_unreachable_database_gives_the_unavailable_page_and_health_says_so(
    tmp_path: Path,
) -> None:
    application = create_app(make_settings(UNREACHABLE_PG, tmp_path))
    try:
        with TestClient(application) as client:
            client.cookies.set("portal_session", "x" * 43)
            started = time.monotonic()
            page = client.get("/home")
            assert page.status_code == 503 and UNAVAILABLE in page.text
            assert "127.0.0.1" not in page.text and "nobody" not in page.text
            health = client.get("/healthz")
            assert time.monotonic() - started < 8
            assert health.status_code == 503
            assert health.text.startswith("unavailable\ndatabase: unavailable")
    finally:
        application.state.engine.dispose()


def _fill_the_disk(engine):
    """Every write fails the way a full disk fails it on this engine; returns the listener."""
    if engine.dialect.name == "postgresql":
        import psycopg.errors

        error: Exception = psycopg.errors.DiskFull(
            'could not extend file "base/1/2": No space left on device'
        )
    else:
        error = sqlite3.OperationalError("database or disk is full")

    def full(cursor, statement, parameters, context):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise error

    # The access log is appended in one executemany INSERT at the end of a request.
    event.listen(engine, "do_execute", full)
    event.listen(engine, "do_executemany", full)
    return full


def test_a_full_disk_gives_a_clear_page_not_a_500(app, db, settings) -> None:
    """Reads that need no log entry still work (the engine reads a full disk); a page that
    shows a record writes the access log, so it is refused rather than shown unlogged."""
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor)
    add_person(db, settings, case, name="Diskcanary Full", actor_user=prosecutor)
    client = client_as(app, db, prosecutor)
    page = client.get(f"/cases/{case.id}/events/new")
    assert page.status_code == 200, page.status_code
    token = csrf_from(page.text)
    listener = _fill_the_disk(app.state.engine)
    try:
        for path in ("/login", "/accessibility", "/healthz"):
            assert client.get(path).status_code == 200, path
        read = client.get(f"/cases/{case.id}")
        assert read.status_code == 503 and "run out of storage space" in read.text
        assert "Diskcanary" not in read.text
        write = client.post(
            f"/cases/{case.id}/events/new",
            data={
                "csrf_token": token,
                "kind": "plea",
                "plea-outcome": "not_guilty",
                "event_date-day": "2",
                "event_date-month": "11",
                "event_date-year": "2026",
            },
        )
        assert write.status_code == 503 and "run out of storage space" in write.text
    finally:
        event.remove(app.state.engine, "do_execute", listener)
        event.remove(app.state.engine, "do_executemany", listener)
    assert client.get(f"/cases/{case.id}").status_code == 200  # space freed: back at once


def _serve(env: dict[str, str]):
    from click.testing import CliRunner

    from portal import cli
    from tests.conftest import TEST_KEK, TEST_SECRET

    full = {"PORTAL_SECRET_KEY": TEST_SECRET, "PORTAL_KEK": TEST_KEK, **env}
    return CliRunner().invoke(cli.main, ["serve", "--no-worker"], env=full)


def test_start_up_with_an_unreachable_database_prints_one_line(tmp_path: Path) -> None:
    started = time.monotonic()
    result = _serve(
        {
            "PORTAL_INSTANCE_DIR": str(tmp_path / "instance"),
            "PORTAL_DATABASE_URL": "postgresql://nobody:hunter22@127.0.0.1:1/none",
        }
    )
    assert result.exit_code == 2
    assert time.monotonic() - started < 10
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Cannot use the database" in lines[0], result.output
    assert "PORTAL_DATABASE_URL" in lines[0] and "hunter22" not in lines[0]
    assert "Traceback" not in result.output


def test_start_up_with_an_unwritable_instance_folder_prints_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = _serve({"PORTAL_INSTANCE_DIR": str(blocker / "instance")})
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "instance folder" in lines[0], result.output
    assert "PORTAL_INSTANCE_DIR" in lines[0] and "Traceback" not in result.output
