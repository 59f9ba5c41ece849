"""Benchmark: data at scale (goals D1, D3, D4, D6; D5 as information).

    .venv/bin/python -m bench.data [--database-url postgresql://postgres@127.0.0.1:5432/test]
                                   [--people 100000] [--obligations 1000000] [--quick]

Steps, in a temporary database (SQLite file, or a throw-away PostgreSQL database):

1. **D4** - imports ``--people`` victims with the portal's bulk importer
   (``portal.cases.importer.insert_people``: a data key per person, 5 sealed fields and a sealed
   police reference each, blind indexes, one audit entry per person; executemany on SQLite, COPY
   on PostgreSQL), ``--import-batch`` people per case, each case opened with the real service.
   Times ``insert_people`` + commit; ``importer._build`` (key wrapping and sealing, no database)
   is timed on its own to give the share spent on encryption.
2. **D1** - adds ``--obligations`` obligations (10 per victim, distinct entitlements) with
   executemany in chunks (SQLite) or COPY (PostgreSQL), then times the compliance report as the
   dashboard runs it: ``portal.compliance.service.breakdown`` (by entitlement) and ``overall``,
   over the full range and one quarter, interleaved with a minimal COUNT aggregate over the same
   rows (the same-run ratio). First as migrated (no ANALYZE, as a live SQLite database is), then
   after ANALYZE.
3. **D6** - ``EXPLAIN`` of the statements the report actually sent (captured from the engine):
   on SQLite no full-range query may use a non-covering index on ``due_on``.
4. **D3** - exact-name lookups of random imported victims through
   ``portal.people.finding.search_people`` (blind index, decrypt candidates, audit entry) plus
   decrypting the match's fields; the repository path alone; the same predicate with the index
   disabled; and a full scan decrypting every name.

About 6-7 minutes with the default sizes (``--quick``: 10 k / 100 k, about 20 s).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from bench._common import (
    bench_settings,
    db_kind,
    emit,
    hard_timeout,
    machine,
    note,
    quantile,
    spread,
    temp_database,
    verdict,
    wait_for_quiet,
)

REPORT_DAY = date(2025, 10, 1)
QUARTER = (date(2025, 4, 1), date(2025, 6, 30))
FIRST_DUE, LAST_DUE = date(2023, 1, 1), date(2026, 3, 31)
SHOWN_FIELDS = ("full_name", "date_of_birth", "address", "phone", "email")


def goal(name: str, target: str, ok: bool, **values: Any) -> dict[str, Any]:
    record = {"bench": "data", "goal": name, "target": target, **values, "verdict": verdict(ok)}
    emit(record)
    return record


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# --- synthetic victims ----------------------------------------------------------------------


def make_people(count: int, seed: int) -> list[Any]:
    """Synthetic victims with unique three-part names (names from the demo seed's own lists)."""
    from portal.cases.importer import NewPerson
    from portal.demo.vocabulary import GIVEN_NAMES, SURNAMES

    rng = random.Random(seed)
    seen: set[str] = set()
    people = []
    while len(people) < count:
        name = f"{rng.choice(GIVEN_NAMES)} {rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}"
        if name in seen:
            continue
        seen.add(name)
        n = len(people)
        people.append(
            NewPerson(
                full_name=name,
                date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randint(0, 30_000)),
                address=f"{rng.randint(1, 300)} Example Street, Testtown TE{n % 90 + 1} 1AA",
                phone=f"07700 900{n % 1000:03d}",
                email=f"person{n}@example.com",
                references=(("police_crn", f"CRN{n:09d}"),),
            )
        )
    return people


