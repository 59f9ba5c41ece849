"""A communication request's life, as data (portal.kit.states): which action moves it from
which state to which, who may take it and on what condition. Anything not listed is refused
with a domain error.

    requested -> reasons_supplied -> drafted -> checked -> sent -> review_requested
                                        ^  |________________^          |
                                        |  (no check needed)     local_resolution
                                        |_ redraft (voids a check)     |
                                        |                        local_decided (outcome letter)
                     needs_redraft <---- (returned for changes by      |
                                          the checker; a person it local_letter_sent --> concluded
                                          names is sealed; the         | (still dissatisfied)
                                          reasons changed)       independent_review (ARU)
                                                                       |
                                                                 independent_decided --> concluded

* prosecutors supply the reasons for the decision (the VLU cannot send without them);
* VLU officers draft, check, send and record what follows; the check must be made by a
  *different* VLU officer from the one who drafted the letter, and is required for every letter
  in a rape or serious sexual offence case and, where the unit says so, for every letter;
* a Victims' Right to Review request can only be recorded when the decision ended all
  proceedings; local resolution and the independent review (the Appeals and Review Unit) are
  stages, each with a named reviewer, a due date, an outcome and an outcome letter. The outcome
  is recorded by the named reviewer or by a VLU officer on their behalf; the VLU sends the
  letters. "Referred for independent review" is a stage, never an outcome: it follows only a
  local resolution that upheld the decision, when the victim asks;
* a letter the checker returns for changes needs redrafting: it cannot be approved in the next
  check, sent or printed until an officer redrafts it, and is then checked afresh;
* when a person's identity is sealed (an anonymity order is sought), an unsent letter that names
  them is returned: it needs redrafting, and cannot be checked, sent or printed until it is;
* witness care officers and auditors take no step (witness care officers can still post in the
  request's conversation).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission, roles_with
from portal.accounts.roles import Role
from portal.kit.enums import LabelledStrEnum
from portal.kit.states import Guard, Machine, Step, Transition
from portal.vlu.role_machine import GuardRefused as GuardRefused
from portal.vlu.role_machine import RoleRefused as RoleRefused
from portal.vlu.role_machine import TransitionRefused as TransitionRefused


class State(LabelledStrEnum):
    REQUESTED = "requested", "Waiting for reasons"
    REASONS_SUPPLIED = "reasons_supplied", "Ready to draft"
    DRAFTED = "drafted", "Drafted"
    NEEDS_REDRAFT = "needs_redraft", "Needs redrafting"
    CHECKED = "checked", "Checked: ready to send"
    SENT = "sent", "Sent"
    REVIEW_REQUESTED = "review_requested", "Review requested"
    LOCAL_RESOLUTION = "local_resolution", "In local resolution"
    LOCAL_DECIDED = "local_decided", "Local resolution decided: letter to send"
    LOCAL_LETTER_SENT = "local_letter_sent", "Local resolution letter sent"
    INDEPENDENT_REVIEW = "independent_review", "Referred for independent review"
    INDEPENDENT_DECIDED = "independent_decided", "Independent review decided: letter to send"
    CONCLUDED = "concluded", "Review concluded"


# Before the letter is sent: the Victims' Code deadline still matters and may escalate.
UNSENT = frozenset(
    {State.REQUESTED, State.REASONS_SUPPLIED, State.DRAFTED, State.NEEDS_REDRAFT, State.CHECKED}
)


class Action(LabelledStrEnum):
    CREATE = "create", "Request created by the decision"
    SUPPLY_REASONS = "supply_reasons", "Reasons supplied"
    DRAFT = "draft", "Letter drafted"
    APPROVE = "approve", "Letter checked and approved"
    RETURN = "return", "Letter returned for changes"
    IDENTITY_SEALED = (
        "identity_sealed",
        "Returned for redrafting: it named a person whose identity is sealed",
    )
    REASONS_CHANGED = (
        "reasons_changed",
        "Returned for redrafting: the prosecutor changed the reasons",
    )
    SEND = "send", "Letter sent"
    RECORD_REVIEW_REQUEST = "record_review_request", "Right to Review request received"
    START_LOCAL_RESOLUTION = "start_local_resolution", "Local resolution started"
    RECORD_OUTCOME = "record_outcome", "Local resolution outcome recorded"
    SEND_LOCAL_LETTER = "send_local_letter", "Local resolution letter sent"
    CONCLUDE_REVIEW = "conclude_review", "Review concluded"
    REFER_INDEPENDENT = "refer_independent", "Referred for independent review"
    RECORD_INDEPENDENT_OUTCOME = (
        "record_independent_outcome",
        "Independent review outcome recorded",
    )
    SEND_INDEPENDENT_LETTER = "send_independent_letter", "Independent review letter sent"


class Outcome(LabelledStrEnum):
    """What a review stage decided (local resolution or the independent review)."""

    UPHELD = "upheld", "Decision upheld: the reasons explained to the victim"
    OVERTURNED = "overturned", "Decision overturned: the prosecution restarts"
    NOT_REINSTATED = (
        "not_reinstated",
        "Decision wrong, but the prosecution cannot restart: explained, with an apology",
    )
    WITHDRAWN = "withdrawn", "The victim withdrew the request"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the guards need to know about the request and the actor, besides the state."""

    check_required: bool = True
    vrr_applies: bool = False
    actor_drafted: bool = False  # the actor is the officer who drafted the current letter
    decision_kind: str = ""
    local_upheld: bool = False  # local resolution upheld the decision
    actor_reviews: bool = False  # the actor is the named reviewer of the current review stage


