"""Where a page's time goes, in one process: cProfile over N requests to one of the pages
``bench.web`` loads, with the thread-pool hop made inline so the profile sees the handler.

    .venv/bin/python -m bench.profile_page --page case --requests 300

It seeds the same data as ``bench.web`` (fewer cases by default), prints the mean service time
without the profiler, then the functions taking the most time under it. A tool for finding
causes, not a goal check: the goals are measured by ``bench.web``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import bench_settings, note, temp_database
from bench.web import seed


async def _inline_run_sync(func: Any, *args: Any, **_kwargs: Any) -> Any:
    return func(*args)


async def _get(app: Any, path: str, cookie: str) -> tuple[int, bytes]:
    """One GET through the ASGI app, as a loopback client would send it."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    status = 0
    body = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status, bytes(body)


async def _requests(app: Any, paths: list[str], cookie: str, n: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds per request (CPU time moves less on a shared machine)."""
    rng = random.Random(3)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        status, body = await _get(app, rng.choice(paths), cookie)
        if status != 200:
            raise SystemExit(f"{status} for a page: {body[:300]!r}")
    return (time.perf_counter() - started) / n, (time.process_time() - cpu) / n


async def _print_statements(app: Any, paths: list[str], cookie: str) -> None:
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:220])

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", record)
    await _get(app, paths[0], cookie)
    event.remove(engine, "before_cursor_execute", record)
    for number, statement in enumerate(seen, 1):
        print(number, statement)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--page", choices=("case", "home", "people"), default="case")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--people", type=int, default=480)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sql", action="store_true", help="print the statements of one request")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() before the requests")
    args = parser.parse_args()

    import anyio.to_thread

    from portal.app import create_app

    anyio.to_thread.run_sync = _inline_run_sync  # type: ignore[assignment]
    with (
        tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp_name,
        temp_database(Path(tmp_name), "profile", args.database_url) as url,
    ):
        settings = bench_settings(Path(tmp_name), url)
        note("seeding")
        seeded = seed(settings, cases=args.cases, people=args.people)
        app = create_app(settings)
        paths = {
            "case": seeded.case_paths,
            "home": ["/home"],
            "people": [p + "?role=victim" for p in seeded.case_paths],
        }[args.page]

        async def run() -> None:
            async with app.router.lifespan_context(app):
                await _requests(app, paths, seeded.cookie, 50)
                if args.sql:
                    await _print_statements(app, paths, seeded.cookie)
                    return
                if args.gc_freeze:
                    gc.collect()
                    gc.freeze()
                print(f"gc counts {gc.get_count()} stats {gc.get_stats()}")
                wall, cpu = await _requests(app, paths, seeded.cookie, args.requests)
                print(
                    f"per request without profiler: {wall * 1000:.2f} ms, CPU {cpu * 1000:.2f} ms"
                )
                profiler = cProfile.Profile()
                profiler.enable()
                await _requests(app, paths, seeded.cookie, args.requests)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats(args.sort).print_stats(args.top)
                print(out.getvalue())

        asyncio.run(run())


if __name__ == "__main__":
    main()
