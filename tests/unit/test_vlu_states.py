"""The VLU workflow: every action from every state by every role, and the guards."""

from __future__ import annotations

import uuid

import pytest

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.vlu import states
from portal.vlu.states import (
    Action,
    Facts,
    GuardRefused,
    Outcome,
    RoleRefused,
    State,
    TransitionRefused,
    check_outcome,
)


def check(action: Action, source: State | None, role: Role, facts: Facts | None = None) -> State:
    """The machine asked for a user of ``role`` (it takes the services' ``Actor``)."""
    return states.check(action, source, Actor(uuid.uuid4(), role), facts)


def actions_for(source: State | None, role: Role, facts: Facts | None = None) -> list[Action]:
    return states.actions_for(source, Actor(uuid.uuid4(), role), facts)


S = State
VLU = {Role.VLU_OFFICER}
# Written out independently of portal.vlu.states: (from states, to state, roles).
EXPECTED: dict[Action, tuple[set[State], State, set[Role]]] = {
    Action.SUPPLY_REASONS: ({S.REQUESTED}, S.REASONS_SUPPLIED, {Role.PROSECUTOR}),
    Action.DRAFT: ({S.REASONS_SUPPLIED, S.DRAFTED, S.NEEDS_REDRAFT, S.CHECKED}, S.DRAFTED, VLU),
    Action.APPROVE: ({S.DRAFTED}, S.CHECKED, VLU),
    Action.RETURN: ({S.DRAFTED}, S.NEEDS_REDRAFT, VLU),
    # Sealing an identity (a prosecutor seeks an anonymity order) returns a letter naming them.
    Action.IDENTITY_SEALED: ({S.DRAFTED, S.CHECKED}, S.NEEDS_REDRAFT, {Role.PROSECUTOR}),
    # Changing the reasons before any letter is sent returns the letters drafted from them.
    Action.REASONS_CHANGED: ({S.DRAFTED, S.CHECKED}, S.NEEDS_REDRAFT, {Role.PROSECUTOR}),
    Action.SEND: ({S.DRAFTED, S.CHECKED}, S.SENT, VLU),
    Action.RECORD_REVIEW_REQUEST: ({S.SENT}, S.REVIEW_REQUESTED, VLU),
    Action.START_LOCAL_RESOLUTION: (
        {S.REVIEW_REQUESTED},
        S.LOCAL_RESOLUTION,
        {Role.VLU_OFFICER, Role.PROSECUTOR},
    ),
    Action.RECORD_OUTCOME: (
        {S.LOCAL_RESOLUTION},
        S.LOCAL_DECIDED,
        {Role.VLU_OFFICER, Role.PROSECUTOR},
    ),
    Action.SEND_LOCAL_LETTER: ({S.LOCAL_DECIDED}, S.LOCAL_LETTER_SENT, VLU),
    # "Referred for independent review" is a stage with its own steps, not a conclusion.
    Action.REFER_INDEPENDENT: ({S.LOCAL_LETTER_SENT}, S.INDEPENDENT_REVIEW, VLU),
    Action.CONCLUDE_REVIEW: (
        {S.LOCAL_LETTER_SENT},
        S.CONCLUDED,
        {Role.VLU_OFFICER, Role.PROSECUTOR},
    ),
    Action.RECORD_INDEPENDENT_OUTCOME: (
        {S.INDEPENDENT_REVIEW},
        S.INDEPENDENT_DECIDED,
        {Role.VLU_OFFICER, Role.PROSECUTOR},
    ),
    Action.SEND_INDEPENDENT_LETTER: ({S.INDEPENDENT_DECIDED}, S.CONCLUDED, VLU),
}
# Facts under which no guard gets in the way, so only state and role decide.
PERMISSIVE = Facts(
    check_required=False,
    vrr_applies=True,
    actor_drafted=False,
    local_upheld=True,
    actor_reviews=True,
)
SOURCES: list[State | None] = [None, *State]


def test_the_table_covers_every_action() -> None:
    assert set(EXPECTED) == set(Action) - {Action.CREATE}


@pytest.mark.parametrize("action", list(EXPECTED), ids=lambda a: a.value)
def test_every_transition_by_every_role_from_every_state(action: Action) -> None:
    sources, target, roles = EXPECTED[action]
    checked = 0
    for role in Role:
        for source in SOURCES:
            if role not in roles:
                with pytest.raises(RoleRefused):
                    check(action, source, role, PERMISSIVE)
            elif source not in sources:
                with pytest.raises(TransitionRefused):
                    check(action, source, role, PERMISSIVE)
            else:
                assert check(action, source, role, PERMISSIVE) is target
            checked += 1
    assert checked == len(Role) * len(SOURCES)


def test_requests_are_created_only_by_decisions_recorded_by_the_case_team() -> None:
    for role in (Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER):
        assert check(Action.CREATE, None, role) is S.REQUESTED
    for role in (Role.VLU_OFFICER, Role.AUDITOR, Role.ADMIN):
        with pytest.raises(RoleRefused):
            check(Action.CREATE, None, role)
    with pytest.raises(TransitionRefused):
        check(Action.CREATE, S.REQUESTED, Role.PROSECUTOR)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN])
def test_the_drafter_cannot_check_their_own_letter(action: Action) -> None:
    with pytest.raises(GuardRefused, match="different"):
        check(action, S.DRAFTED, Role.VLU_OFFICER, Facts(actor_drafted=True))
    assert check(action, S.DRAFTED, Role.VLU_OFFICER, Facts(actor_drafted=False))


