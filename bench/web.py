"""Benchmark: the real portal over HTTP against the reference endpoints (goals W1, W4-W7, W9).

    .venv/bin/python -m bench.web [--database-url postgresql://postgres@127.0.0.1:5432/test]
                                  [--rounds 3] [--duration 5] [--quick]

What it does (about 6 minutes with the defaults; hard limit ``--timeout``):

1. Builds a temporary database (SQLite file, or a throw-away PostgreSQL database on the server
   of ``--database-url``), migrates it, creates the demo users and seeds synthetic cases with
   ``portal.demo.seed_demo`` (cases, defendants, events, obligations, victims and witnesses
   imported with encryption). A session row for ``wco.demo`` is created directly (no argon2), and
   its cookie is passed to wrk.
2. Starts four loopback servers at once, each like ``portal serve``: the real
   ``portal.app:asgi_from_env`` with 1 and with 2 workers, and the reference app
   (``bench.refapp``) with 1 and with 2 workers. Only one is loaded at a time.
3. Phase ``c32`` (``wrk -t2 -c32``): every variant on both worker counts, shuffled, per round.
   Phase ``c1`` (``wrk -t1 -c1``, 1 worker): service times, and htmx fragments vs full pages.
4. Prints one JSON line per wrk run, then one per goal with the per-round ratios, their median
   and min-max, and PASS or FAIL on the median.

Every ratio is taken inside one round (same run, same data, same machine state).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._common import (
    Server,
    bench_env,
    bench_settings,
    db_kind,
    emit,
    hard_timeout,
    http_get,
    load1,
    machine,
    note,
    random_path_script,
    run_wrk,
    spread,
    temp_database,
    verdict,
    wait_for_quiet,
)

CASE_PATHS_MAX = 500


@dataclass
class Seeded:
    cookie: str
    case_paths: list[str]
    list_prefix: str
    list_matches: int
    summary: dict[str, Any]


def seed(settings: Any, *, cases: int, people: int) -> Seeded:
    from sqlalchemy import func, select

    from bench.refapp import create_fortune_table
    from portal.accounts.actor import Actor
    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.cases import repository
    from portal.cli import DEMO_USERS
    from portal.db.migrate import upgrade
    from portal.db.session import make_engine, unit_of_work
    from portal.demo import seed_demo
    from portal.web.csrf import session_cookie_name
    from portal.wiring import session_factory
    from tests.support.factories import make_session_token, make_user

    engine = make_engine(settings)
    try:
        upgrade(engine)
        factory = session_factory(engine)
        with unit_of_work(factory) as db:
            for user in DEMO_USERS:
                make_user(
                    db,
                    role=user.role,
                    username=user.username,
                    display_name=user.display_name,
                    area=None,
                    unit=None,
                )
        summary = seed_demo(factory, settings, cases=cases, people=people, big_case_victims=0)
        with unit_of_work(factory) as db:
            wco = db.scalars(select(User).where(User.username == "wco.demo")).one()
            token = make_session_token(db, wco)
            actor = Actor(wco.id, Role.WITNESS_CARE_OFFICER, wco.area, wco.unit)
            visible = list(db.scalars(repository.scoped(actor)))
            _listed_hearings(db, settings, actor, visible)
            prefixes = Counter(c.urn[:4] for c in visible)
            prefix, matches = prefixes.most_common(1)[0]
            obligations = db.scalar(select(func.count()).select_from(_table("obligation")))
        create_fortune_table(engine)
    finally:
        engine.dispose()
    rng = random.Random(7)
    chosen = rng.sample(visible, min(CASE_PATHS_MAX, len(visible)))
    return Seeded(
        cookie=f"{session_cookie_name(settings)}={token}",
        case_paths=[f"/cases/{c.id}" for c in chosen],
        list_prefix=prefix,
        list_matches=matches,
        summary={
            "cases": summary.cases,
            "people": summary.people,
            "events": summary.events,
            "obligations": obligations,
            "cases_visible_to_user": len(visible),
        },
    )


def _listed_hearings(db: Any, settings: Any, actor: Any, visible: list[Any]) -> None:
    """The demo seed adds people after the events, so nobody has obligations yet: list a
    hearing in every open case (the real service), which gives every victim and witness
    "tell them about the hearing" work, mostly due or overdue, for My work."""
    from datetime import timedelta

    from portal.cases import service as cases
    from portal.cases.reference import EventKind
    from portal.clock import utc_now
    from portal.keys.vault import KeyCache, Vault

    vault = Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)
    today = utc_now().date()
    rng = random.Random(11)
    for case in visible:
        if case.status != "open":
            continue
        on = today - timedelta(days=rng.randint(0, 10))
        # A case the rules refuse is simply skipped.
        with contextlib.suppress(Exception), db.begin_nested():
            cases.record_event(
                db,
                vault,
                actor,
                case,
                cases.NewEvent(kind=EventKind.HEARING_LISTED, event_date=on, received_on=on),
            )


def _table(name: str) -> Any:
    from sqlalchemy import table

    return table(name)


@dataclass
class Variant:
    name: str
    server: Server
    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    full_page: bool | None = None  # for the pre-flight check: page (True) or fragment (False)

    @property
    def workers(self) -> int:
        return self.server.workers

    @property
    def key(self) -> str:
        return f"{self.name}@w{self.workers}"


def check(variant: Variant) -> None:
    """Before and after measuring: every URL answers 200 with the expected kind of body (wrk
    counts a 303 to the sign-in page as a success, so a lost session must be caught here)."""
    for path in variant.paths[:3]:
        status, body = http_get(variant.server.base + path, headers=variant.headers)
        if status != 200:
            raise RuntimeError(f"{variant.key} {path}: HTTP {status}\n{body[:300]}")
        is_page = "<!doctype html>" in body[:200].lower()
        if variant.full_page is not None and is_page != variant.full_page:
            kind = "a full page" if variant.full_page else "a fragment"
            raise RuntimeError(f"{variant.key} {path}: expected {kind}")


def run_phase(
    phase: str,
    variants: list[Variant],
    *,
    connections: int,
    rounds: int,
    duration: float,
    warmup: float,
    scripts: Path,
) -> dict[tuple[int, str], dict[str, Any]]:
    targets: dict[str, tuple[str, Path | None]] = {}
    for variant in variants:
        if len(variant.paths) == 1:
            targets[variant.key] = (variant.server.base + variant.paths[0], None)
        else:
            script = random_path_script(
                scripts / f"{variant.key.replace('@', '_')}.lua", variant.paths
            )
            targets[variant.key] = (variant.server.base + "/", script)

    def measure(variant: Variant, seconds: float) -> dict[str, Any]:
        url, script = targets[variant.key]
        return run_wrk(
            url,
            connections=connections,
            duration=seconds,
            headers=variant.headers,
            script=script,
        )

    note(f"{phase}: warming up {len(variants)} variants")
    for variant in variants:
        measure(variant, warmup)
    results: dict[tuple[int, str], dict[str, Any]] = {}
    for number in range(rounds):
        order = list(variants)
        random.Random(1000 + number).shuffle(order)
        note(f"{phase}: round {number + 1}/{rounds}")
        for variant in order:
            measured = measure(variant, duration)
            record = {
                "bench": "web",
                "phase": phase,
                "round": number,
                "variant": variant.name,
                "workers": variant.workers,
                "connections": connections,
                **measured,
                "load1": load1(),
            }
            emit(record)
            results[(number, variant.key)] = record
    return results


def _ratios(
    results: dict[tuple[int, str], dict[str, Any]],
    rounds: int,
    top: tuple[str, str],
    bottom: tuple[str, str],
) -> list[float]:
    """Per-round ``top[metric] / bottom[metric]`` for (variant key, metric) pairs."""
    values = []
    for number in range(rounds):
        a = results[(number, top[0])][top[1]]
        b = results[(number, bottom[0])][bottom[1]]
        values.append(a / b if b else float("inf"))
    return values


def _metric(
    results: dict[tuple[int, str], dict[str, Any]], rounds: int, key: str, metric: str
) -> list[float]:
    return [results[(number, key)][metric] for number in range(rounds)]


def goal(name: str, target: str, ok: bool, **values: Any) -> dict[str, Any]:
    record = {"bench": "web", "goal": name, "target": target, **values, "verdict": verdict(ok)}
    emit(record)
    return record


def evaluate(
    c32: dict[tuple[int, str], dict[str, Any]],
    c1: dict[tuple[int, str], dict[str, Any]],
    rounds: int,
    database: str,
) -> list[dict[str, Any]]:
    out = []
    # W1: case page throughput vs fortunes, same server model, same run (both worker counts).
    per_workers = {}
    for workers in (1, 2):
        ratios = _ratios(c32, rounds, (f"case@w{workers}", "rps"), (f"fortunes@w{workers}", "rps"))
        per_workers[f"w{workers}"] = {"per_round": [round(r, 3) for r in ratios], **spread(ratios)}
    out.append(
        goal(
            "W1",
            "case page req/s >= 0.20 x fortunes (auth, session, CSRF, audit in place), c=32",
            all(v["median"] >= 0.20 for v in per_workers.values()),
            **per_workers,
        )
    )
    # W4: execution model vs inline SQLite fortunes at c=32 with 2 workers.
    w4 = _ratios(c32, rounds, ("fortunes@w2", "rps"), ("fortunes-inline@w2", "rps"))
    w4_w1 = _ratios(c32, rounds, ("fortunes@w1", "rps"), ("fortunes-inline@w1", "rps"))
    out.append(
        goal(
            "W4",
            "fortunes (thread pool, 4-token limiter) >= 0.60 x fortunes-inline, c=32, 2 workers"
            + ("" if database == "sqlite" else " (defined for SQLite; informational on PG)"),
            spread(w4)["median"] >= 0.60,
            per_round=[round(r, 3) for r in w4],
            **spread(w4),
            one_worker=spread(w4_w1),
        )
    )
    # W5: service time at c=1.
    limits = (2.0, 5.0) if database == "sqlite" else (3.0, 8.0)
    w5 = _ratios(c1, rounds, ("case@w1", "p50_ms"), ("fortunes@w1", "p50_ms"))
    p50 = _metric(c1, rounds, "case@w1", "p50_ms")
    p99 = _metric(c1, rounds, "case@w1", "p99_ms")
    fortunes_p50 = _metric(c1, rounds, "fortunes@w1", "p50_ms")
    ok = spread(w5)["median"] <= 4 and spread(p50)["median"] <= limits[0]
    ok = ok and spread(p99)["median"] <= limits[1]
    out.append(
        goal(
            "W5",
            f"c=1: case p50 <= 4 x fortunes p50; case p50 <= {limits[0]} ms, p99 <= {limits[1]} ms",
            ok,
            ratio_per_round=[round(r, 2) for r in w5],
            ratio=spread(w5, 2),
            case_p50_ms=spread(p50, 2),
            case_p99_ms=spread(p99, 2),
            fortunes_p50_ms=spread(fortunes_p50, 3),
        )
    )
    # W6: tail at c=32, 2 workers.
    tail = _ratios(c32, rounds, ("case@w2", "p99_ms"), ("case@w2", "p50_ms"))
    case_p99 = _metric(c32, rounds, "case@w2", "p99_ms")
    case_p50 = _metric(c32, rounds, "case@w2", "p50_ms")
    out.append(
        goal(
            "W6",
            "c=32, 2 workers: case p99 <= 5 x its p50 and <= 150 ms",
            spread(tail)["median"] <= 5 and spread(case_p99)["median"] <= 150,
            p99_over_p50=spread(tail, 2),
            p99_over_p50_per_round=[round(r, 2) for r in tail],
            p50_ms=spread(case_p50, 1),
            p99_ms=spread(case_p99, 1),
        )
    )
    # W7: scaling, 2 workers / 1 worker, for every DB-backed page.
    scaling = {}
    for name in ("case", "home", "fortunes", "fortunes-tx", "fortunes-inline", "plain"):
        ratios = _ratios(c32, rounds, (f"{name}@w2", "rps"), (f"{name}@w1", "rps"))
        scaling[name] = {"per_round": [round(r, 3) for r in ratios], **spread(ratios)}
    out.append(
        goal(
            "W7",
            "2 workers / 1 worker >= 1.4 for DB-backed portal pages (case, home), c=32",
            scaling["case"]["median"] >= 1.4 and scaling["home"]["median"] >= 1.4,
            **scaling,
        )
    )
    # W9: fragment cost vs full page at c=1 (cost = 1 / req/s at one connection).
    fragments = {}
    for name, full, fragment in (
        ("case_people", "case-people-page@w1", "case-people-fragment@w1"),
        ("case_list", "list-page@w1", "list-fragment@w1"),
    ):
        ratios = _ratios(c1, rounds, (full, "rps"), (fragment, "rps"))
        fragments[name] = {"per_round": [round(r, 3) for r in ratios], **spread(ratios)}
    out.append(
        goal(
            "W9",
            "htmx fragment cost <= 0.50 x full page (unless it holds the page's main table)",
            all(v["median"] <= 0.50 for v in fragments.values()),
            fragment_cost_over_page=fragments,
            note="both fragments hold their page's main table (people list; case list results)",
        )
    )
    # Context: the other same-run ratios (not goals).
    context: dict[str, Any] = {}
    for label, top, bottom in (
        ("fortunes_over_plain_w2", "fortunes@w2", "plain@w2"),
        ("fortunes_tx_over_fortunes_w2", "fortunes-tx@w2", "fortunes@w2"),
        ("fortunes_tx_over_fortunes_w1", "fortunes-tx@w1", "fortunes@w1"),
        ("case_over_fortunes_tx_w2", "case@w2", "fortunes-tx@w2"),
        ("home_over_fortunes_w2", "home@w2", "fortunes@w2"),
        ("home_over_fortunes_w1", "home@w1", "fortunes@w1"),
    ):
        context[label] = spread(_ratios(c32, rounds, (top, "rps"), (bottom, "rps")))
    for key in sorted({k for _, k in c32}):
        context[f"c32 {key}"] = {
            "rps": spread(_metric(c32, rounds, key, "rps"), 0),
            "p50_ms": spread(_metric(c32, rounds, key, "p50_ms"), 2),
            "p99_ms": spread(_metric(c32, rounds, key, "p99_ms"), 1),
        }
    for key in sorted({k for _, k in c1}):
        context[f"c1 {key}"] = {
            "rps": spread(_metric(c1, rounds, key, "rps"), 0),
            "p50_ms": spread(_metric(c1, rounds, key, "p50_ms"), 3),
            "p99_ms": spread(_metric(c1, rounds, key, "p99_ms"), 2),
        }
    emit({"bench": "web", "summary": context})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a temp database on")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per variant")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--people", type=int, default=1600)
    parser.add_argument("--skip-c1", action="store_true", help="only the c=32 phase")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2 s (a smoke run)")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        help="first wait up to this many seconds for the load average to drop below 1",
    )
    parser.add_argument("--timeout", type=int, default=720, help="hard limit in seconds")
    args = parser.parse_args()
    wait_for_quiet(args.wait_quiet)
    if args.quick:
        args.duration, args.warmup, args.cases, args.people = 2.0, 1.0, 60, 480
    if args.rounds < 3:
        parser.error("use at least 3 rounds")

    with (
        hard_timeout(args.timeout),
        tempfile.TemporaryDirectory(prefix="bench-web-") as tmp_name,
        temp_database(Path(tmp_name), "web", args.database_url) as url,
        contextlib.ExitStack() as servers,
    ):
        tmp = Path(tmp_name)
        database = db_kind(url)
        settings = bench_settings(tmp, url)
        note(f"seeding {database} database")
        seeded = seed(settings, cases=args.cases, people=args.people)
        emit(
            {
                "bench": "web",
                "database": database,
                "machine": machine(),
                "seeded": seeded.summary,
                "list_prefix_matches": seeded.list_matches,
                "rounds": args.rounds,
                "duration_s": args.duration,
            }
        )
        env = bench_env(tmp, url)
        started: dict[str, Server] = {}
        for label, factory, ready, workers in (
            ("portal-w1", "portal.app:asgi_from_env", "/healthz", 1),
            ("portal-w2", "portal.app:asgi_from_env", "/healthz", 2),
            ("ref-w1", "bench.refapp:asgi_from_env", "/plain", 1),
            ("ref-w2", "bench.refapp:asgi_from_env", "/plain", 2),
        ):
            server = Server(label, factory, workers, env, tmp, ready)
            servers.callback(server.stop)
            note(f"starting {label}")
            server.start()
            started[label] = server

        auth = {"Cookie": seeded.cookie}
        hx = {**auth, "HX-Request": "true"}
        people_page = [p + "?role=victim" for p in seeded.case_paths]
        list_page = [f"/cases?urn={seeded.list_prefix}"]
        c32: list[Variant] = []
        for workers in (1, 2):
            ref, portal = started[f"ref-w{workers}"], started[f"portal-w{workers}"]
            c32 += [
                Variant("plain", ref, ["/plain"]),
                Variant("fortunes", ref, ["/fortunes"]),
                Variant("fortunes-inline", ref, ["/fortunes-inline"]),
                Variant("fortunes-tx", ref, ["/fortunes-tx"]),
                Variant("case", portal, seeded.case_paths, auth, True),
                Variant("home", portal, ["/home"], auth, True),
            ]
        ref, portal = started["ref-w1"], started["portal-w1"]
        c1 = [
            Variant("plain", ref, ["/plain"]),
            Variant("fortunes", ref, ["/fortunes"]),
            Variant("fortunes-inline", ref, ["/fortunes-inline"]),
            Variant("case", portal, seeded.case_paths, auth, True),
            Variant("case-people-page", portal, people_page, auth, True),
            Variant("case-people-fragment", portal, people_page, hx, False),
            Variant("list-page", portal, list_page, auth, True),
            Variant("list-fragment", portal, list_page, hx, False),
        ]
        for variant in c32 + c1:
            check(variant)
        scripts = tmp / "lua"
        scripts.mkdir()
        c32_results = run_phase(
            "c32",
            c32,
            connections=32,
            rounds=args.rounds,
            duration=args.duration,
            warmup=args.warmup,
            scripts=scripts,
        )
        c1_results: dict[tuple[int, str], dict[str, Any]] = {}
        if not args.skip_c1:
            c1_results = run_phase(
                "c1",
                c1,
                connections=1,
                rounds=args.rounds,
                duration=args.duration,
                warmup=args.warmup,
                scripts=scripts,
            )
        for variant in c32 + c1:
            check(variant)  # the session survived: no 303s were counted as successes
        errors = sum(r["non_2xx_3xx"] + r["socket_errors"] for r in c32_results.values())
        errors += sum(r["non_2xx_3xx"] + r["socket_errors"] for r in c1_results.values())
        emit({"bench": "web", "non_2xx_or_socket_errors": errors})
        if not args.skip_c1:
            evaluate(c32_results, c1_results, args.rounds, database)


if __name__ == "__main__":
    main()
