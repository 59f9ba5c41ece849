"""The application's life, as data (portal.kit.states): which action moves it from which state
to which, and who may take it. Anything not listed is refused with a domain error.

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

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission, roles_with
from portal.kit import errors
from portal.kit.enums import LabelledStrEnum
from portal.kit.states import Guard, Machine, Step, Transition

RoleRefused = errors.ActionNotPermitted
TransitionRefused = errors.TransitionRefused


class State(LabelledStrEnum):
    IDENTIFIED = "identified", "Identified"
    REQUESTED = "requested", "Requested of the prosecutor"
    DRAFTED = "drafted", "Drafted"
    SERVED = "served", "Served"
    DECIDED = "decided", "Decided by the court"
    VARIED = "varied", "Varied by the court"
    DISCHARGED = "discharged", "Discharged by the court"


class Outcome(LabelledStrEnum):
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    GRANTED_IN_PART = "granted_in_part", "Granted in part"


class Action(LabelledStrEnum):
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


@dataclass(frozen=True, slots=True)
class Facts:
    outcome: Outcome | None = None  # the court's decision, for variation and discharge


SmStep = Step[State, Action, Actor, Facts]
SmTransition = Transition[State, Action, Permission, Actor, Facts]


def _direction_in_force(step: SmStep) -> bool:
    return step.facts.outcome in DIRECTION_OUTCOMES


NEEDS_DIRECTION = Guard[State, Action, Actor, Facts](
    "Only a direction the court granted can be varied or discharged", _direction_in_force
)
DECIDED_OR_VARIED = frozenset({State.DECIDED, State.VARIED})

MACHINE = Machine(
    "a special measures application",
    [
        SmTransition(
            Action.IDENTIFY, {None}, State.IDENTIFIED, Permission.IDENTIFY_SPECIAL_MEASURES_NEED
        ),
        SmTransition(
            Action.REQUEST, {State.IDENTIFIED}, State.REQUESTED, Permission.REQUEST_SPECIAL_MEASURES
        ),
        SmTransition(
            Action.DRAFT,
            {State.IDENTIFIED, State.REQUESTED},
            State.DRAFTED,
            Permission.DRAFT_SPECIAL_MEASURES,
        ),
        SmTransition(
            Action.SERVE, {State.DRAFTED}, State.SERVED, Permission.SERVE_SPECIAL_MEASURES
        ),
        SmTransition(
            Action.DECIDE,
            {State.SERVED},
            State.DECIDED,
            Permission.RECORD_SPECIAL_MEASURES_DECISION,
        ),
        SmTransition(
            Action.VARY,
            DECIDED_OR_VARIED,
            State.VARIED,
            Permission.RECORD_SPECIAL_MEASURES_DECISION,
            guards=(NEEDS_DIRECTION,),
        ),
        SmTransition(
            Action.DISCHARGE,
            DECIDED_OR_VARIED,
            State.DISCHARGED,
            Permission.RECORD_SPECIAL_MEASURES_DECISION,
            guards=(NEEDS_DIRECTION,),
        ),
    ],
    authorise=Actor.can,
    facts=Facts(),
    holders=roles_with,
)
TRANSITIONS = MACHINE.transitions


may = MACHINE.may


def direction_in_force(current: State, outcome: Outcome | None) -> bool:
    """Whether the court's direction stands, so that it can be varied or discharged (whoever
    would do it)."""
    return current in MACHINE.transitions[Action.VARY].sources and outcome in DIRECTION_OUTCOMES


def check(
    action: Action, current: State | None, actor: Actor, *, outcome: Outcome | None = None
) -> State:
    """The state ``action`` leads to, or a domain error if ``actor`` may not take it from
    ``current`` (``outcome`` is the court's decision, for variation and discharge). A refusal
    names the actor's role; a variation of a refusal is refused as a transition, as the court's
    decision left nothing to vary."""
    try:
        return MACHINE.check(action, current, actor, Facts(outcome))
    except errors.ActionNotPermitted:
        raise RoleRefused(action, actor.role, MACHINE.subject) from None
    except errors.GuardRefused:
        raise TransitionRefused(action, current, MACHINE.subject) from None


def actions_for(
    current: State | None, actor: Actor, *, outcome: Outcome | None = None
) -> list[Action]:
    """What ``actor`` could do next (for the page's buttons)."""
    return MACHINE.allowed(current, actor, Facts(outcome))
