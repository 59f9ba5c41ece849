"""Fault drills against a served portal on loopback (issue 19's closing drills).

Each drill seeds a fresh instance (the demo seed, a witness care officer with many sessions),
serves it as ``portal serve`` does (uvicorn, the app factory, 2 workers) and prints JSON lines: one
per measurement and one per goal with ``"verdict"``.

- ``kill``: writers add safeguarding actions while the server is killed with SIGKILL again and
  again; every write that was answered (303) must be in the database afterwards.
- ``load``: 32 clients, 10 % writes, for 60 s; 0 answers of 5xx and 0 failed connections.
  ``--rotate`` runs ``portal keys rotate`` and ``portal keys rotate --data`` part-way through.
- ``outage``: the database frozen (SQLite: another process holds the write lock; PostgreSQL: a
  private cluster's processes stopped with SIGSTOP) and stopped (PostgreSQL); pages answer within a
  few seconds (a 503 page or, where the engine still reads, 200) and the portal recovers.
- ``erasure``: a backup taken under writes, then people erased while serving (their case pages
  still answer 200), then a restore into a fresh instance with the erasure ledger: 0 erased people
  readable, and every write answered before the backup began is there.

    .venv/bin/python -m bench.drills kill [--database-url postgresql://postgres@127.0.0.1:5432/test]
    .venv/bin/python -m bench.drills load [--rotate] [--database-url ...]
    .venv/bin/python -m bench.drills outage [--database-url ...]
    .venv/bin/python -m bench.drills erasure [--database-url ...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._common import (
    Server,
    db_kind,
    emit,
    hard_timeout,
    load1,
    note,
    quantile,
    temp_database,
    verdict,
)
from bench.drill_client import Client, post_action

PORTAL = Path(sys.executable).parent / "portal"
SECRET = "ef" * 32


@dataclass
class Instance:
    tmp: Path
    url: str
    env: dict[str, str]
    cookies: list[str]
    targets: list[tuple[str, str]]  # (case id, person id) a witness care officer may act on
    owner_id: str
    csrf: dict[str, str] = field(default_factory=dict)  # cookie -> token

    def settings(self) -> Any:
        from portal.settings import Settings

        return Settings.from_env(self.env)


def make_instance(tmp: Path, url: str, *, sessions: int, cases: int = 40) -> Instance:
    """A demo instance with its own key file (so ``portal keys rotate`` can add a KEK)."""
    from sqlalchemy import select

    from portal.accounts.actor import Actor
    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.cases import repository
    from portal.cases.models import CaseParty
    from portal.cli import DEMO_USERS
    from portal.db.migrate import upgrade
    from portal.db.session import make_engine, unit_of_work
    from portal.demo import seed_demo
    from portal.settings import Settings, write_key_file
    from portal.web.csrf import session_cookie_name
    from portal.wiring import session_factory
    from tests.support.factories import make_session_token, make_user

    instance = tmp / "instance"
    write_key_file(instance)
    env = {
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_SESSION_IDLE_MINUTES": "60",
    }
    settings = Settings.from_env(env)
    engine = make_engine(settings)
    try:
        upgrade(engine)
        factory = session_factory(engine)
        with unit_of_work(factory) as db:
            for user in DEMO_USERS:
                make_user(db, role=user.role, username=user.username, area=None, unit=None)
        seed_demo(factory, settings, cases=cases, people=cases * 8, big_case_victims=0)
        with unit_of_work(factory) as db:
            wco = db.scalars(select(User).where(User.username == "wco.demo")).one()
            tokens = [make_session_token(db, wco) for _ in range(sessions)]
            actor = Actor(wco.id, Role.WITNESS_CARE_OFFICER, wco.area, wco.unit)
            visible = [c.id for c in db.scalars(repository.scoped(actor)) if c.status == "open"]
            parties = db.execute(
                select(CaseParty.case_id, CaseParty.person_id)
                .where(CaseParty.case_id.in_(visible))
                .order_by(CaseParty.case_id, CaseParty.person_id)
            ).all()
            owner = str(wco.id)
    finally:
        engine.dispose()
    name = session_cookie_name(settings)
    return Instance(
        tmp=tmp,
        url=url,
        env=env,
        cookies=[f"{name}={t}" for t in tokens],
        targets=[(str(c), str(p)) for c, p in parties],
        owner_id=owner,
    )


def serve(inst: Instance, label: str, workers: int = 2) -> Server:
    server = Server(label, "portal.app:asgi_from_env", workers, inst.env, inst.tmp, "/healthz")
    server.start()
    return server


def kill(server: Server) -> None:
    if server.process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)


def learn_csrf(inst: Instance, server: Server) -> None:
    case_id, person_id = inst.targets[0]
    for cookie in inst.cookies:
        client = Client(server.port, cookie)
        status, body, _ = client.request("GET", f"/cases/{case_id}/people/{person_id}")
        match = re.search(r'name="csrf_token" value="([^"]+)"', body)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on the person page (status {status})")
        inst.csrf[cookie] = match.group(1)
        client.close()


def stored_actions(inst: Instance) -> set[str]:
    """Every safeguarding action's description, decrypted (the drill's tokens among them)."""
    from sqlalchemy import select

    from portal.db.session import make_engine, unit_of_work
    from portal.keys.vault import KeyCache, Vault
    from portal.safeguards.models import SafeguardingAction
    from portal.wiring import session_factory

    settings = inst.settings()
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            vault = Vault(db, settings.key_provider(), KeyCache())
            return {
                text
                for row in db.scalars(select(SafeguardingAction))
                if (text := vault.open_text(row, "description"))
            }
    finally:
        engine.dispose()


class Writers:
    """Threads adding safeguarding actions; ``acked`` holds each answered write's token and
    when its answer arrived."""

    def __init__(self, inst: Instance, server: Server, threads: int) -> None:
        self.inst, self.server, self.threads = inst, server, threads
        self.acked: list[tuple[float, str, str]] = []  # (answered at, token, person id)
        self.refused: Counter[int] = Counter()
        self.broken = 0
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def __enter__(self) -> Writers:
        for n in range(self.threads):
            worker = threading.Thread(target=self._run, args=(n,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for worker in self._workers:
            worker.join(timeout=20)

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        cookie = self.inst.cookies[n % len(self.inst.cookies)]
        client = Client(self.server.port, cookie)
        while not self.stop.is_set():
            token = f"drill-{secrets.token_hex(8)}"
            case_id, person_id = rng.choice(self.inst.targets)
            try:
                status = post_action(
                    client, self.inst.csrf[cookie], case_id, person_id, token, self.inst.owner_id
                )
            except OSError:
                with self._lock:
                    self.broken += 1
                client.close()
                time.sleep(0.05)
                continue
            with self._lock:
                if status == 303:
                    self.acked.append((time.monotonic(), token, person_id))
                else:
                    self.refused[status] += 1
        client.close()


# --- drills -----------------------------------------------------------------------------------


def drill_kill(inst: Instance, kills: int) -> None:
    server = serve(inst, "kill")
    learn_csrf(inst, server)
    acked: list[tuple[float, str, str]] = []
    refused: Counter[int] = Counter()
    rng = random.Random(3)
    try:
        for n in range(kills):
            with Writers(inst, server, threads=8) as writers:
                time.sleep(rng.uniform(1.0, 3.0))
                kill(server)  # SIGKILL to the whole process group, writes in flight
            acked += writers.acked
            refused += writers.refused
            note(f"kill {n + 1}/{kills}: {len(writers.acked)} writes answered before it")
            server.start()
    finally:
        server.stop()
    stored = stored_actions(inst)
    lost = [t for _, t, _ in acked if t not in stored]
    emit(
        {
            "drill": "kill",
            "database": db_kind(inst.url),
            "kills": kills,
            "acknowledged_writes": len(acked),
            "lost": len(lost),
            "refused": dict(refused),
            "load1": load1(),
            "verdict": verdict(not lost and len(acked) > 0 and not refused),
        }
    )


def _reader_paths(inst: Instance) -> list[str]:
    cases = sorted({c for c, _ in inst.targets})
    return (
        [f"/cases/{c}" for c in cases]
        + [f"/cases/{c}/people/{p}" for c, p in inst.targets[:200]]
        + ["/home", "/cases"]
    )


def drill_load(inst: Instance, clients: int, seconds: float, writes: float, rotate: bool) -> None:
    server = serve(inst, "load")
    learn_csrf(inst, server)
    paths = _reader_paths(inst)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    broken = [0]
    lock = threading.Lock()
    stop = threading.Event()
    rotations: list[dict[str, Any]] = []

    def run(n: int) -> None:
        rng = random.Random(100 + n)
        cookie = inst.cookies[n % len(inst.cookies)]
        client = Client(server.port, cookie)
        while not stop.is_set():
            began = time.perf_counter()
            try:
                if rng.random() < writes:
                    case_id, person_id = rng.choice(inst.targets)
                    status = post_action(
                        client, inst.csrf[cookie], case_id, person_id, "load", inst.owner_id
                    )
                else:
                    status = client.request("GET", rng.choice(paths))[0]
            except OSError:
                with lock:
                    broken[0] += 1
                client.close()
                continue
            with lock:
                statuses[status] += 1
                latencies.append(time.perf_counter() - began)
        client.close()

    workers = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    try:
        for worker in workers:
            worker.start()
        if rotate:
            for args in (["keys", "rotate"], ["keys", "rotate", "--data"]):
                time.sleep(seconds / 3)
                began = time.monotonic()
                done = subprocess.run(
                    [str(PORTAL), *args],
                    env={**os.environ, **inst.env},
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                rotations.append(
                    {
                        "command": " ".join(args),
                        "exit": done.returncode,
                        "seconds": round(time.monotonic() - began, 1),
                        "said": (done.stdout + done.stderr).strip().splitlines()[-1:],
                    }
                )
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        server.stop()
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    failed = sum(v for k, v in statuses.items() if k >= 500)
    unexpected = sum(v for k, v in statuses.items() if k not in (200, 303) and k < 500)
    emit(
        {
            "drill": "load+rotate" if rotate else "load",
            "database": db_kind(inst.url),
            "clients": clients,
            "writes_share": writes,
            "seconds": round(elapsed, 1),
            "requests": total,
            "per_s": round(total / elapsed, 1),
            "statuses": dict(statuses),
            "5xx": failed,
            "other_non_2xx_3xx": unexpected,
            "connection_failures": broken[0],
            "p50_ms": round(1000 * quantile(latencies, 0.5), 1),
            "p99_ms": round(1000 * quantile(latencies, 0.99), 1),
            "rotations": rotations,
            "server_log": log_summary(server),
            "load1": load1(),
            "verdict": verdict(
                failed == 0
                and unexpected == 0
                and broken[0] == 0
                and total > 0
                and all(r["exit"] == 0 for r in rotations)
            ),
        }
    )


def log_summary(server: Server) -> dict[str, int]:
    """The server's warnings and errors, by their first words (the portal logs no personal
    data), most frequent first: what a failed drill needs to be explained."""
    path = server.log_dir / f"{server.label}.log"
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    kinds = Counter(
        " ".join(line.split()[:6])[:90]
        for line in lines
        if any(level in line for level in ("WARNING", "ERROR", "CRITICAL", "Traceback"))
    )
    return dict(kinds.most_common(8))


def _timed(client: Client, method: str, path: str, body: str | None = None) -> dict[str, Any]:
    began = time.perf_counter()
    try:
        status, text, _ = client.request(method, path, body=body)
        shown = "service unavailable" if "unavailable" in text.lower() else ""
    except OSError as exc:
        status, shown = 0, type(exc).__name__
    client.close()
    return {"status": status, "seconds": round(time.perf_counter() - began, 2), "page": shown}


def _probe(inst: Instance, server: Server, label: str) -> dict[str, Any]:
    cookie = inst.cookies[0]
    client = Client(server.port, cookie, timeout=30)
    case_id, person_id = inst.targets[1]
    body = client.form_body(inst.csrf[cookie], case_id, person_id, f"outage-{label}", inst.owner_id)
    return {
        "state": label,
        "healthz": _timed(client, "GET", "/healthz"),
        "public_page": _timed(Client(server.port, ""), "GET", "/accessibility"),
        "case_page": _timed(client, "GET", f"/cases/{case_id}"),
        "write": _timed(client, "POST", f"/cases/{case_id}/people/{person_id}/actions", body),
    }


def _answered_quickly(probe: dict[str, Any], limit: float) -> bool:
    return all(
        isinstance(v, dict) and v["status"] in (200, 303, 503) and v["seconds"] <= limit
        for v in probe.values()
        if isinstance(v, dict)
    )


def drill_outage_sqlite(inst: Instance, limit: float) -> None:
    import sqlite3

    server = serve(inst, "outage")
    learn_csrf(inst, server)
    probes = [_probe(inst, server, "normal")]
    holder = sqlite3.connect(inst.url.removeprefix("sqlite:///"), timeout=1)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock: a frozen writer
    try:
        probes.append(_probe(inst, server, "write lock held by another process"))
    finally:
        holder.rollback()
        holder.close()
    probes.append(_probe(inst, server, "lock released"))
    server.stop()
    ok = (
        all(_answered_quickly(p, limit) for p in probes)
        and probes[1]["write"]["status"] == 503
        # A page with personal data is shown only once its consultation rows are written, so
        # it too answers "service unavailable"; a page that writes nothing still reads (WAL).
        and probes[1]["case_page"]["status"] == 503
        and probes[1]["public_page"]["status"] == 200
        and probes[2]["write"]["status"] == 303
    )
    emit(
        {
            "drill": "outage",
            "database": "sqlite",
            "probes": probes,
            "limit_s": limit,
            "verdict": verdict(ok),
        }
    )


@dataclass
class Cluster:
    """A PostgreSQL cluster of the drill's own (so stopping it harms no one)."""

    url: str
    data: Path
    ctl: list[str]
    options: str

    def start(self) -> None:
        subprocess.run(
            [*self.ctl, "-o", self.options, "-w", "start"], check=True, capture_output=True
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([*self.ctl, "-m", mode, "-w", "stop"], check=True, capture_output=True)


@contextlib.contextmanager
def private_cluster(tmp: Path) -> Iterator[Cluster]:
    from bench._common import free_port

    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    root = tmp / "pg"
    root.mkdir()
    data = root / "data"
    port = free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        subprocess.run(["chown", "-R", "postgres", str(root)], check=True)
        os.chmod(tmp, 0o755)  # noqa: S103 - the postgres user must reach its data folder
    subprocess.run(
        [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    cluster = Cluster(
        url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        data=data,
        ctl=[*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")],
        options=f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
    )
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")


def _postgres_pids(data: Path) -> list[int]:
    leader = int((data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["pgrep", "-P", str(leader)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [leader, *map(int, children)]


def drill_outage_postgres(inst: Instance, cluster: Cluster, limit: float) -> None:
    server = serve(inst, "outage")
    learn_csrf(inst, server)
    probes = [_probe(inst, server, "normal")]
    pids = _postgres_pids(cluster.data)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        probes.append(_probe(inst, server, "database frozen (SIGSTOP)"))
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    time.sleep(1)
    probes.append(_probe(inst, server, "database thawed"))
    cluster.stop()
    try:
        probes.append(_probe(inst, server, "database stopped"))
    finally:
        cluster.start()
    time.sleep(1)
    probes.append(_probe(inst, server, "database started again"))
    server.stop()
    ok = (
        all(_answered_quickly(p, limit) for p in probes)
        and probes[1]["case_page"]["status"] == 503
        and probes[3]["case_page"]["status"] == 503
        and probes[2]["case_page"]["status"] == 200
        and probes[4]["case_page"]["status"] == 200
        and probes[4]["write"]["status"] == 303
    )
    emit(
        {
            "drill": "outage",
            "database": "postgresql",
            "probes": probes,
            "limit_s": limit,
            "verdict": verdict(ok),
        }
    )


def drill_erasure(inst: Instance, erase: int) -> None:
    from bench.drill_erasure import erase_people, restored_state

    server = serve(inst, "erasure")
    learn_csrf(inst, server)
    archive = inst.tmp / "drill.portal-backup"
    with Writers(inst, server, threads=4) as writers:
        time.sleep(3)
        backup_began = time.monotonic()
        made = subprocess.run(
            [str(PORTAL), "backup", str(archive)],
            env={**os.environ, **inst.env},
            capture_output=True,
            text=True,
            check=False,
        )
        time.sleep(1)
    if made.returncode != 0:
        raise RuntimeError(f"portal backup failed: {made.stdout}{made.stderr}")
    erased = erase_people(inst, erase)
    # An erased person's actions are sealed under their destroyed key: unreadable on purpose.
    before_backup = [t for at, t, p in writers.acked if at < backup_began and p not in erased]
    client = Client(server.port, inst.cookies[0])
    pages = Counter(client.request("GET", f"/cases/{case_id}")[0] for case_id, _ in erased.values())
    people_pages = Counter(
        client.request("GET", f"/cases/{c}/people/{p}")[0] for c, p in erased.values()
    )
    client.close()
    server.stop()
    state = restored_state(inst, archive, set(erased))
    missing = [t for t in before_backup if t not in state.actions]
    ok = (
        state.restore_exit == 0
        and state.resurrected == 0
        and not missing
        and set(pages) == {200}
        and set(people_pages) == {200}
    )
    emit(
        {
            "drill": "erasure",
            "database": db_kind(inst.url),
            "writes_answered_before_backup": len(before_backup),
            "missing_after_restore": len(missing),
            "erased": len(erased),
            "case_pages_after_erasure": dict(pages),
            "person_pages_after_erasure": dict(people_pages),
            "restore": state.restore_said,
            "resurrected": state.resurrected,
            "others_readable": state.others_readable,
            "verdict": verdict(ok),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drill", choices=["kill", "load", "outage", "erasure"])
    parser.add_argument("--database-url", help="PostgreSQL server to create a temp database on")
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writes", type=float, default=0.10)
    parser.add_argument("--rotate", action="store_true")
    parser.add_argument("--erase", type=int, default=5)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds a page may take")
    parser.add_argument("--timeout", type=int, default=900, help="hard limit in seconds")
    args = parser.parse_args()
    with (
        hard_timeout(args.timeout),
        tempfile.TemporaryDirectory(prefix=f"drill-{args.drill}-") as tmp_name,
    ):
        tmp = Path(tmp_name)
        if args.drill == "outage" and args.database_url:
            with private_cluster(tmp) as cluster:
                note("seeding the private cluster")
                inst = make_instance(tmp, cluster.url, sessions=2, cases=10)
                drill_outage_postgres(inst, cluster, args.limit)
            return
        with temp_database(tmp, f"drill_{args.drill}", args.database_url) as url:
            note(f"seeding {db_kind(url)}")
            inst = make_instance(tmp, url, sessions=args.clients if args.drill == "load" else 8)
            if args.drill == "kill":
                drill_kill(inst, args.kills)
            elif args.drill == "load":
                drill_load(inst, args.clients, args.seconds, args.writes, args.rotate)
            elif args.drill == "outage":
                drill_outage_sqlite(inst, args.limit)
            else:
                drill_erasure(inst, args.erase)


if __name__ == "__main__":
    main()
