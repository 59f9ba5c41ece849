"""Benchmark: one decision in a fraud case with 2,000 victims (issue 8).

    .venv/bin/python -m bench.vlu_bulk [--victims 2000] [--mode thread|separate] [--postgres]

1. Seeds a case with N victims (bulk import path, every value sealed) and records a
   discontinuance through ``record_event``: times the N obligations and N VLU requests it creates
   in that one transaction, then the prosecutor's reasons.
2. Starts a real ``portal serve --workers 2`` (``--mode thread``: its own background worker
   thread, the default; ``--mode separate``: ``--no-worker`` plus a ``portal worker`` process).
3. Times ``GET /healthz`` and an authenticated page (``GET /vlu``, the VLU queue: decrypts and
   logs 25 names) in a loop, first idle, then while the bulk job drafts N personalised letters.
4. Prints one JSON line: seeding and job times, letters written, p50/p99 of both endpoints idle
   and during the job.

SQLite by default; ``--postgres`` uses PORTAL_TEST_DATABASE_URL (a fresh database is created
and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from portal.accounts.actor import Actor
from portal.accounts.models import AuthSession, User
from portal.accounts.roles import Role
from portal.cases import service as cases
from portal.cases.importer import NewPerson, insert_people
from portal.cases.models import Case
from portal.cases.reference import EventKind
from portal.clock import utc_now
from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.service import SafeContact
from portal.security import tokens
from portal.settings import Settings, write_key_file
from portal.vlu import service as vlu
from portal.vlu.models import Job, VluDecision, VluLetter, VluRequest
from portal.wiring import session_factory
from tests.support.database import fresh_database

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
REASONS = (
    "We looked at all the evidence again. The company's records that would prove the fraud were "
    "destroyed in a fire. Without them there is not enough evidence to prove the case in court."
)


def _user(db, role: Role, name: str) -> User:
    user = User(
        id=uuid.uuid4(),
        username=f"{role.value}-{uuid.uuid4().hex[:6]}",
        display_name=name,
        role=role.value,
        password_hash="!",  # noqa: S106 - no password: these users never sign in
        is_active=True,
        password_changed_at=utc_now(),
        area="london-north",
        unit="seocid",
    )
    db.add(user)
    db.flush()
    return user


def _session(db, user: User) -> str:
    token = tokens.new_token()
    now = utc_now()
    db.add(
        AuthSession(
            id=uuid.uuid4(),
            token_hash=tokens.token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=8),
            stage="signed_in",  # as if the second factor had passed
            factor_at=now,
        )
    )
    return token


def seed(settings: Settings, victims: int) -> dict[str, object]:
    engine = make_engine(settings)
    upgrade(engine)
    factory = session_factory(engine)
    provider = settings.key_provider()
    with unit_of_work(factory) as db:
        prosecutor = _user(db, Role.PROSECUTOR, "Priya Prosecutor")
        drafter = _user(db, Role.VLU_OFFICER, "Grace Lewis")
        actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "seocid")
        vault = Vault(db, provider, KeyCache())
        case = cases.open_case(
            db,
            vault,
            actor,
            cases.NewCase(
                urn="01AB1234526",
                area="london-north",
                unit="seocid",
                court_type="crown",
                court_name="Southwark Crown Court",
                offence_codes=("FA2006-S2",),
                prosecutor_id=prosecutor.id,
                defendant_names=("Drew Defendant",),
            ),
        )
        for start in range(0, victims, 500):
            insert_people(
                db,
                vault,
                actor,
                case,
                [
                    NewPerson(
                        full_name=f"Synthetic Victim {n:05d}",
                        address=f"{n} Example Street, Exampleton",
                        safe_contact=SafeContact(channels=("letter", "email")),
                        vulnerable=n % 10 == 0,
                    )
                    for n in range(start, min(victims, start + 500))
                ],
            )
        case_id, prosecutor_id, drafter_id = case.id, prosecutor.id, drafter.id
        token = _session(db, drafter)
    began = time.perf_counter()
    with unit_of_work(factory) as db:
        vault = Vault(db, provider, KeyCache())
        case = db.get(Case, case_id)
        event, _ = cases.record_event(
            db,
            vault,
            actor,
            case,
            cases.NewEvent(
                kind=EventKind.DISCONTINUANCE,
                event_date=utc_now().date(),
                ends_all_proceedings=True,
            ),
        )
        event_id = event.id
    decision_seconds = time.perf_counter() - began
    began = time.perf_counter()
    with unit_of_work(factory) as db:
        vault = Vault(db, provider, KeyCache())
        decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event_id)).one()
        vlu.supply_reasons(
            db,
            vault,
            Actor(prosecutor_id, Role.PROSECUTOR, "london-north", "seocid"),
            decision,
            reasons=REASONS,
            meeting_offered=None,
            no_meeting_reason="",
            expected_version=decision.version,
        )
        requests = db.scalar(select(func.count()).select_from(VluRequest))
        decision_id = decision.id
    reasons_seconds = time.perf_counter() - began
    engine.dispose()
    return {
        "requests": requests,
        "decision_seconds": decision_seconds,
        "reasons_seconds": reasons_seconds,
        "decision_id": decision_id,
        "drafter_id": drafter_id,
        "token": token,
    }


def _time(url: str, cookie: str | None) -> float:
    request = urllib.request.Request(url)  # noqa: S310 - always http://127.0.0.1
    if cookie:
        request.add_header("Cookie", f"portal_session={cookie}")
    began = time.perf_counter()
    with OPENER.open(request, timeout=30) as response:
        response.read()
        assert response.status == 200, response.status
    return (time.perf_counter() - began) * 1000


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"n": len(values)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50_ms": round(cuts[49], 2), "p99_ms": round(cuts[98], 2)}


def _sample(base: str, token: str, until: threading.Event, seconds: float | None) -> dict:
    health: list[float] = []
    page: list[float] = []
    stop_at = time.monotonic() + seconds if seconds else None
    while not until.is_set() and (stop_at is None or time.monotonic() < stop_at):
        health.append(_time(f"{base}/healthz", None))
        if len(health) % 5 == 0:
            page.append(_time(f"{base}/vlu", token))
        time.sleep(0.02)
    return {"healthz": _percentiles(health), "vlu_queue": _percentiles(page)}


def _wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"portal serve exited with {process.returncode}")
        try:
            _time(f"{base}/healthz", None)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("portal serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--victims", type=int, default=2000)
    parser.add_argument("--mode", choices=("thread", "separate"), default="thread")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not args.postgres:
        os.environ.pop("PORTAL_TEST_DATABASE_URL", None)
    portal = str(Path(sys.executable).parent / "portal")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp), "vlubench") as url:
        instance = Path(tmp) / "instance"
        instance.mkdir(mode=0o700)  # the portal refuses a folder others can read
        write_key_file(instance)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update(
            {
                "PORTAL_INSTANCE_DIR": str(instance),
                "PORTAL_DATABASE_URL": url,
                "PORTAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
            }
        )
        settings = Settings.from_env(env)
        seeded = seed(settings, args.victims)
        base = f"http://127.0.0.1:{args.port}"
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        serve_args = [portal, "serve", "--port", str(args.port), "--workers", "2"]
        if args.mode == "separate":
            serve_args.append("--no-worker")
        server = subprocess.Popen(serve_args, env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = None
        try:
            _wait_healthy(base, server)
            for _ in range(20):  # warm both web workers
                _time(f"{base}/vlu", str(seeded["token"]))
            idle = _sample(base, str(seeded["token"]), threading.Event(), seconds=15)
            if args.mode == "separate":
                worker = subprocess.Popen(
                    [portal, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
                )
            engine = make_engine(settings)
            factory = session_factory(engine)
            with unit_of_work(factory) as db:
                decision = db.get(VluDecision, seeded["decision_id"])
                job_id = vlu.enqueue_bulk(
                    db,
                    Actor(seeded["drafter_id"], Role.VLU_OFFICER, "london-north", "seocid"),
                    decision,
                    action="draft_all",
                ).id
            finished = threading.Event()
            during: dict = {}

            def sampler() -> None:
                during.update(_sample(base, str(seeded["token"]), finished, seconds=None))

            thread = threading.Thread(target=sampler)
            thread.start()
            began = time.perf_counter()
            while True:
                with unit_of_work(factory) as db:
                    job = db.get(Job, job_id)
                    state, done = job.state, job.done
                    started, ended = job.started_at, job.finished_at
                if state in {"done", "failed"}:
                    break
                if time.perf_counter() - began > 600:
                    raise SystemExit("the job did not finish in 10 minutes")
                time.sleep(0.25)
            finished.set()
            thread.join()
            with unit_of_work(factory) as db:
                letters = db.scalar(select(func.count()).select_from(VluLetter))
            engine.dispose()
        finally:
            for process in (worker, server):
                if process is not None:
                    process.terminate()
                    process.wait(10)
            log.close()
        print(
            json.dumps(
                {
                    "database": url.split(":", 1)[0],
                    "mode": args.mode,
                    "victims": args.victims,
                    "requests_created": seeded["requests"],
                    "record_decision_s": round(seeded["decision_seconds"], 2),
                    "reasons_s": round(seeded["reasons_seconds"], 2),
                    "job_state": state,
                    "letters": letters,
                    "letters_done": done,
                    "job_run_s": round((ended - started).total_seconds(), 2)
                    if ended and started
                    else None,
                    "idle": idle,
                    "during_job": during,
                }
            )
        )


if __name__ == "__main__":
    main()
