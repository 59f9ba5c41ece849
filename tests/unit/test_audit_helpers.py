"""The positional audit helpers write the same entries as ``audit.record`` spelled out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit


@dataclass(frozen=True)
class Someone:
    id: uuid.UUID
    reference: str


def _entry(db: Session) -> dict[str, object]:
    entry = audit.take_pending(db)[-1]
    return {k: v for k, v in entry.items() if k != "at"}


def test_record_in_case_consulted_and_disclosed_match_record() -> None:
    db = Session()
    actor = Actor(uuid.uuid4(), Role.PROSECUTOR)
    case_id, row_id = uuid.uuid4(), uuid.uuid4()
    person = Someone(uuid.uuid4(), "P-000001")
    pairs = [
        (
            lambda: audit.record_in_case(
                db, actor, "alteration", "event.correct", ("case_event", row_id, case_id), "b", "a"
            ),
            lambda: audit.record(
                db,
                actor=actor,
                category="alteration",
                action="event.correct",
                object_type="case_event",
                object_id=row_id,
                case_id=case_id,
                fields=("a", "b"),
            ),
        ),
        (
            lambda: audit.record_in_case(
                db, actor, "consultation", "x.view", ("x", row_id, case_id), person=person
            ),
            lambda: audit.record_about(
                db,
                actor=actor,
                category="consultation",
                action="x.view",
                object_type="x",
                object_id=row_id,
                case_id=case_id,
                person=person,
            ),
        ),
        (
            lambda: audit.consulted(db, actor, "case.search", "search", "urn"),
            lambda: audit.record(
                db,
                actor=actor,
                category="consultation",
                action="case.search",
                object_type="search",
                fields=["urn"],
            ),
        ),
        (
            lambda: audit.disclosed_to_actor(db, actor, "audit.export", "audit_log", "q"),
            lambda: audit.record(
                db,
                actor=actor,
                category="disclosure",
                action="audit.export",
                object_type="audit_log",
                fields=["q"],
                recipient=f"user:{actor.user_id}",
            ),
        ),
    ]
    for short, spelled_out in pairs:
        short()
        got = _entry(db)
        spelled_out()
        assert got == _entry(db)
    assert audit.pending(db) == []
