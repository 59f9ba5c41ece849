"""D3 (issue 14 point 6): the exact-name lookup searches its blind index, it never scans people;
nor does the lookup of a single name or a sound-alike (issue 15 point 8), through the name-word
index (``search.repository.visible_people_by_name_words``).

The statement ``portal.people.finding`` sends (through ``cases.repository.visible_people_by_index``)
is captured from the engine and explained as sent, for every role's case scope. On PostgreSQL the
test database is nearly empty, so sequential scans are switched off for the EXPLAIN: the plan
then proves the index exists and serves the predicate (the planner's choice on real data is
bench.data's D3 guard, index against no index).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases import repository as cases_repo
from portal.search import repository as search_repo

ACTORS = [
    Actor(uuid.uuid4(), Role.WITNESS_CARE_OFFICER, "Area", "Unit"),
    Actor(uuid.uuid4(), Role.PROSECUTOR),
    Actor(uuid.uuid4(), Role.VLU_OFFICER, "Area"),
    Actor(uuid.uuid4(), Role.AUDITOR),
]


def _sent(engine: Engine, marks: tuple[str, ...], lookup: Callable[[], object]) -> tuple[str, Any]:
    """The one statement ``lookup`` sends that names one of ``marks``."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if any(mark in statement for mark in marks):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        lookup()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(captured) == 1
    return captured[0]


def _plan(engine: Engine, db: Any, statement: str, parameters: Any) -> list[str]:
    """The plan's steps; none may scan a table."""
    connection = db.connection()
    if engine.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        plan = [str(row[-1]) for row in rows]
        assert not any(step.startswith("SCAN") for step in plan), plan
        return plan
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    plan = [str(row[0]) for row in rows]
    assert not any("Seq Scan" in step for step in plan), plan
    return plan


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.role.value)
@pytest.mark.parametrize(
    "indexes",
    [{"name_index": 1234}, {"dob_index": 56}, {"name_index": 1234, "dob_index": 56}],
    ids=["name", "dob", "both"],
)
def test_the_lookup_searches_an_index(engine: Engine, db: Any, actor: Actor, indexes: Any) -> None:
    statement, parameters = _sent(
        engine,
        ("name_index", "dob_index"),
        lambda: cases_repo.visible_people_by_index(db, actor, **indexes),
    )
    plan = _plan(engine, db, statement, parameters)
    # With both, either index narrows the search (the planner picks one).
    wanted = "ix_person_" + ("" if len(indexes) > 1 else next(iter(indexes)))
    if engine.dialect.name == "sqlite":
        assert any(f"SEARCH person USING INDEX {wanted}" in step for step in plan), plan
    else:
        # A narrow case scope may drive the join from case_party instead; either way person is
        # reached through an index (its blind index, or its key from the scoped parties).
        assert any(
            wanted in step or ("Index" in step and " on person " in f"{step} ") for step in plan
        ), plan


# --- single names and sound-alikes (issue 15 point 8) ------------------------------------------


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.role.value)
@pytest.mark.parametrize(
    ("words", "indexes"),
    [([(11, 12)], {}), ([(11, 12), (13,)], {}), ([(11, 12)], {"dob_index": 56})],
    ids=["one-name", "two-names", "name-and-dob"],
)
def test_the_name_word_lookup_searches_its_index(
    engine: Engine, db: Any, actor: Actor, words: Any, indexes: Any
) -> None:
    """Each word typed is a lookup on ix_person_name_word_value_index; nothing is scanned."""
    statement, parameters = _sent(
        engine,
        ("person_name_word",),
        lambda: search_repo.visible_people_by_name_words(db, actor, words, **indexes),
    )
    plan = _plan(engine, db, statement, parameters)
    wanted = "ix_person_name_word_value_index"
    if engine.dialect.name == "sqlite":
        assert any(f"person_name_word USING COVERING INDEX {wanted}" in s for s in plan), plan
    else:
        # As above, a narrow case scope may drive the join and probe each visible person's words
        # by person id; either way the words are reached through an index, never scanned.
        assert any(
            wanted in step or ("Index" in step and " on person_name_word " in f"{step} ")
            for step in plan
        ), plan
