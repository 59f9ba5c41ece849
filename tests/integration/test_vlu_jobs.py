"""The database-backed job queue, and bulk letters for a mass-victim decision through it."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import jobs
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.errors import ValidationFailed
from portal.cases.reference import EventKind
from portal.clock import utc_now
from portal.db.session import make_engine, make_session_factory, unit_of_work
from portal.jobs.background import start_background
from portal.keys.vault import KeyCache
from portal.victims_code.models import Obligation
from portal.vlu import service as vlu
from portal.vlu.models import Job, VluDecision, VluLetter, VluRequest, VluTransition
from tests.support.factories import make_case, make_user
from tests.support.vlu import (
    PHONE_NO_VOICEMAIL,
    actor_of,
    add_victims,
    decision_of,
    record,
    requests_of,
    vault_for,
    victim,
)

REASONS = "A key witness can no longer give evidence. Without it there is not enough to go on."


def _jobs(db, user, count: int, *, kind: str = "vlu.draft_all") -> list[uuid.UUID]:
    made = []
    for n in range(count):
        job = Job(
            id=uuid.uuid4(),
            kind=kind,
            state="queued",
            payload="{}",
            created_by_id=user.id,
            run_after=utc_now() - timedelta(seconds=n),
            created_at=utc_now(),
            total=0,
            done=0,
            skipped=0,
            attempts=0,
            max_attempts=3,
        )
        db.add(job)
        made.append(job.id)
    db.commit()
    return made


def test_claiming_is_exclusive_across_concurrent_workers(db, engine) -> None:
    user = make_user(db, role=Role.VLU_OFFICER)
    created = set(_jobs(db, user, 60))
    workers = 4
    barrier = threading.Barrier(workers)
    claimed: dict[str, list[uuid.UUID]] = {}
    problems: list[BaseException] = []

    def claim_all(name: str) -> None:
        factory = make_session_factory(engine)
        mine: list[uuid.UUID] = []
        try:
            barrier.wait()
            while (job_id := jobs.claim(factory, name)) is not None:
                mine.append(job_id)
        except BaseException as exc:  # reported below
            problems.append(exc)
        claimed[name] = mine

    threads = [threading.Thread(target=claim_all, args=(f"w{i}",)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not problems, problems
    everything = [job_id for mine in claimed.values() for job_id in mine]
    assert len(everything) == len(set(everything)) == len(created)  # nobody took one twice
    assert set(everything) == created
    with unit_of_work(make_session_factory(engine)) as check:
        rows = check.scalars(select(Job)).all()
        assert {j.state for j in rows} == {"running"}
        owner = {j.id: j.claimed_by for j in rows}
    for name, mine in claimed.items():
        assert all(owner[job_id] == name for job_id in mine)


def test_a_job_whose_worker_died_is_taken_over_when_its_lease_runs_out(
    db, engine, settings
) -> None:
    user = make_user(db, role=Role.VLU_OFFICER)
    (job_id,) = _jobs(db, user, 1)
    factory = make_session_factory(engine)
    assert jobs.claim(factory, "dead") == job_id
    assert jobs.claim(factory, "other") is None  # leased
    with unit_of_work(factory) as s:
        s.get(Job, job_id).lease_until = utc_now() - timedelta(seconds=1)
    assert jobs.claim(factory, "other") == job_id
    # The old owner, if it comes back, finds the job is no longer its own and does nothing.
    assert jobs.run_batch(factory, settings.key_provider(), KeyCache(), job_id, "dead") is True
    with unit_of_work(factory) as s:
        job = s.get(Job, job_id)
        assert job.claimed_by == "other" and job.attempts == 2


def test_failures_are_retried_then_stop_with_only_the_error_class(db, engine, settings) -> None:
    user = make_user(db, role=Role.VLU_OFFICER)
    (job_id,) = _jobs(db, user, 1)
    with unit_of_work(make_session_factory(engine)) as s:
        s.get(Job, job_id).payload = "not json: Vera Victim"
    factory = make_session_factory(engine)
    for attempt in range(1, 4):
        claimed = jobs.claim(factory, "w")
        assert claimed == job_id
        jobs.run_job(factory, settings.key_provider(), KeyCache(), job_id, "w", pause=0)
        with unit_of_work(factory) as s:
            job = s.get(Job, job_id)
            assert job.error == "JSONDecodeError"
            assert job.state == ("failed" if attempt == 3 else "queued")
            job.run_after = utc_now()  # skip the back-off
    assert jobs.claim(factory, "w") is None


def test_the_background_worker_runs_the_queue_with_the_applications_sessions(
    db, engine, settings
) -> None:
    """``portal serve``'s worker thread (portal.jobs.background) claims and runs due jobs with
    sessions from portal.wiring, and stops when asked."""
    user = make_user(db, role=Role.VLU_OFFICER)
    (job_id,) = _jobs(db, user, 1, kind="no.such.kind")
    worker = start_background(make_engine(settings), settings.key_provider(), poll=0.05)
    try:
        deadline = time.monotonic() + 10
        state = "queued"
        while state != "failed" and time.monotonic() < deadline:
            time.sleep(0.05)
            with unit_of_work(make_session_factory(engine)) as s:
                state = s.get(Job, job_id).state
    finally:
        worker.stop()
    assert state == "failed"  # no handler for the kind: it stops at once
    assert not worker.thread.is_alive()
    with unit_of_work(make_session_factory(engine)) as s:
        assert s.get(Job, job_id).error == "LookupError"


def _mass_case(db, settings, victims: int, *, phone_only: int = 0):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    drafter = make_user(db, role=Role.VLU_OFFICER, display_name="Dana Drafter")
    checker = make_user(db, role=Role.VLU_OFFICER, display_name="Cass Checker")
    case = make_case(db, settings, prosecutor=prosecutor, offences=("FA2006-S2",), unit="seocid")
    # Most may be written to (letter-only rules); the first ``phone_only`` may only be phoned.
    people = [
        victim(f"Fraud Victim {n:04d}", safe=PHONE_NO_VOICEMAIL)
        if n < phone_only
        else victim(f"Fraud Victim {n:04d}")
        for n in range(victims)
    ]
    add_victims(db, settings, case, prosecutor, people)
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE, ends_all=True)
    decision = decision_of(db, event)
    vlu.supply_reasons(
        db,
        vault_for(db, settings),
        actor_of(prosecutor),
        decision,
        reasons=REASONS,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    db.commit()
    return decision.id, drafter, checker


def test_bulk_letters_for_a_mass_victim_decision(db, engine, settings) -> None:
    count, phone_only = 120, 7
    decision_id, drafter, checker = _mass_case(db, settings, count, phone_only=phone_only)
    factory = make_session_factory(engine)
    provider = settings.key_provider()
    with unit_of_work(factory) as s:
        decision = s.get(VluDecision, decision_id)

    with unit_of_work(factory) as s:
        job = vlu.enqueue_bulk(s, actor_of(drafter), decision, action="draft_all")
        assert job.total == count
        job_id = job.id
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:  # not twice at once
        vlu.enqueue_bulk(s, actor_of(drafter), decision, action="draft_all")
    began = time.perf_counter()
    assert jobs.run_pending(factory, provider, batch=25) == 1
    seconds = time.perf_counter() - began
    assert seconds < 60, f"{count} letters took {seconds:.1f} s"

    with unit_of_work(factory) as s:
        job = s.get(Job, job_id)
        assert (job.state, job.done, job.skipped, job.error) == ("done", count, 0, None)
        assert job.payload == f'{{"decision_id": "{decision.id}"}}'  # ids only
        vault = vault_for(s, settings)
        rows = requests_of(s, decision)
        assert {r.state for r, _ in rows} == {"drafted"}
        letters = {letter.request_id: letter for letter in s.scalars(select(VluLetter)).all()}
        assert len(letters) == count
        for request, person in rows:
            body = vault.open_text(letters[request.id], "body")
            assert body.startswith(f"Dear {vault.open_text(person, 'full_name')}\n")
            assert REASONS in body and "Victims' Right to Review" in body
            assert letters[request.id].key_id == person.key_id  # sealed under the victim's key
            assert request.drafted_by_id == drafter.id
        bulk_steps = s.scalar(
            select(func.count()).select_from(VluTransition).where(VluTransition.job_id == job_id)
        )
        assert bulk_steps == count
        drafted_logs = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "vlu.letter.draft", AuditEvent.actor_id == drafter.id)
        )
        assert drafted_logs == count

    # The drafter cannot approve their own letters; a second officer can.
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:
        vlu.enqueue_bulk(
            s, actor_of(drafter), decision, action="approve_all", checklist=set(vlu.CHECKLIST)
        )
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:  # every check is needed
        vlu.enqueue_bulk(
            s, actor_of(checker), decision, action="approve_all", checklist={"accurate"}
        )
    with unit_of_work(factory) as s:
        vlu.enqueue_bulk(
            s, actor_of(checker), decision, action="approve_all", checklist=set(vlu.CHECKLIST)
        )
    jobs.run_pending(factory, provider, batch=40)
    with unit_of_work(factory) as s:
        rows = requests_of(s, decision)
        assert {r.state for r, _ in rows} == {"checked"}
        assert {r.checked_by_id for r, _ in rows} == {checker.id}

    # Sending picks a safe channel for each victim; those with none are left for an officer.
    with unit_of_work(factory) as s:
        send_job = vlu.enqueue_bulk(s, actor_of(checker), decision, action="send_all")
        send_id = send_job.id
    jobs.run_pending(factory, provider, batch=50)
    with unit_of_work(factory) as s:
        job = s.get(Job, send_id)
        assert (job.done, job.skipped) == (count - phone_only, phone_only)
        rows = requests_of(s, decision)
        assert sum(r.state == "sent" for r, _ in rows) == count - phone_only
        assert {r.channel for r, _ in rows if r.state == "sent"} == {"letter"}
        met = s.scalar(
            select(func.count())
            .select_from(Obligation)
            .where(Obligation.state == "met", Obligation.channel == "letter")
        )
        assert met == count - phone_only
        disclosures = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.category == "disclosure", AuditEvent.recipient == "victim")
        )
        assert disclosures == count - phone_only
        assert s.scalar(select(func.count()).select_from(VluRequest)) == count
