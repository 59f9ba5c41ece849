"""A small job queue in the database, and the worker that runs it.

Why the database: every bit of a job's state (queued, running, done, how far it got, who holds
it and until when) is in the ``job`` table, so any number of web and worker processes can share
the queue, and nothing is lost when a process dies. No broker to run.

* **Claiming is exclusive.** On PostgreSQL a worker takes the oldest due job with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers never block on, or take, the same row); on
  SQLite every transaction starts with ``BEGIN IMMEDIATE`` (portal.db.session), so the select and
  the update that marks the job running happen under the single write lock.
* **A lease, not a lock held for the whole job.** The claim sets ``lease_until``; each batch runs
  in its own short transaction that checks the job is still this worker's and extends the lease.
  If a worker dies, its job is claimed again when the lease runs out and carries on from its
  cursor (progress is committed with the work it describes). After ``max_attempts`` claims the
  job fails.
* **Short transactions.** A batch is a few dozen letters (tens of milliseconds), and the worker
  pauses between batches, so web requests get the write lock (SQLite) or the access log's
  chain lock (PostgreSQL) in between (``Pace``).
* **Nothing personal.** The payload holds ids; a failure stores and logs only the exception's
  class name.

Run it as ``portal worker`` (any number of them), or let ``portal serve`` start one in a
background thread of its supervisor process (``--no-worker`` turns that off:
``portal.jobs.background``). What each kind of job does is in ``portal.jobs.handlers``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.clock import utc_now
from portal.db.session import unit_of_work
from portal.jobs.handlers import HANDLERS
from portal.keys.vault import KeyCache, Vault
from portal.security.crypto import KeyProvider
from portal.vlu.models import Job

log = logging.getLogger("portal.jobs")

LEASE = timedelta(seconds=60)
RETRY_DELAY = timedelta(seconds=30)
DEFAULT_BATCH = 50


@dataclass(frozen=True, slots=True)
class Pace:
    """How much work per transaction, and how long to wait between transactions.

    SQLite has one writer: while a batch runs, every web request that writes (nearly all of
    them: session touch, access log) waits. A batch of 20 letters holds the lock for roughly
    60-100 ms, and the pause is longer than SQLite's longest busy-wait step (100 ms), so a waiting
    request always gets the lock before the next batch. On PostgreSQL only the access log's chain
    lock is shared, and waiters are served in order, so batches can be bigger and pauses short.
    """

    batch: int
    pause: float


PACES = {"sqlite": Pace(batch=20, pause=0.12), "postgresql": Pace(batch=50, pause=0.01)}


def pace_for(factory: sessionmaker[Session], batch: int | None, pause: float | None) -> Pace:
    bind = factory.kw.get("bind")
    default = PACES.get(bind.dialect.name if bind is not None else "", Pace(DEFAULT_BATCH, 0.05))
    return Pace(
        batch=batch if batch is not None else default.batch,
        pause=pause if pause is not None else default.pause,
    )


class AccountInactive(Exception):
    """The user who queued the job can no longer act: the job stops."""


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(factory: sessionmaker[Session], worker: str) -> uuid.UUID | None:
    """Take the oldest due job (queued, or running with an expired lease), or None."""
    with unit_of_work(factory) as db:
        now = utc_now()
        query = (
            select(Job)
            .where(
                or_(
                    and_(Job.state == "queued", Job.run_after <= now),
                    and_(Job.state == "running", Job.lease_until < now),
                )
            )
            .order_by(Job.run_after, Job.created_at, Job.id)
            .limit(1)
        )
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job = db.scalars(query).first()
        if job is None:
            return None
        if job.attempts >= job.max_attempts:
            job.state = "failed"
            job.error = job.error or "TooManyAttempts"
            job.finished_at = now
            log.warning("job.failed job_id=%s kind=%s error=%s", job.id, job.kind, job.error)
            return None
        job.state = "running"
        job.claimed_by = worker
        job.lease_until = now + LEASE
        job.attempts += 1
        job.started_at = job.started_at or now
        log.info("job.claimed job_id=%s kind=%s attempt=%s", job.id, job.kind, job.attempts)
        return job.id


def _actor(db: Session, job: Job) -> Actor:
    user = db.get(User, job.created_by_id)
    if user is None or not user.is_active:
        raise AccountInactive(str(job.created_by_id))
    return Actor(user_id=user.id, role=Role(user.role), area=user.area, unit=user.unit)


def run_batch(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    cache: KeyCache,
    job_id: uuid.UUID,
    worker: str,
    *,
    batch: int = DEFAULT_BATCH,
) -> bool:
    """One batch in one transaction. True when the job is over (done, or no longer ours)."""
    with unit_of_work(factory) as db:
        job = db.scalars(select(Job).where(Job.id == job_id).with_for_update()).one_or_none()
        if job is None or job.state != "running" or job.claimed_by != worker:
            return True  # someone else holds it now (our lease ran out)
        handler = HANDLERS.get(job.kind)
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        vault = Vault(db, provider, cache)
        looked_at = handler(db, vault, _actor(db, job), job, batch)
        now = utc_now()
        job.lease_until = now + LEASE
        if looked_at < batch:
            job.state = "done"
            job.finished_at = now
            job.lease_until = None
            log.info(
                "job.done job_id=%s kind=%s done=%s skipped=%s",
                job.id,
                job.kind,
                job.done,
                job.skipped,
            )
            return True
        return False


def _failed(factory: sessionmaker[Session], job_id: uuid.UUID, worker: str, exc: Exception) -> None:
    name = type(exc).__name__[:120]
    with unit_of_work(factory) as db:
        job = db.get(Job, job_id)
        if job is None or job.claimed_by != worker:
            return
        final = isinstance(exc, AccountInactive | LookupError) or job.attempts >= job.max_attempts
        job.error = name
        job.lease_until = None
        if final:
            job.state = "failed"
            job.finished_at = utc_now()
        else:
            job.state = "queued"
            job.run_after = utc_now() + RETRY_DELAY
    log.warning("job.error job_id=%s error=%s final=%s", job_id, name, final)


def run_job(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    cache: KeyCache,
    job_id: uuid.UUID,
    worker: str,
    *,
    batch: int | None = None,
    pause: float | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run a claimed job batch by batch until it is over (or ``stop`` is set: the lease then
    runs out and another worker carries on)."""
    pace = pace_for(factory, batch, pause)
    while stop is None or not stop.is_set():
        try:
            if run_batch(factory, provider, cache, job_id, worker, batch=pace.batch):
                return
        except Exception as exc:  # any failure is recorded on the job
            _failed(factory, job_id, worker, exc)
            return
        if pace.pause:
            time.sleep(pace.pause)


