"""A communication request's life, as data: which action moves it from which state to which,
who may take it and on what condition. Anything not listed is refused with a domain error.

    requested -> reasons_supplied -> drafted -> checked -> sent -> review_requested
                                        ^  |________________^          |
                                        |  (no check needed)     local_resolution -> concluded
                                        |_ redraft (voids a check)
                                        |
                     needs_redraft <---- (an identity in the case is sealed while the
                                          letter names that person: drafted or checked)

* prosecutors supply the reasons for the decision (the VLU cannot send without them);
* VLU officers draft, check, send and record what follows; the check must be made by a
  *different* VLU officer from the one who drafted the letter, and is required for every letter
  in a rape or serious sexual offence case and, where the unit says so, for every letter;
* a Victims' Right to Review request can only be recorded when the decision ended all
  proceedings; prosecutors and VLU officers record the local resolution and its outcome;
* when a person's identity is sealed (an anonymity order is sought), an unsent letter that names
  them is returned: it needs redrafting, and cannot be checked, sent or printed until it is;
* witness care officers and auditors take no step (witness care officers can still post in the
  request's conversation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.accounts.roles import Role
from portal.cases.errors import CaseError, NotPermitted


class State(StrEnum):
    REQUESTED = "requested"
    REASONS_SUPPLIED = "reasons_supplied"
    DRAFTED = "drafted"
    NEEDS_REDRAFT = "needs_redraft"
    CHECKED = "checked"
    SENT = "sent"
    REVIEW_REQUESTED = "review_requested"
    LOCAL_RESOLUTION = "local_resolution"
    CONCLUDED = "concluded"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.REQUESTED: "Waiting for reasons",
    State.REASONS_SUPPLIED: "Ready to draft",
    State.DRAFTED: "Drafted",
    State.NEEDS_REDRAFT: "Needs redrafting",
    State.CHECKED: "Checked: ready to send",
    State.SENT: "Sent",
    State.REVIEW_REQUESTED: "Review requested",
    State.LOCAL_RESOLUTION: "In local resolution",
    State.CONCLUDED: "Review concluded",
}

# Before the letter is sent: the Victims' Code deadline still matters and may escalate.
UNSENT = frozenset(
    {State.REQUESTED, State.REASONS_SUPPLIED, State.DRAFTED, State.NEEDS_REDRAFT, State.CHECKED}
)


class Action(StrEnum):
    CREATE = "create"
    SUPPLY_REASONS = "supply_reasons"
    DRAFT = "draft"
    APPROVE = "approve"
    RETURN = "return"
    IDENTITY_SEALED = "identity_sealed"
    SEND = "send"
    RECORD_REVIEW_REQUEST = "record_review_request"
    START_LOCAL_RESOLUTION = "start_local_resolution"
    RECORD_OUTCOME = "record_outcome"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.CREATE: "Request created by the decision",
    Action.SUPPLY_REASONS: "Reasons supplied",
    Action.DRAFT: "Letter drafted",
    Action.APPROVE: "Letter checked and approved",
    Action.RETURN: "Letter returned for changes",
    Action.IDENTITY_SEALED: "Returned for redrafting: it named a person whose identity is sealed",
    Action.SEND: "Letter sent",
    Action.RECORD_REVIEW_REQUEST: "Right to Review request received",
    Action.START_LOCAL_RESOLUTION: "Local resolution started",
    Action.RECORD_OUTCOME: "Review outcome recorded",
}


class Outcome(StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    INDEPENDENT_REVIEW = "independent_review"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.UPHELD: "Decision upheld at local resolution: explained to the victim",
    Outcome.OVERTURNED: "Decision overturned: proceedings reinstated",
    Outcome.INDEPENDENT_REVIEW: "Referred for independent review (Appeals and Review Unit)",
    Outcome.WITHDRAWN: "The victim withdrew the request",
}

VLU = frozenset({Role.VLU_OFFICER})
PROSECUTOR = frozenset({Role.PROSECUTOR})
REVIEWERS = frozenset({Role.VLU_OFFICER, Role.PROSECUTOR})


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    sources: frozenset[State | None]
    target: State
    roles: frozenset[Role]


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        # Created by the system when a decision is recorded (by a prosecutor or witness care
        # officer, through portal.cases.service.record_event).
        Transition(
            Action.CREATE,
            frozenset({None}),
            State.REQUESTED,
            frozenset({Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER}),
        ),
        Transition(
            Action.SUPPLY_REASONS, frozenset({State.REQUESTED}), State.REASONS_SUPPLIED, PROSECUTOR
        ),
        Transition(
            Action.DRAFT,
            frozenset({State.REASONS_SUPPLIED, State.DRAFTED, State.NEEDS_REDRAFT, State.CHECKED}),
            State.DRAFTED,
            VLU,
        ),
        # Taken by the system when the prosecutor seeks an anonymity order
        # (portal.anonymity.sweep): never offered as a button.
        Transition(
            Action.IDENTITY_SEALED,
            frozenset({State.DRAFTED, State.CHECKED}),
            State.NEEDS_REDRAFT,
            PROSECUTOR,
        ),
        Transition(Action.APPROVE, frozenset({State.DRAFTED}), State.CHECKED, VLU),
        Transition(Action.RETURN, frozenset({State.DRAFTED}), State.DRAFTED, VLU),
        Transition(Action.SEND, frozenset({State.DRAFTED, State.CHECKED}), State.SENT, VLU),
        Transition(
            Action.RECORD_REVIEW_REQUEST, frozenset({State.SENT}), State.REVIEW_REQUESTED, VLU
        ),
        Transition(
            Action.START_LOCAL_RESOLUTION,
            frozenset({State.REVIEW_REQUESTED}),
            State.LOCAL_RESOLUTION,
            REVIEWERS,
        ),
        Transition(
            Action.RECORD_OUTCOME,
            frozenset({State.LOCAL_RESOLUTION}),
            State.CONCLUDED,
            REVIEWERS,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the guards need to know about the request and the actor, besides the state."""

    check_required: bool = True
    vrr_applies: bool = False
    actor_drafted: bool = False  # the actor is the officer who drafted the current letter
    decision_kind: str = ""


