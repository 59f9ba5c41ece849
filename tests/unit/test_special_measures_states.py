"""The special measures state machine: every allowed transition, and every other one refused."""

from __future__ import annotations

import uuid

import pytest

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.errors import NotPermitted
from portal.special_measures.states import (
    TRANSITIONS,
    Action,
    Outcome,
    RoleRefused,
    State,
    TransitionRefused,
    actions_for,
    check,
    direction_in_force,
    may,
)

A, S, R, OC = Action, State, Role, Outcome
DIRECTIONS = (OC.GRANTED, OC.GRANTED_IN_PART)

# Written out by hand (not derived from TRANSITIONS), so a change to the machine fails here.
# (action, from state, role, court outcome) -> new state
ALLOWED: dict[tuple[Action, State | None, Role, Outcome | None], State] = {
    (A.IDENTIFY, None, R.WITNESS_CARE_OFFICER, None): S.IDENTIFIED,
    (A.REQUEST, S.IDENTIFIED, R.WITNESS_CARE_OFFICER, None): S.REQUESTED,
    (A.DRAFT, S.IDENTIFIED, R.PROSECUTOR, None): S.DRAFTED,
    (A.DRAFT, S.REQUESTED, R.PROSECUTOR, None): S.DRAFTED,
    (A.SERVE, S.DRAFTED, R.PROSECUTOR, None): S.SERVED,
    (A.DECIDE, S.SERVED, R.PROSECUTOR, None): S.DECIDED,
    **{(A.VARY, S.DECIDED, R.PROSECUTOR, o): S.VARIED for o in DIRECTIONS},
    **{(A.VARY, S.VARIED, R.PROSECUTOR, o): S.VARIED for o in DIRECTIONS},
    **{(A.DISCHARGE, S.DECIDED, R.PROSECUTOR, o): S.DISCHARGED for o in DIRECTIONS},
    **{(A.DISCHARGE, S.VARIED, R.PROSECUTOR, o): S.DISCHARGED for o in DIRECTIONS},
}
ROLE_OF = {
    A.IDENTIFY: {R.WITNESS_CARE_OFFICER},
    A.REQUEST: {R.WITNESS_CARE_OFFICER},
    A.DRAFT: {R.PROSECUTOR},
    A.SERVE: {R.PROSECUTOR},
    A.DECIDE: {R.PROSECUTOR},
    A.VARY: {R.PROSECUTOR},
    A.DISCHARGE: {R.PROSECUTOR},
}


def who(role: Role) -> Actor:
    """A user of ``role`` (the machine asks the actor for its permissions)."""
    return Actor(uuid.uuid4(), role)


STATES: list[State | None] = [None, *State]
OUTCOMES: list[Outcome | None] = [None, *Outcome]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value if s else "new")
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_transition_by_every_role(action: Action, state: State | None, role: Role) -> None:
    for outcome in OUTCOMES:
        expected = ALLOWED.get((action, state, role, outcome))
        if expected is None and action not in (A.VARY, A.DISCHARGE):
            expected = ALLOWED.get((action, state, role, None))
        if expected is not None:
            assert check(action, state, who(role), outcome=outcome) is expected
        elif role not in ROLE_OF[action]:
            with pytest.raises(RoleRefused):
                check(action, state, who(role), outcome=outcome)
        else:
            with pytest.raises(TransitionRefused):
                check(action, state, who(role), outcome=outcome)


def test_the_allowed_table_covers_the_machine() -> None:
    assert set(TRANSITIONS) == set(Action)
    for action, transition in TRANSITIONS.items():
        assert transition.roles == frozenset(ROLE_OF[action])


def test_only_prosecutors_draft_serve_decide_vary_and_discharge() -> None:
    for action in (A.DRAFT, A.SERVE, A.DECIDE, A.VARY, A.DISCHARGE):
        assert may(action, who(R.PROSECUTOR))
        for role in set(Role) - {R.PROSECUTOR}:
            assert not may(action, who(role)), (action, role)


def test_witness_care_officers_identify_and_request() -> None:
    for action in (A.IDENTIFY, A.REQUEST):
        assert may(action, who(R.WITNESS_CARE_OFFICER))
        assert not may(action, who(R.PROSECUTOR))


def test_auditors_and_others_can_do_nothing() -> None:
    for role in (R.AUDITOR, R.VLU_OFFICER, R.ADMIN):
        for state in STATES:
            for outcome in OUTCOMES:
                assert actions_for(state, who(role), outcome=outcome) == []


def test_a_refused_role_is_a_permission_error_and_says_who() -> None:
    with pytest.raises(NotPermitted) as caught:
        check(A.SERVE, S.DRAFTED, who(R.WITNESS_CARE_OFFICER))
    assert isinstance(caught.value, RoleRefused)
    assert "witness_care_officer may not serve" in str(caught.value)


def test_a_refused_transition_names_the_action_and_state() -> None:
    with pytest.raises(TransitionRefused) as caught:
        check(A.SERVE, S.IDENTIFIED, who(R.PROSECUTOR))
    assert caught.value.action is A.SERVE
    assert caught.value.state is S.IDENTIFIED
    assert not isinstance(caught.value, NotPermitted)


def test_a_refusal_cannot_be_varied_or_discharged() -> None:
    for action in (A.VARY, A.DISCHARGE):
        with pytest.raises(TransitionRefused):
            check(action, S.DECIDED, who(R.PROSECUTOR), outcome=OC.REFUSED)


def test_discharged_is_final() -> None:
    for action in Action:
        for role in Role:
            for outcome in OUTCOMES:
                with pytest.raises((TransitionRefused, RoleRefused)):
                    check(action, S.DISCHARGED, who(role), outcome=outcome)


def test_next_actions_for_the_page() -> None:
    assert actions_for(S.IDENTIFIED, who(R.WITNESS_CARE_OFFICER)) == [A.REQUEST]
    assert actions_for(S.IDENTIFIED, who(R.PROSECUTOR)) == [A.DRAFT]
    assert actions_for(S.REQUESTED, who(R.WITNESS_CARE_OFFICER)) == []
    assert actions_for(S.DECIDED, who(R.PROSECUTOR), outcome=OC.GRANTED) == [A.VARY, A.DISCHARGE]
    assert actions_for(S.DECIDED, who(R.PROSECUTOR), outcome=OC.REFUSED) == []
    assert actions_for(None, who(R.WITNESS_CARE_OFFICER)) == [A.IDENTIFY]


def test_a_direction_is_in_force_where_a_prosecutor_could_vary_it() -> None:
    for state in State:
        for outcome in OUTCOMES:
            offered = A.VARY in actions_for(state, who(R.PROSECUTOR), outcome=outcome)
            assert direction_in_force(state, outcome) is offered, (state, outcome)
