"""Benchmark: the three bulk jobs of a decision in the demo's 2,000-victim fraud case (issue 16).

    .venv/bin/python -m bench.vlu_demo_jobs --instance DIR [--profile JOB|all]

DIR is a ``portal demo`` instance (its key file; the database from PORTAL_DATABASE_URL, else
DIR/portal.db): the measurement changes it, so use a copy. As the demo users (prosecutor.demo
records a discontinuance that ends all proceedings in the big case and gives the reasons;
vlu.demo drafts; vlu2.demo checks; vlu.demo sends), through the real services and the job queue
(``portal.jobs.run_pending`` in this process, with no pause between batches: the work itself).
The check reads every letter it lists (``bulk_check.letter_to_read`` and ``mark_read``, as the
pages do). Prints one JSON line: the seconds of each step, the letters that differ from the
template and were read, the sample, and what the send left unsent by reason. ``--profile``
prints the cProfile of that job (top 30 by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from portal import jobs
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.cases import service as cases
from portal.cases.models import Case, CaseParty
from portal.cases.reference import EventKind
from portal.clock import LONDON, utc_now
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.settings import Settings
from portal.vlu import service as vlu
from portal.vlu.models import Job, VluBulkCheckLetter, VluDecision, VluNotSent, VluRequest
from portal.vlu.service import bulk, bulk_check
from portal.wiring import session_factory

REASONS = (
    "We looked at all the evidence again. The company's records that would prove the fraud were "
    "destroyed in a fire. Without them there is not enough evidence to prove the case in court."
)


def _actor(db, username: str) -> Actor:
    user = db.scalars(select(User).where(User.username == username)).one()
    return Actor(user.id, Role(user.role), user.area, user.unit)


def _run(factory, settings, profile: bool) -> float:
    began = time.perf_counter()
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
    jobs.run_pending(factory, settings.key_provider(), pause=0)
    seconds = time.perf_counter() - began
    if profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--profile", choices=("draft_all", "approve_all", "send_all", "all"))
    args = parser.parse_args()
    instance = args.instance.resolve()
    url = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{instance / 'portal.db'}"
    settings = Settings.from_env({"PORTAL_INSTANCE_DIR": str(instance), "PORTAL_DATABASE_URL": url})
    engine = make_engine(settings)
    factory = session_factory(engine)
    provider = settings.key_provider()
    result: dict[str, object] = {"database": url.split(":", 1)[0]}

    def unit(db, username: str) -> Unit:
        vault = Vault(db, provider, KeyCache())
        return Unit(db, _actor(db, username), lambda: vault)

    with unit_of_work(factory) as db:
        big = db.execute(
            select(Case.id, func.count(CaseParty.id))
            .join(CaseParty, CaseParty.case_id == Case.id)
            .group_by(Case.id)
            .order_by(func.count(CaseParty.id).desc())
            .limit(1)
        ).one()
        case_id = big[0]
        result["people"] = big[1]
    began = time.perf_counter()
    with unit_of_work(factory) as db:
        vault = Vault(db, provider, KeyCache())
        case = db.get(Case, case_id)
        event, _ = cases.record_event(
            db,
            vault,
            _actor(db, "prosecutor.demo"),
            case,
            cases.NewEvent(
                kind=EventKind.DISCONTINUANCE,
                event_date=utc_now().astimezone(LONDON).date(),
                ends_all_proceedings=True,
            ),
        )
        decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one()
        vlu.supply_reasons(
            db,
            vault,
            _actor(db, "prosecutor.demo"),
            decision,
            reasons=REASONS,
            meeting_offered=None,
            no_meeting_reason="",
            expected_version=decision.version,
        )
        decision_id = decision.id
        result["letters"] = db.scalar(
            select(func.count())
            .select_from(VluRequest)
            .where(VluRequest.decision_id == decision_id)
        )
    result["decision_and_reasons_s"] = round(time.perf_counter() - began, 2)

    with unit_of_work(factory) as db:
        bulk.start_bulk(
            unit(db, "vlu.demo"), case_id, decision_id, action="draft_all", checklist=set()
        )
    result["draft_all_s"] = round(_run(factory, settings, args.profile in ("draft_all", "all")), 2)
    with unit_of_work(factory) as db:
        result["draft_job"] = [
            (j.state, j.done, j.skipped, j.error)
            for j in db.scalars(select(Job).where(Job.subject_id == decision_id))
        ]

    began = time.perf_counter()
    print(json.dumps(result, default=str), flush=True)
    with unit_of_work(factory) as db:
        check_id = bulk_check.start_check(unit(db, "vlu2.demo"), case_id, decision_id).id
    result["start_check_s"] = round(time.perf_counter() - began, 2)
    with unit_of_work(factory) as db:
        items = db.execute(
            select(VluBulkCheckLetter.request_id, VluBulkCheckLetter.why).where(
                VluBulkCheckLetter.check_id == check_id
            )
        ).all()
    result["to_read"] = dict(Counter(why for _, why in items))
    began = time.perf_counter()
    for request_id, _ in items:  # as the pages do: open the letter, then "I have read it"
        with unit_of_work(factory) as db:
            bulk_check.letter_to_read(unit(db, "vlu2.demo"), case_id, decision_id, request_id)
        with unit_of_work(factory) as db:
            bulk_check.mark_read(unit(db, "vlu2.demo"), case_id, decision_id, request_id)
    read_s = time.perf_counter() - began
    result["read_each_ms"] = round(read_s * 1000 / max(1, len(items)), 1)
    with unit_of_work(factory) as db:
        bulk_check.approve_checked(
            unit(db, "vlu2.demo"), case_id, decision_id, checklist=set(vlu.CHECKLIST)
        )
    result["approve_all_s"] = round(
        _run(factory, settings, args.profile in ("approve_all", "all")), 2
    )

    with unit_of_work(factory) as db:
        bulk.start_bulk(
            unit(db, "vlu.demo"), case_id, decision_id, action="send_all", checklist=set()
        )
    result["send_all_s"] = round(_run(factory, settings, args.profile in ("send_all", "all")), 2)
    with unit_of_work(factory) as db:
        result["sent"] = db.scalar(
            select(func.count())
            .select_from(VluRequest)
            .where(VluRequest.decision_id == decision_id, VluRequest.state == "sent")
        )
        result["not_sent"] = dict(
            db.execute(
                select(VluNotSent.reason, func.count())
                .where(VluNotSent.decision_id == decision_id)
                .group_by(VluNotSent.reason)
            ).all()
        )
    engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