def test_a_letter_that_needs_a_check_cannot_be_sent_unchecked() -> None:
    with pytest.raises(GuardRefused, match="check"):
        check(Action.SEND, S.DRAFTED, Role.VLU_OFFICER, Facts(check_required=True))
    assert check(Action.SEND, S.CHECKED, Role.VLU_OFFICER, Facts(check_required=True)) is S.SENT
    # The unit can make the second check optional (never for RASSO: check_required is then set).
    assert check(Action.SEND, S.DRAFTED, Role.VLU_OFFICER, Facts(check_required=False)) is S.SENT


def test_a_review_request_needs_a_decision_that_ended_all_proceedings() -> None:
    with pytest.raises(GuardRefused, match="Right to Review"):
        check(Action.RECORD_REVIEW_REQUEST, S.SENT, Role.VLU_OFFICER, Facts(vrr_applies=False))
    assert (
        check(Action.RECORD_REVIEW_REQUEST, S.SENT, Role.VLU_OFFICER, Facts(vrr_applies=True))
        is S.REVIEW_REQUESTED
    )


def test_proceedings_cannot_be_reinstated_after_offering_no_evidence() -> None:
    for action in (Action.RECORD_OUTCOME, Action.RECORD_INDEPENDENT_OUTCOME):
        with pytest.raises(GuardRefused, match="cannot be reinstated"):
            check_outcome(Outcome.OVERTURNED, "offer_no_evidence", action)
        check_outcome(Outcome.OVERTURNED, "discontinuance", action)
        check_outcome(Outcome.NOT_REINSTATED, "offer_no_evidence", action)
        check_outcome(Outcome.UPHELD, "offer_no_evidence", action)


def test_an_independent_review_follows_only_a_local_resolution_that_upheld_the_decision() -> None:
    with pytest.raises(GuardRefused, match="upheld"):
        check(Action.REFER_INDEPENDENT, S.LOCAL_LETTER_SENT, Role.VLU_OFFICER, Facts())
    assert (
        check(Action.REFER_INDEPENDENT, S.LOCAL_LETTER_SENT, Role.VLU_OFFICER, PERMISSIVE)
        is S.INDEPENDENT_REVIEW
    )


@pytest.mark.parametrize("action", [Action.RECORD_OUTCOME, Action.RECORD_INDEPENDENT_OUTCOME])
def test_only_the_named_reviewer_or_the_vlu_records_the_outcome(action: Action) -> None:
    source = S.LOCAL_RESOLUTION if action is Action.RECORD_OUTCOME else S.INDEPENDENT_REVIEW
    with pytest.raises(GuardRefused, match="named as the reviewer"):
        check(action, source, Role.PROSECUTOR, Facts(actor_reviews=False))
    assert check(action, source, Role.PROSECUTOR, Facts(actor_reviews=True))
    assert check(action, source, Role.VLU_OFFICER, Facts(actor_reviews=False))


def test_review_stages_are_refused_out_of_order() -> None:
    for action, source in (
        (Action.START_LOCAL_RESOLUTION, S.SENT),
        (Action.RECORD_OUTCOME, S.REVIEW_REQUESTED),
        (Action.SEND_LOCAL_LETTER, S.LOCAL_RESOLUTION),
        (Action.REFER_INDEPENDENT, S.LOCAL_DECIDED),
        (Action.RECORD_INDEPENDENT_OUTCOME, S.LOCAL_LETTER_SENT),
        (Action.SEND_INDEPENDENT_LETTER, S.INDEPENDENT_REVIEW),
        (Action.REFER_INDEPENDENT, S.CONCLUDED),
    ):
        with pytest.raises(TransitionRefused):
            check(action, source, Role.VLU_OFFICER, PERMISSIVE)


def test_actions_offered_on_the_page() -> None:
    facts = Facts(check_required=True, vrr_applies=True)
    assert actions_for(S.DRAFTED, Role.VLU_OFFICER, facts) == [
        Action.DRAFT,
        Action.APPROVE,
        Action.RETURN,
    ]
    mine = Facts(check_required=True, vrr_applies=True, actor_drafted=True)
    assert actions_for(S.DRAFTED, Role.VLU_OFFICER, mine) == [Action.DRAFT]
    assert actions_for(S.REQUESTED, Role.PROSECUTOR, facts) == [Action.SUPPLY_REASONS]
    assert actions_for(S.CHECKED, Role.VLU_OFFICER, facts) == [Action.DRAFT, Action.SEND]
    # A letter returned because an identity was sealed can only be redrafted.
    assert actions_for(S.NEEDS_REDRAFT, Role.VLU_OFFICER, facts) == [Action.DRAFT]
    assert actions_for(S.DRAFTED, Role.PROSECUTOR, facts) == []
    for state in SOURCES:
        assert actions_for(state, Role.WITNESS_CARE_OFFICER, facts) == []
        assert actions_for(state, Role.AUDITOR, facts) == []
        assert actions_for(state, Role.ADMIN, facts) == []


def test_every_state_and_action_has_a_label() -> None:
    assert {s.label for s in State} and all(s.label for s in State)
    assert all(a.label for a in Action)
    assert all(o.label for o in Outcome)
    assert {
        S.REQUESTED,
        S.REASONS_SUPPLIED,
        S.DRAFTED,
        S.NEEDS_REDRAFT,
        S.CHECKED,
    } == states.UNSENT
