"""Benchmark-only reference app: the ``plain`` and ``fortunes`` endpoints (performance.md 7).

Served next to the real portal in every web benchmark run, so each goal is a same-run ratio:

* ``/plain``: ``async def`` returning a 60-byte HTML page (the framework ceiling).
* ``/fortunes``: TechEmpower-style fortunes: SELECT 12 rows from ``bench_fortune`` in the same
  database as the portal, add one at request time, sort, render a Jinja table with the portal's
  own Jinja environment (autoescape, StrictUndefined). It runs through the **portal's execution
  model**: a plain ``def`` run in a worker thread behind an ``anyio.CapacityLimiter`` of
  ``PORTAL_DB_THREADS`` tokens (4), exactly as ``portal.web.routing`` runs handlers.
* ``/fortunes-inline``: the same work in an ``async def`` calling the sync engine directly on the
  event loop (the W4 reference).
* ``/fortunes-tx``: ``/fortunes`` but through the portal's engine and unit of work (SQLite:
  ``BEGIN IMMEDIATE`` and a commit per request), to show what the transaction discipline costs.

Not part of the portal: nothing imports this module except the benchmarks. Start with
``uvicorn --factory bench.refapp:asgi_from_env`` and the same PORTAL_* variables as the portal.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Engine, create_engine, event, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from portal.db.session import make_engine, unit_of_work
from portal.settings import Settings
from portal.web.templating import make_templates
from portal.wiring import session_factory

PLAIN = b"<!DOCTYPE html><html><body><p>Hello, world</p></body></html>"
assert len(PLAIN) == 60

FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]
EXTRA = "Additional fortune added at request time."

TEMPLATE = (
    "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
    "<tr><th>id</th><th>message</th></tr>"
    "{% for id, message in fortunes %}<tr><td>{{ id }}</td><td>{{ message }}</td></tr>"
    "{% endfor %}</table></body></html>"
)
SELECT = text("SELECT id, message FROM bench_fortune")


def create_fortune_table(engine: Engine) -> None:
    """The 12 TechEmpower fortunes, in the benchmark database (never the portal's schema)."""
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_fortune (id INTEGER PRIMARY KEY, message TEXT)")
        )
        conn.execute(text("DELETE FROM bench_fortune"))
        conn.execute(
            text("INSERT INTO bench_fortune (id, message) VALUES (:id, :message)"),
            [{"id": i, "message": m} for i, m in enumerate(FORTUNES, start=1)],
        )


def _read_engine(settings: Settings) -> Engine:
    """A plain engine on the same database: the reference reads without a write transaction."""
    if settings.is_sqlite:
        engine = create_engine(
            settings.database_url, connect_args={"check_same_thread": False, "timeout": 5}
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(
        settings.database_url, pool_size=max(2, settings.db_threads), max_overflow=4
    )


def create_refapp(settings: Settings) -> Starlette:
    template = make_templates().env.from_string(TEMPLATE)
    engine = _read_engine(settings)
    portal_engine = make_engine(settings)
    factory = session_factory(portal_engine)
    limiter = anyio.CapacityLimiter(settings.db_threads)

    def render(rows: list[Any]) -> HTMLResponse:
        fortunes = [(row[0], row[1]) for row in rows]
        fortunes.append((0, EXTRA))
        fortunes.sort(key=lambda item: item[1])
        return HTMLResponse(template.render(fortunes=fortunes))

    def fortunes_sync() -> HTMLResponse:
        with engine.connect() as conn:
            rows = list(conn.execute(SELECT))
        return render(rows)

    def fortunes_tx() -> HTMLResponse:
        with unit_of_work(factory) as db:
            rows = list(db.execute(SELECT))
            return render(rows)

    async def plain(_request: Request) -> HTMLResponse:
        return HTMLResponse(PLAIN)

    async def fortunes(_request: Request) -> HTMLResponse:
        return await anyio.to_thread.run_sync(partial(fortunes_sync), limiter=limiter)

    async def fortunes_inline(_request: Request) -> HTMLResponse:
        return fortunes_sync()

    async def fortunes_transaction(_request: Request) -> HTMLResponse:
        return await anyio.to_thread.run_sync(partial(fortunes_tx), limiter=limiter)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()
        portal_engine.dispose()

    return Starlette(
        routes=[
            Route("/plain", plain),
            Route("/fortunes", fortunes),
            Route("/fortunes-inline", fortunes_inline),
            Route("/fortunes-tx", fortunes_transaction),
        ],
        lifespan=lifespan,
    )


def asgi_from_env() -> Starlette:
    return create_refapp(Settings.from_env())
