"""A small job queue in the database and the worker that runs it (``queue``), what each kind of
job does (``handlers``) and the worker as a background thread (``background``). Bulk decision
letters (portal.vlu) are its only jobs today."""

from portal.jobs.handlers import HANDLERS, JobHandler
from portal.jobs.queue import (
    DEFAULT_BATCH,
    LEASE,
    PACES,
    RETRY_DELAY,
    AccountInactive,
    Pace,
    claim,
    pace_for,
    run_batch,
    run_job,
    run_pending,
    work,
    worker_name,
)

__all__ = [
    "DEFAULT_BATCH",
    "HANDLERS",
    "LEASE",
    "PACES",
    "RETRY_DELAY",
    "AccountInactive",
    "JobHandler",
    "Pace",
    "claim",
    "pace_for",
    "run_batch",
    "run_job",
    "run_pending",
    "work",
    "worker_name",
]
