"""Break-glass rules that need no database: the fresh-factor gate, the reasons, the scope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy.dialects import sqlite

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.breakglass.live import BreakGlass, LiveUse
from portal.breakglass.models import Outcome, Reason
from portal.breakglass.stepup_gate import FRESH_MINUTES, fresh_factor
from portal.cases.access import visible_cases

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def _session(proved: datetime | None, *, signed_in: bool = True) -> Any:
    # signed in long before: only the last second-factor proof counts
    session = SimpleNamespace(
        created_at=NOW - timedelta(hours=1), factor_at=proved, signed_in=signed_in
    )
    return cast(Any, SimpleNamespace(session=session))


def test_a_password_only_session_or_one_without_a_proof_is_refused() -> None:
    assert not fresh_factor(_session(NOW, signed_in=False), NOW)
    assert not fresh_factor(_session(None), NOW)


def test_a_factor_proof_older_than_five_minutes_is_refused() -> None:
    assert FRESH_MINUTES == 5
    assert not fresh_factor(_session(NOW - timedelta(minutes=5, seconds=1)), NOW)
    assert not fresh_factor(_session(NOW - timedelta(hours=3)), NOW)
    assert not fresh_factor(None, NOW)
    assert not fresh_factor(_session(NOW + timedelta(minutes=1)), NOW)  # a clock gone wrong


def test_a_factor_proof_within_five_minutes_passes() -> None:
    assert fresh_factor(_session(NOW), NOW)
    assert fresh_factor(_session(NOW - timedelta(minutes=5)), NOW)


def test_the_reasons_are_a_labelled_list_ending_with_other() -> None:
    values = [value for value, _ in Reason.choices()]
    assert values[-1] == "other" and len(values) == len(set(values)) >= 4
    assert all(label and label != value for value, label in Reason.choices())
    assert [o.value for o in Outcome] == ["justified", "not_justified"]


def _where(actor: Actor) -> str:
    clause = visible_cases(actor).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(clause)


def test_a_live_use_widens_the_scope_by_its_cases_only() -> None:
    user, case_id = uuid.uuid4(), uuid.uuid4()
    plain = Actor(user, Role.WITNESS_CARE_OFFICER, "london-north", "ccu")
    opened = Actor(user, Role.WITNESS_CARE_OFFICER, "london-north", "ccu", frozenset({case_id}))
    assert case_id.hex not in _where(plain)
    assert case_id.hex in _where(opened)
    assert _where(plain) in _where(opened)
    nobody = Actor(user, Role.ADMIN, emergency_cases=frozenset())
    assert _where(nobody) == _where(Actor(user, Role.ADMIN))


def test_the_banner_knows_the_cases_of_the_live_uses() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    uses = tuple(
        LiveUse(uuid.uuid4(), case_id, "01AB1234526", "Other", NOW) for case_id in (first, second)
    )
    assert BreakGlass(uses).case_ids == {first, second}
    assert not BreakGlass() and BreakGlass(uses)