VluStep = Step[State, Action, Actor, Facts]
VluGuard = Guard[State, Action, Actor, Facts]
VluTransition = Transition[State, Action, Permission, Actor, Facts]

SOMEONE_ELSE_CHECKS = VluGuard(
    "A different Victim Liaison Unit officer must check the letter you drafted",
    lambda step: not step.facts.actor_drafted,
)
CHECKED_IF_REQUIRED = VluGuard(
    "A second officer must check and approve this letter first",
    lambda step: step.source is not State.DRAFTED or not step.facts.check_required,
)
RIGHT_TO_REVIEW_APPLIES = VluGuard(
    "The Victims' Right to Review does not apply: the decision did not end all proceedings",
    lambda step: step.facts.vrr_applies,
)

STILL_DISSATISFIED = VluGuard(
    "An independent review follows only a local resolution that upheld the decision",
    lambda step: step.facts.local_upheld,
)
THE_REVIEWER_DECIDES = VluGuard(
    "Only the prosecutor named as the reviewer, or a Victim Liaison Unit officer on their "
    "behalf, can record the outcome",
    lambda step: step.actor.role is Role.VLU_OFFICER or step.facts.actor_reviews,
)

# The actor may take a step when their role holds its permission (``Actor.can``).
MACHINE = Machine(
    "a communication request",
    [
        # Created by the system when a decision is recorded (by a prosecutor or witness care
        # officer, through portal.cases.service.record_event).
        VluTransition(
            Action.CREATE, {None}, State.REQUESTED, Permission.RECORD_CASE_EVENT, offered=False
        ),
        VluTransition(
            Action.SUPPLY_REASONS,
            {State.REQUESTED},
            State.REASONS_SUPPLIED,
            Permission.SUPPLY_REASONS,
        ),
        VluTransition(
            Action.DRAFT,
            {State.REASONS_SUPPLIED, State.DRAFTED, State.NEEDS_REDRAFT, State.CHECKED},
            State.DRAFTED,
            Permission.DRAFT_LETTER,
        ),
        # Taken by the system when the prosecutor seeks an anonymity order
        # (portal.anonymity.sweep): never offered as a button.
        VluTransition(
            Action.IDENTITY_SEALED,
            {State.DRAFTED, State.CHECKED},
            State.NEEDS_REDRAFT,
            Permission.APPLY_FOR_ANONYMITY,
            offered=False,
        ),
        # Taken when the prosecutor edits the reasons before any letter is sent
        # (portal.vlu.service.reasons): never offered as a button.
        VluTransition(
            Action.REASONS_CHANGED,
            {State.DRAFTED, State.CHECKED},
            State.NEEDS_REDRAFT,
            Permission.SUPPLY_REASONS,
            offered=False,
        ),
        VluTransition(
            Action.APPROVE,
            {State.DRAFTED},
            State.CHECKED,
            Permission.CHECK_LETTER,
            guards=(SOMEONE_ELSE_CHECKS,),
        ),
        # Returned by the checker with what must change: it cannot be checked, sent or
        # printed until an officer redrafts it (like a letter naming a sealed identity).
        VluTransition(
            Action.RETURN,
            {State.DRAFTED},
            State.NEEDS_REDRAFT,
            Permission.CHECK_LETTER,
            guards=(SOMEONE_ELSE_CHECKS,),
        ),
        VluTransition(
            Action.SEND,
            {State.DRAFTED, State.CHECKED},
            State.SENT,
            Permission.SEND_LETTER,
            guards=(CHECKED_IF_REQUIRED,),
        ),
        VluTransition(
            Action.RECORD_REVIEW_REQUEST,
            {State.SENT},
            State.REVIEW_REQUESTED,
            Permission.RECORD_REVIEW_REQUEST,
            guards=(RIGHT_TO_REVIEW_APPLIES,),
        ),
        VluTransition(
            Action.START_LOCAL_RESOLUTION,
            {State.REVIEW_REQUESTED},
            State.LOCAL_RESOLUTION,
            Permission.HANDLE_REVIEW,
        ),
        VluTransition(
            Action.RECORD_OUTCOME,
            {State.LOCAL_RESOLUTION},
            State.LOCAL_DECIDED,
            Permission.HANDLE_REVIEW,
            guards=(THE_REVIEWER_DECIDES,),
        ),
        VluTransition(
            Action.SEND_LOCAL_LETTER,
            {State.LOCAL_DECIDED},
            State.LOCAL_LETTER_SENT,
            Permission.SEND_LETTER,
        ),
        # The victim is still dissatisfied and asks: a stage with its own reviewer and steps.
        VluTransition(
            Action.REFER_INDEPENDENT,
            {State.LOCAL_LETTER_SENT},
            State.INDEPENDENT_REVIEW,
            Permission.RECORD_REVIEW_REQUEST,
            guards=(STILL_DISSATISFIED,),
        ),
        VluTransition(
            Action.CONCLUDE_REVIEW,
            {State.LOCAL_LETTER_SENT},
            State.CONCLUDED,
            Permission.HANDLE_REVIEW,
        ),
        VluTransition(
            Action.RECORD_INDEPENDENT_OUTCOME,
            {State.INDEPENDENT_REVIEW},
            State.INDEPENDENT_DECIDED,
            Permission.HANDLE_REVIEW,
            guards=(THE_REVIEWER_DECIDES,),
        ),
        VluTransition(
            Action.SEND_INDEPENDENT_LETTER,
            {State.INDEPENDENT_DECIDED},
            State.CONCLUDED,
            Permission.SEND_LETTER,
        ),
    ],
    authorise=Actor.can,
    facts=Facts(),
    holders=roles_with,
)
TRANSITIONS = MACHINE.transitions


# check(action, current, actor, facts) -> the new state, or a domain error saying why not;
# actions_for(current, actor, facts) -> what ``actor`` could do next (for the page's buttons).
may = MACHINE.may
check = MACHINE.check
actions_for = MACHINE.allowed


def check_outcome(outcome: Outcome, decision_kind: str, action: Action) -> None:
    """After an offer of no evidence proceedings cannot be revived (domain-rules.md 1.9)."""
    if outcome is Outcome.OVERTURNED and decision_kind == "offer_no_evidence":
        raise GuardRefused(
            action,
            "Proceedings cannot be reinstated after the prosecution offered no evidence: "
            "record that the decision was wrong but cannot be reversed, with an explanation "
            "and an apology",
        )