def import_people(
    factory: Any, settings: Any, people: Sequence[Any], batch: int
) -> tuple[dict[str, Any], Any, Any]:
    """D4: the portal's importer, ``batch`` people per case. Returns (figures, actor, user)."""
    from portal.accounts.actor import Actor
    from portal.accounts.roles import Role
    from portal.cases import importer
    from portal.cases.offences import catalogue
    from portal.db.session import unit_of_work
    from portal.keys.vault import KeyCache, Vault
    from tests.support.factories import make_case, make_user

    with unit_of_work(factory) as db:
        officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, username="bench.wco")
        prosecutor = make_user(db, role=Role.PROSECUTOR, username="bench.prosecutor")
    actor = Actor(officer.id, Role.WITNESS_CARE_OFFICER, officer.area, officer.unit)
    codes = sorted(catalogue())
    rng = random.Random(2)
    build_seconds = [0.0]
    real_build = getattr(importer, "_build", None)

    def timed_build(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_build(*args, **kwargs)  # type: ignore[misc]
        finally:
            build_seconds[0] += time.perf_counter() - started

    total = 0.0
    cases = 0
    patch = (
        mock.patch.object(importer, "_build", timed_build)
        if real_build is not None
        else contextlib.nullcontext()
    )
    with patch:
        for start in range(0, len(people), batch):
            chunk = people[start : start + batch]
            with unit_of_work(factory) as db:
                case = make_case(
                    db,
                    settings,
                    prosecutor=prosecutor,
                    officer=officer,
                    offences=(rng.choice(codes),),
                    urn=f"01BM{cases:07d}",
                )
                db.commit()
                vault = Vault(
                    db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits
                )
                started = time.perf_counter()
                importer.insert_people(db, vault, actor, case, chunk)
                db.commit()
                total += time.perf_counter() - started
            cases += 1
    figures = {
        "people": len(people),
        "cases": cases,
        "batch": batch,
        "seconds": round(total, 2),
        "victims_per_s": round(len(people) / total),
        "encryption_seconds": round(build_seconds[0], 2) if real_build else None,
        "encryption_share": round(build_seconds[0] / total, 3) if real_build else None,
    }
    return figures, actor, officer


# --- obligations ----------------------------------------------------------------------------


def _bulk_insert(db: Any, table: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """executemany through the driver with each column type's bind processing (SQLite), or
    COPY (PostgreSQL): the same two paths as the portal's importer."""
    from sqlalchemy import insert

    dialect = db.get_bind().dialect
    if dialect.name == "postgresql":
        from psycopg import sql

        raw = db.connection().connection.driver_connection
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup or ())
    positions = [columns.index(compiled.binds[name].key) for name in order]
    processors = [table.c[columns[p]].type.bind_processor(dialect) for p in positions]
    plan = list(zip(positions, processors, strict=True))
    params = [tuple(row[p] if fn is None else fn(row[p]) for p, fn in plan) for row in rows]
    db.connection().exec_driver_sql(compiled.string, params)


def obligation_rows(
    parties: Sequence[tuple[Any, Any, int]], per_party: int, extra: int, seed: int
) -> Iterator[tuple[Any, ...]]:
    """10 obligations per victim, distinct entitlements; dates 2023-01 to 2026-03; 55 % met on
    time, 15 % met late, 5 % declined, 3 % not met (good reason), 2 % not applicable, 20 % open."""
    from portal.clock import utc_now
    from portal.victims_code.rules import rules_in_force

    rng = random.Random(seed)
    rules = rules_in_force(REPORT_DAY)
    entitlements = [(e.code, e.right, e.responsible_body) for e in rules.entitlements]
    version = rules.version
    span = (LAST_DUE - FIRST_DUE).days
    now = utc_now()
    tail = (None,) * extra
    for party_id, case_id, key_id in parties:
        for code, right, body in rng.sample(entitlements, per_party):
            due = FIRST_DUE + timedelta(days=rng.randint(0, span))
            roll = rng.random()
            met_on = None
            if roll < 0.55:
                state, met_on = "met", due - timedelta(days=rng.randint(0, 5))
            elif roll < 0.70:
                state, met_on = "met", due + timedelta(days=rng.randint(1, 30))
            elif roll < 0.75:
                state = "declined"
            elif roll < 0.78:
                state = "not_met_good_reason"
            elif roll < 0.80:
                state = "not_applicable"
            else:
                state = "open"
            yield (
                uuid.uuid4(),
                case_id,
                party_id,
                None,
                code,
                right,
                version,
                body,
                rng.random() < 0.3,
                rng.choice((True, False, False, None)),
                due - timedelta(days=rng.randint(1, 20)),
                None,
                due if rng.random() > 0.05 else None,
                state,
                met_on,
                key_id,
                now,
                1,
                *tail,
            )


KNOWN_OBLIGATION_COLUMNS = [
    "id",
    "case_id",
    "case_party_id",
    "event_id",
    "entitlement",
    "right",
    "rules_version",
    "responsible_body",
    "enhanced",
    "child",
    "trigger_on",
    "received_on",
    "due_on",
    "state",
    "met_on",
    "key_id",
    "changed_at",
    "version",
]


def load_obligations(factory: Any, total: int, chunk: int = 50_000) -> dict[str, Any]:
    from sqlalchemy import select

    from portal.cases.models import CaseParty
    from portal.db.session import unit_of_work
    from portal.victims_code.models import Obligation

    table = Obligation.__table__
    extra = [c for c in table.columns if c.name not in KNOWN_OBLIGATION_COLUMNS]
    for column in extra:
        if not column.nullable:
            raise RuntimeError(f"obligation.{column.name} is new and required: update bench.data")
    columns = KNOWN_OBLIGATION_COLUMNS + [c.name for c in extra]
    with unit_of_work(factory) as db:
        parties = [
            (r[0], r[1], r[2])
            for r in db.execute(
                select(CaseParty.id, CaseParty.case_id, CaseParty.key_id).order_by(CaseParty.id)
            )
        ]
    per_party = max(1, -(-total // len(parties)))
    rows = obligation_rows(parties, per_party, len(extra), seed=4)
    inserted = 0
    seconds = 0.0
    with unit_of_work(factory) as db:
        while inserted < total:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= min(chunk, total - inserted):
                    break
            if not batch:
                break
            started = time.perf_counter()
            _bulk_insert(db, table, columns, batch)
            seconds += time.perf_counter() - started
            inserted += len(batch)
        started = time.perf_counter()
        db.commit()
        seconds += time.perf_counter() - started
    return {
        "obligations": inserted,
        "seconds": round(seconds, 2),
        "rows_per_s": round(inserted / seconds),
        "path": "COPY" if factory.kw["bind"].dialect.name == "postgresql" else "executemany",
    }


# --- D1 and D6 ------------------------------------------------------------------------------


def report_figures(factory: Any, engine: Any, runs: int, label: str) -> dict[str, Any]:
    from sqlalchemy import text

    from portal.compliance import service
    from portal.db.session import unit_of_work
    from portal.victims_code.rules import rules_in_force

    titles = {e.code: e.title for e in rules_in_force(REPORT_DAY).entitlements}
    full = service.Period()
    quarter = service.Period(*QUARTER)
    minimal = text(
        "SELECT count(*), sum(CASE WHEN met_on IS NULL THEN 1 ELSE 0 END) "
        "FROM obligation WHERE state <> 'declined'"
    )

    def breakdown(period: Any) -> Callable[[Any], Any]:
        return lambda db: service.breakdown(
            db, dimension="entitlement", period=period, today=REPORT_DAY, titles=titles
        )

    tasks: dict[str, Callable[[Any], Any]] = {
        "breakdown_full": breakdown(full),
        "overall_full": lambda db: service.overall(db, period=full, today=REPORT_DAY),
        "breakdown_quarter": breakdown(quarter),
        "overall_quarter": lambda db: service.overall(db, period=quarter, today=REPORT_DAY),
        "minimal_count": lambda db: db.execute(minimal).all(),
    }
    times: dict[str, list[float]] = {name: [] for name in tasks}
    rng = random.Random(6)
    with unit_of_work(factory) as db:  # warm the cache once
        tasks["breakdown_full"](db)
    for _ in range(runs):
        order = list(tasks)
        rng.shuffle(order)
        for name in order:
            with unit_of_work(factory) as db:
                db.connection()  # open the transaction outside the timing
                seconds, _ = timed(lambda name=name, db=db: tasks[name](db))
            times[name].append(seconds * 1000)
    ratio = [b / m for b, m in zip(times["breakdown_full"], times["minimal_count"], strict=True)]
    dashboard = [b + o for b, o in zip(times["breakdown_full"], times["overall_full"], strict=True)]
    figures = {
        "state": label,
        "ms": {name: spread(values, 1) for name, values in times.items()},
        "dashboard_full_ms": spread(dashboard, 1),
        "breakdown_over_minimal": spread(ratio, 2),
        "breakdown_over_minimal_per_run": [round(r, 2) for r in ratio],
    }
    other = {}
    for dimension in service.DIMENSIONS:
        with unit_of_work(factory) as db:
            db.connection()
            seconds, _ = timed(
                lambda db=db, dimension=dimension: service.breakdown(
                    db, dimension=dimension, period=full, today=REPORT_DAY, titles=titles
                )
            )
        other[dimension] = round(seconds * 1000, 1)
    figures["other_dimensions_full_ms_one_run"] = other
    figures["plans"] = explain_report(factory, engine, titles)
    emit({"bench": "data", "test": "D1", **figures})
    return figures


def explain_report(factory: Any, engine: Any, titles: dict[str, str]) -> dict[str, Any]:
    """D6: EXPLAIN the statements the report sends (captured from the engine)."""
    from sqlalchemy import event, inspect

    from portal.compliance import service
    from portal.db.session import unit_of_work

    captured: list[tuple[str, str, Any]] = []
    current = {"label": ""}

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "obligation" in statement:
            captured.append((current["label"], statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        for label, period in (
            ("breakdown_full", service.Period()),
            ("breakdown_quarter", service.Period(*QUARTER)),
            ("overall_full", None),
        ):
            current["label"] = label
            with unit_of_work(factory) as db:
                if period is None:
                    service.overall(db, period=service.Period(), today=REPORT_DAY)
                else:
                    service.breakdown(
                        db, dimension="entitlement", period=period, today=REPORT_DAY, titles=titles
                    )
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    sqlite = engine.dialect.name == "sqlite"
    due_indexes = {
        index["name"]
        for index in inspect(engine).get_indexes("obligation")
        if "due_on" in index["column_names"]
    }
    plans: dict[str, Any] = {"due_on_indexes": sorted(due_indexes)}
    with engine.connect() as conn:
        for label, statement, parameters in captured:
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            lines = [str(row[-1]) if sqlite else str(row[0]) for row in rows]
            bad = [
                line
                for line in lines
                if sqlite
                and any(f"INDEX {name}" in line for name in due_indexes)
                and "COVERING INDEX" not in line
            ]
            plans[label] = {"plan": lines, "non_covering_due_on_index": bad}
    return plans


# --- D3 -------------------------------------------------------------------------------------


def lookups(
    factory: Any,
    settings: Any,
    actor: Any,
    people: Sequence[Any],
    count: int,
    scans: int,
) -> dict[str, Any]:
    from sqlalchemy import select, text

    from portal.cases import repository as cases_repo
    from portal.db.session import unit_of_work
    from portal.keys.models import DataKey
    from portal.keys.vault import KeyCache, Vault
    from portal.people import finding as people_finding
    from portal.people.models import Person
    from portal.security import crypto

    rng = random.Random(8)
    targets = [p.full_name for p in rng.sample(list(people), min(count, len(people)))]
    cache = KeyCache()
    provider = settings.key_provider()
    sqlite = settings.is_sqlite

    def service_lookup(name: str) -> tuple[float, int]:
        with unit_of_work(factory) as db:
            db.connection()
            vault = Vault(db, provider, cache, index_bits=settings.blind_index_bits)
            started = time.perf_counter()
            found = people_finding.search_people(db, vault, actor, name=name)
            for person, _case in found:
                for column in SHOWN_FIELDS:
                    vault.open(person, column)
            return time.perf_counter() - started, len(found)

    def repository_lookup(name: str) -> tuple[float, int]:
        with unit_of_work(factory) as db:
            db.connection()
            vault = Vault(db, provider, cache, index_bits=settings.blind_index_bits)
            started = time.perf_counter()
            index = vault.blind_index("person.full_name", name)
            candidates = cases_repo.visible_people_by_index(db, actor, name_index=index)
            vault.load({p.key_id for p, _ in candidates})
            wanted = crypto.normalise(name)
            matches = [
                p
                for p, _ in candidates
                if crypto.normalise(vault.open_text(p, "full_name") or "") == wanted
            ]
            for person in matches:
                for column in SHOWN_FIELDS:
                    vault.open(person, column)
            return time.perf_counter() - started, len(matches)

    for name in targets[:20]:  # warm-up
        service_lookup(name)
    service_ms, repo_ms, found = [], [], 0
    for name in targets:
        seconds, n = service_lookup(name)
        service_ms.append(seconds * 1000)
        found += n >= 1
        seconds, _ = repository_lookup(name)
        repo_ms.append(seconds * 1000)

    # The index guard: the same predicate, index used vs not used.
    with unit_of_work(factory) as db:
        vault = Vault(db, provider, cache, index_bits=settings.blind_index_bits)
        indexes = [vault.blind_index("person.full_name", n) for n in targets[:50]]
    indexed = text("SELECT id FROM person WHERE name_index = :i")
    # On PostgreSQL the text differs too: psycopg prepares a statement after 5 runs, and a
    # prepared plan would keep using the index whatever the planner settings say.
    unindexed = text(
        "SELECT id FROM person NOT INDEXED WHERE name_index = :i"
        if sqlite
        else "SELECT id FROM person WHERE name_index = :i /* index scans off */"
    )
    guard: dict[str, list[float]] = {"indexed": [], "unindexed": []}
    with factory.kw["bind"].connect() as conn:
        for value in indexes:
            seconds, _ = timed(lambda value=value: conn.execute(indexed, {"i": value}).all())
            guard["indexed"].append(seconds * 1000)
        if not sqlite:
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        for value in indexes[:20]:
            seconds, _ = timed(lambda value=value: conn.execute(unindexed, {"i": value}).all())
            guard["unindexed"].append(seconds * 1000)
        conn.rollback()

    # A full scan decrypting every name (the per-person data keys cached as well as possible).
    scan_ms = []
    for name in targets[:scans]:
        with unit_of_work(factory) as db:
            started = time.perf_counter()
            keys = {k.id: k for k in db.scalars(select(DataKey).where(DataKey.purpose == "person"))}
            big_cache = KeyCache(size=len(keys) + 1)
            wanted = crypto.normalise(name)
            hits = 0
            for person_id, key_id, sealed in db.execute(
                select(Person.id, Person.key_id, Person.full_name)
            ):
                aead = big_cache.get(provider, keys[key_id])
                plain = crypto.open_sealed(
                    aead, sealed, crypto.Context("person", "full_name", str(person_id))
                )
                hits += crypto.normalise(plain.decode()) == wanted
            scan_ms.append((time.perf_counter() - started) * 1000)
            if hits < 1:
                raise RuntimeError("the full scan did not find the name")
    figures = {
        "lookups": len(targets),
        "found": found,
        "search_people_ms": {
            "median": round(statistics.median(service_ms), 3),
            "p95": round(quantile(service_ms, 0.95), 3),
            "max": round(max(service_ms), 2),
        },
        "repository_path_ms": {
            "median": round(statistics.median(repo_ms), 3),
            "p95": round(quantile(repo_ms, 0.95), 3),
        },
        "predicate_indexed_ms": round(statistics.median(guard["indexed"]), 3),
        "predicate_unindexed_ms": round(statistics.median(guard["unindexed"]), 2),
        "full_decrypt_scan_ms": spread(scan_ms, 0),
        "blind_index_bits": settings.blind_index_bits,
    }
    emit({"bench": "data", "test": "D3", **figures})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a temp database on")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--obligations", type=int, default=1_000_000)
    parser.add_argument("--import-batch", type=int, default=1_000, help="people per case")
    parser.add_argument("--runs", type=int, default=7, help="report runs per state")
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="10 k people, 100 k obligations")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        help="first wait up to this many seconds for the load average to drop below 1",
    )
    parser.add_argument("--timeout", type=int, default=1200, help="hard limit in seconds")
    args = parser.parse_args()
    wait_for_quiet(args.wait_quiet)
    if args.quick:
        args.people, args.obligations, args.runs, args.lookups = 10_000, 100_000, 3, 100

    from sqlalchemy import text

    from portal.db.migrate import upgrade
    from portal.db.session import make_engine
    from portal.wiring import session_factory

    with (
        hard_timeout(args.timeout),
        tempfile.TemporaryDirectory(prefix="bench-data-") as tmp,
        temp_database(Path(tmp), "data", args.database_url) as url,
    ):
        database = db_kind(url)
        settings = bench_settings(Path(tmp), url)
        emit(
            {
                "bench": "data",
                "database": database,
                "machine": machine(),
                "people": args.people,
                "obligations": args.obligations,
            }
        )
        engine = make_engine(settings)
        try:
            upgrade(engine)
            factory = session_factory(engine)
            note(f"generating {args.people} synthetic victims")
            people = make_people(args.people, seed=1)
            note("D4: importing with portal.cases.importer.insert_people")
            imported, actor, _officer = import_people(factory, settings, people, args.import_batch)
            emit({"bench": "data", "test": "D4", **imported})
            note(f"D1: loading {args.obligations} obligations")
            loaded = load_obligations(factory, args.obligations)
            emit({"bench": "data", "test": "D1-load", **loaded})
            note("D1: report as migrated (no ANALYZE)")
            before = report_figures(factory, engine, args.runs, "as migrated, no ANALYZE")
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            analyze_seconds = time.perf_counter() - started
            note("D1: report after ANALYZE")
            after = report_figures(factory, engine, args.runs, "after ANALYZE")
            note("D3: lookups")
            found = lookups(factory, settings, actor, people, args.lookups, 1 if args.quick else 3)
        finally:
            engine.dispose()

        sqlite = database == "sqlite"
        limit, quarter_limit, ratio_limit = (1000, 100, 12) if sqlite else (300, 50, 5)
        for figures in (before, after):
            ms = figures["ms"]
            ok = (
                ms["breakdown_full"]["median"] <= limit
                and ms["breakdown_quarter"]["median"] <= quarter_limit
                and figures["breakdown_over_minimal"]["median"] <= ratio_limit
            )
            goal(
                "D1",
                f"report over {args.obligations:,} obligations, full range <= {limit} ms, "
                f"quarter <= {quarter_limit} ms, <= {ratio_limit} x a minimal COUNT",
                ok,
                state=figures["state"],
                breakdown_full_ms=ms["breakdown_full"],
                breakdown_quarter_ms=ms["breakdown_quarter"],
                dashboard_full_ms=figures["dashboard_full_ms"],
                breakdown_over_minimal=figures["breakdown_over_minimal"],
            )
        for figures in (before, after):
            bad = {
                label: plan["non_covering_due_on_index"]
                for label, plan in figures["plans"].items()
                if isinstance(plan, dict) and plan["non_covering_due_on_index"]
            }
            goal(
                "D6",
                "EXPLAIN: no full-range report query uses a non-covering due_on index (SQLite)",
                not any(label.endswith("_full") for label in bad),
                state=figures["state"],
                offending=bad,
                due_on_indexes=figures["plans"]["due_on_indexes"],
            )
        search = found["search_people_ms"]
        lookup_limit = 1.0 if sqlite else 2.0
        scan_ratio = found["full_decrypt_scan_ms"]["median"] / search["median"]
        guard_ratio = found["predicate_unindexed_ms"] / max(found["predicate_indexed_ms"], 1e-6)
        goal(
            "D3",
            f"exact-name lookup at {args.people:,} people: median <= {lookup_limit} ms, "
            "p95 <= 3 ms incl. decryption; >= 100 x faster than a full decrypt scan; "
            "index guard >= 10 x",
            search["median"] <= lookup_limit
            and search["p95"] <= 3
            and scan_ratio >= 100
            and guard_ratio >= 10,
            search_people_ms=search,
            repository_path_ms=found["repository_path_ms"],
            scan_over_lookup=round(scan_ratio),
            unindexed_over_indexed=round(guard_ratio, 1),
            found=f"{found['found']}/{found['lookups']}",
        )
        victims_limit = 10_000 if sqlite else 25_000
        goal(
            "D4",
            f"bulk import >= {victims_limit:,} victims/s incl. encryption "
            f"({'executemany' if sqlite else 'COPY'}); encryption <= 35 % of the import",
            imported["victims_per_s"] >= victims_limit
            and (imported["encryption_share"] or 0) <= 0.35,
            victims_per_s=imported["victims_per_s"],
            encryption_share=imported["encryption_share"],
            obligations_rows_per_s=loaded["rows_per_s"],
        )
        emit(
            {
                "bench": "data",
                "test": "D5",
                "note": "information: load time of this run (import + obligations + ANALYZE)",
                "seconds": round(imported["seconds"] + loaded["seconds"] + analyze_seconds, 1),
            }
        )


if __name__ == "__main__":
    main()