def run_pending(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    cache: KeyCache | None = None,
    *,
    worker: str | None = None,
    batch: int | None = None,
    pause: float = 0.0,
) -> int:
    """Run every due job now, then return how many were run (tests, ``portal worker --once``)."""
    cache = cache or KeyCache()
    name = worker or worker_name()
    count = 0
    while (job_id := claim(factory, name)) is not None:
        run_job(factory, provider, cache, job_id, name, batch=batch, pause=pause)
        count += 1
    return count


def work(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    *,
    stop: threading.Event,
    poll: float = 1.0,
    batch: int | None = None,
    pause: float | None = None,
    worker: str | None = None,
) -> None:
    """The worker loop: claim, run, repeat; wait ``poll`` seconds when the queue is empty."""
    cache = KeyCache()
    name = worker or worker_name()
    log.info("worker.start worker=%s", name)
    while not stop.is_set():
        try:
            job_id = claim(factory, name)
        except Exception as exc:  # a database hiccup must not kill the worker
            log.warning("worker.claim_failed error=%s", type(exc).__name__)
            stop.wait(poll)
            continue
        if job_id is None:
            stop.wait(poll)
            continue
        run_job(factory, provider, cache, job_id, name, batch=batch, pause=pause, stop=stop)
    log.info("worker.stop worker=%s", name)
