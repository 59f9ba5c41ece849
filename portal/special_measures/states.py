"""The application's life, as data: which action moves it from which state to which, and who
may take it. Anything not listed is refused with a domain error.

    identified -> requested -> drafted -> served -> decided -> varied -> discharged
         \\________________________/                  \\___________________/

* witness care officers identify a witness's need (from their needs assessment or the police
  MG2 assessment) and request an application from the prosecutor;
* only prosecutors draft, serve, record the court's decision (granted, refused or granted in
  part) and record a variation or discharge of a direction (YJCEA s20);
* auditors (and everyone else) read only.

A prosecutor may draft straight from ``identified`` (no request needed). Editing a draft is not
a transition. Only a direction (granted or granted in part) can be varied or discharged; after a
refusal a new application is made, saying what has changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.accounts.roles import Role
from portal.cases.errors import CaseError, NotPermitted


class State(StrEnum):
    IDENTIFIED = "identified"
    REQUESTED = "requested"
    DRAFTED = "drafted"
    SERVED = "served"
    DECIDED = "decided"
    VARIED = "varied"
    DISCHARGED = "discharged"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.IDENTIFIED: "Identified",
    State.REQUESTED: "Requested of the prosecutor",
    State.DRAFTED: "Drafted",
    State.SERVED: "Served",
    State.DECIDED: "Decided by the court",
    State.VARIED: "Varied by the court",
    State.DISCHARGED: "Discharged by the court",
}


class Outcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    GRANTED_IN_PART = "granted_in_part"

    @property
    def label(self) -> str:
        return {
            "granted": "Granted",
            "refused": "Refused",
            "granted_in_part": "Granted in part",
        }[self.value]


class Action(StrEnum):
    IDENTIFY = "identify"
    REQUEST = "request"
    DRAFT = "draft"
    SERVE = "serve"
    DECIDE = "decide"
    VARY = "vary"
    DISCHARGE = "discharge"


# States in which a direction is in force (so it can be varied or discharged).
DIRECTION_OUTCOMES = frozenset({Outcome.GRANTED, Outcome.GRANTED_IN_PART})
# Before service: the deadline still matters.
PENDING = frozenset({State.IDENTIFIED, State.REQUESTED, State.DRAFTED})
OPEN = PENDING | {State.SERVED}

WCO = frozenset({Role.WITNESS_CARE_OFFICER})
PROSECUTOR = frozenset({Role.PROSECUTOR})


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    sources: frozenset[State | None]
    target: State
    roles: frozenset[Role]
    needs_direction: bool = False  # only from a decision that granted something


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.IDENTIFY, frozenset({None}), State.IDENTIFIED, WCO),
        Transition(Action.REQUEST, frozenset({State.IDENTIFIED}), State.REQUESTED, WCO),
        Transition(
            Action.DRAFT, frozenset({State.IDENTIFIED, State.REQUESTED}), State.DRAFTED, PROSECUTOR
        ),
        Transition(Action.SERVE, frozenset({State.DRAFTED}), State.SERVED, PROSECUTOR),
        Transition(Action.DECIDE, frozenset({State.SERVED}), State.DECIDED, PROSECUTOR),
        Transition(
            Action.VARY,
            frozenset({State.DECIDED, State.VARIED}),
            State.VARIED,
            PROSECUTOR,
            needs_direction=True,
        ),
        Transition(
            Action.DISCHARGE,
            frozenset({State.DECIDED, State.VARIED}),
            State.DISCHARGED,
            PROSECUTOR,
            needs_direction=True,
        ),
    )
}


class TransitionRefused(CaseError):
    """The action is not possible from the application's current state."""

    def __init__(self, action: Action, state: State | None) -> None:
        super().__init__(f"cannot {action.value} an application that is {state or 'new'}")
        self.action = action
        self.state = state


class RoleRefused(NotPermitted):
    """The actor's role may not take this action (answers 403)."""

    def __init__(self, action: Action, role: Role) -> None:
        super().__init__(f"{role.value} may not {action.value} a special measures application")
        self.action = action
        self.role = role


def may(action: Action, role: Role) -> bool:
    return role in TRANSITIONS[action].roles


def check(
    action: Action, current: State | None, role: Role, *, outcome: Outcome | None = None
) -> State:
    """The state ``action`` leads to, or a domain error if ``role`` may not take it from
    ``current`` (``outcome`` is the court's decision, for variation and discharge)."""
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise RoleRefused(action, role)
    if current not in transition.sources:
        raise TransitionRefused(action, current)
    if transition.needs_direction and outcome not in DIRECTION_OUTCOMES:
        raise TransitionRefused(action, current)
    return transition.target


def actions_for(
    current: State | None, role: Role, *, outcome: Outcome | None = None
) -> list[Action]:
    """What ``role`` could do next (for the page's buttons)."""
    possible = []
    for action in TRANSITIONS:
        try:
            check(action, current, role, outcome=outcome)
        except (TransitionRefused, RoleRefused):
            continue
        possible.append(action)
    return possible
