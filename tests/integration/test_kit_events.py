"""In-process domain events (portal.kit.events): handlers run at once, in the publisher's
transaction, on the bus the session was opened with."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from portal import wiring
from portal.db.session import make_session_factory, unit_of_work
from portal.kit.events import MAX_DEPTH, Event, EventBus, bus_of, publish

meta = MetaData()
written = Table(
    "kit_events_probe",
    meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note", String(40), nullable=False),
)


@dataclass(frozen=True)
class CaseOpened(Event):
    urn: str


@dataclass(frozen=True)
class UrgentCaseOpened(CaseOpened):
    pass


@dataclass(frozen=True)
class Ping(Event):
    hops: int


@pytest.fixture
def probe(engine: Engine) -> Iterator[Engine]:
    meta.create_all(engine)
    try:
        yield engine
    finally:
        meta.drop_all(engine)


def notes(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(written.c.note).order_by(written.c.id)))


def test_handlers_write_in_the_publishers_transaction(probe: Engine) -> None:
    bus = EventBus()

    def record(db: Session, event: CaseOpened) -> None:
        db.execute(insert(written).values(note=f"obligations for {event.urn}"))

    bus.subscribe(CaseOpened, record)
    factory = make_session_factory(probe, events=bus.seal())
    with unit_of_work(factory) as db:
        db.execute(insert(written).values(note="case"))
        assert publish(db, CaseOpened("01AB2345678")) == 1
        # Same session, same transaction: visible before commit.
        assert db.scalar(select(func.count()).select_from(written)) == 2
    assert notes(probe) == ["case", "obligations for 01AB2345678"]


def test_a_failing_handler_rolls_back_the_publisher_too(probe: Engine) -> None:
    bus = EventBus()

    def refuse(db: Session, event: CaseOpened) -> None:
        db.execute(insert(written).values(note="half done"))
        raise RuntimeError("rules file unreadable")

    bus.subscribe(CaseOpened, refuse)
    factory = make_session_factory(probe, events=bus)

    def record_case() -> None:
        with unit_of_work(factory) as db:
            db.execute(insert(written).values(note="case"))
            publish(db, CaseOpened("01AB2345678"))

    with pytest.raises(RuntimeError, match="rules file"):
        record_case()
    assert notes(probe) == []


def test_handlers_run_in_order_and_see_subclassed_events(probe: Engine) -> None:
    bus = EventBus()
    calls: list[str] = []
    bus.subscribe(CaseOpened, lambda db, e: calls.append(f"obligations {e.urn}"))
    bus.subscribe(CaseOpened, lambda db, e: calls.append(f"letters {e.urn}"))
    bus.subscribe(UrgentCaseOpened, lambda db, e: calls.append(f"escalate {e.urn}"))
    with Session(probe, info={"portal.events": bus}) as db:
        assert publish(db, CaseOpened("A")) == 2
        assert publish(db, UrgentCaseOpened("B")) == 3
    assert calls == ["obligations A", "letters A", "escalate B", "obligations B", "letters B"]


def test_publishing_without_a_bus_fails_loudly(probe: Engine) -> None:
    with Session(probe) as db, pytest.raises(RuntimeError, match="no event bus"):
        publish(db, CaseOpened("A"))


def test_a_sealed_bus_takes_no_more_subscriptions() -> None:
    bus = EventBus().seal()
    assert bus.sealed
    with pytest.raises(RuntimeError, match="sealed"):
        bus.subscribe(CaseOpened, lambda db, e: None)
    with pytest.raises(TypeError, match="not an Event"):
        EventBus().subscribe(str, lambda db, e: None)  # type: ignore[type-var]
    with pytest.raises(TypeError, match="not an Event"):
        EventBus().publish(Session(), "case opened")  # type: ignore[arg-type]


def test_a_handler_loop_is_stopped(probe: Engine) -> None:
    bus = EventBus()
    depths: list[int] = []

    def bounce(db: Session, event: Ping) -> None:
        depths.append(event.hops)
        publish(db, Ping(event.hops + 1))

    bus.subscribe(Ping, bounce)
    db = Session(probe, info={"portal.events": bus})
    with pytest.raises(RuntimeError, match="nested"):
        publish(db, Ping(1))
    db.close()
    assert depths == list(range(1, MAX_DEPTH + 1))
    # The depth is per thread of work, so another publish starts from zero.
    depths.clear()
    bus2 = EventBus()
    bus2.subscribe(Ping, lambda db, e: depths.append(e.hops))
    with Session(probe, info={"portal.events": bus2}) as db:
        publish(db, Ping(1))
    assert depths == [1]


def test_threads_publishing_at_once_do_not_count_each_others_depth(probe: Engine) -> None:
    bus = EventBus()
    gate = threading.Barrier(4)
    errors: list[BaseException] = []

    def nested(db: Session, event: Ping) -> None:
        if event.hops == 1:
            gate.wait(timeout=5)  # all four threads are inside a handler at once
        if event.hops < MAX_DEPTH - 1:
            publish(db, Ping(event.hops + 1))

    bus.subscribe(Ping, nested)

    def work() -> None:
        try:
            with Session(probe, info={"portal.events": bus}) as db:
                publish(db, Ping(1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []


def test_the_application_opens_sessions_with_its_sealed_bus(app, engine: Engine) -> None:
    with app.state.session_factory() as db:
        assert bus_of(db).sealed
    with wiring.session_factory(engine)() as db:
        assert bus_of(db).sealed
    from portal.accounts.events import AccessWithdrawn
    from portal.anonymity import unmasking
    from portal.breakglass import withdrawn as breakglass
    from portal.cases.events import (
        CaseEventCorrected,
        CaseEventRecorded,
        NeedsAssessmentRecorded,
        PeopleIdentified,
    )
    from portal.victims_code import handlers as victims_code
    from portal.vlu import handlers as vlu

    # Obligations first, then the VLU requests linked to them.
    assert wiring.event_bus().subscriptions() == {
        CaseEventRecorded: (victims_code.on_case_event_recorded, vlu.on_case_event_recorded),
        CaseEventCorrected: (victims_code.on_case_event_corrected,),
        PeopleIdentified: (victims_code.on_people_identified, vlu.on_people_identified),
        NeedsAssessmentRecorded: (victims_code.on_needs_assessment_recorded,),
        # Issue 18 point 5: grants and emergency access given under the old access end.
        AccessWithdrawn: (unmasking.end_grants, breakglass.end_uses),
    }
