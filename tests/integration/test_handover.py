"""The handover's rules on letters (portal.home.handover): a letter returned to its drafter to be
redrafted is the drafter's work and moves to the colleague named; a drafted letter waits for a
checker (never its author), so it is nobody's work to hand over and stays as it is."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.models import Deactivation, DeactivationReason
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.home import handover
from portal.home.handover_repository import work_held
from portal.vlu.states import State
from tests.integration.test_sealed_free_text import _draft, _world
from tests.support.factories import make_user


def test_a_letter_to_redraft_moves_with_its_drafter_and_a_drafted_one_stays(db, settings) -> None:
    w = _world(db, settings)
    drafter, checker = w["drafter"], w["checker"]
    _draft(db, w, "Dear Ms Victim,\n\nWe have decided to stop the case.")
    db.flush()
    assert w["request"].state == State.DRAFTED.value
    assert work_held(db, drafter.id, drafter.role).letters == 0  # waits for a checker
    w["request"].state = State.NEEDS_REDRAFT.value  # the checker returned it for changes
    db.flush()
    held = work_held(db, drafter.id, drafter.role)
    assert (held.letters, held.cases, held.actions) == (1, [], 0)

    admin = make_user(db, role=Role.ADMIN, area=None, unit=None)
    unit = Unit(db, Actor(admin.id, Role.ADMIN), lambda: w["vault"])
    page = handover.deactivation_page(unit, drafter.id)
    assert checker.id in {c.id for c in page.colleagues}
    record = handover.deactivate(
        unit,
        drafter.id,
        reason=DeactivationReason.MOVED,
        detail="",
        handed_to=checker.id,
        confirmed=True,
    )
    db.flush()
    db.refresh(w["request"])
    assert w["request"].drafted_by_id == checker.id
    assert (record.letters_moved, record.cases_moved, record.actions_moved) == (1, 0, 0)
    assert db.scalars(select(Deactivation)).one().handed_to_id == checker.id
    assert not db.get(type(drafter), drafter.id).is_active