class TransitionRefused(CaseError):
    """The action is not possible from the request's current state."""

    def __init__(self, action: Action, state: State | None) -> None:
        super().__init__(f"cannot {action.value} a request that is {state or 'new'}")
        self.action = action
        self.state = state


class RoleRefused(NotPermitted):
    """The actor's role may not take this action (answers 403)."""

    def __init__(self, action: Action, role: Role) -> None:
        super().__init__(f"{role.value} may not {action.value} a communication request")
        self.action = action
        self.role = role


class GuardRefused(CaseError):
    """The state and role allow the action but a rule does not; ``reason`` says which."""

    def __init__(self, action: Action, reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason


def may(action: Action, role: Role) -> bool:
    return role in TRANSITIONS[action].roles


def check(action: Action, current: State | None, role: Role, facts: Facts = Facts()) -> State:
    """The state ``action`` leads to, or a domain error saying why it cannot be taken."""
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise RoleRefused(action, role)
    if current not in transition.sources:
        raise TransitionRefused(action, current)
    if action in {Action.APPROVE, Action.RETURN} and facts.actor_drafted:
        raise GuardRefused(
            action, "A different Victim Liaison Unit officer must check the letter you drafted"
        )
    if action is Action.SEND and current is State.DRAFTED and facts.check_required:
        raise GuardRefused(action, "A second officer must check and approve this letter first")
    if action is Action.RECORD_REVIEW_REQUEST and not facts.vrr_applies:
        raise GuardRefused(
            action,
            "The Victims' Right to Review does not apply: the decision did not end all proceedings",
        )
    return transition.target


def check_outcome(outcome: Outcome, decision_kind: str) -> None:
    """After an offer of no evidence proceedings cannot be revived (domain-rules.md 1.9)."""
    if outcome is Outcome.OVERTURNED and decision_kind == "offer_no_evidence":
        raise GuardRefused(
            Action.RECORD_OUTCOME,
            "Proceedings cannot be reinstated after the prosecution offered no evidence: "
            "record the decision as upheld, with an explanation or apology",
        )


def actions_for(current: State | None, role: Role, facts: Facts = Facts()) -> list[Action]:
    """What ``role`` could do next (for the page's buttons)."""
    possible: list[Action] = []
    for action in TRANSITIONS:
        if action in {Action.CREATE, Action.IDENTITY_SEALED}:
            continue
        try:
            check(action, current, role, facts)
        except (TransitionRefused, RoleRefused, GuardRefused):
            continue
        possible.append(action)
    return possible
