"""State machines as data: which action moves a record from which states to which, who may take
it and on what condition. Anything not declared is refused with a domain error.

    MACHINE = Machine(
        "a special measures application",
        [
            Transition(Action.DRAFT, {State.IDENTIFIED, State.REQUESTED}, State.DRAFTED,
                       Permission.DRAFT_SPECIAL_MEASURES),
            Transition(Action.SEND, {State.DRAFTED, State.CHECKED}, State.SENT,
                       Permission.SEND_LETTER,
                       guards=(Guard("A second officer must check it first", checked_if_needed),)),
        ],
        authorise=lambda actor, permission: actor.can(permission),
        facts=Facts(),
    )
    MACHINE.check(Action.DRAFT, current, actor, facts)   # -> the new state, or raises
    MACHINE.allowed(current, actor, facts)               # -> the actions to offer as buttons

``check`` asks, in this order: may the actor take the step at all (``authorise``; refused with
``ActionNotPermitted``, a 403), is the step possible from ``current`` (``TransitionRefused``, a
409), and does every guard allow it (``GuardRefused`` with the guard's reason, which a form shows).
A state of ``None`` means the record does not exist yet, so creation is a transition too.

The actor type is the machine's choice: a ``Role`` where only the role matters, the services'
``Actor`` where a guard needs the user (two-person rules: ``step.actor.user_id != ...``), or a
system principal for jobs. ``facts`` carries what guards need besides the state (a typed,
frozen dataclass per machine). One action has one target; an action that lands in different
states is two actions. ``describe()`` and ``mermaid()`` draw the machine for docs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from portal.kit.errors import ActionNotPermitted, GuardRefused, TransitionRefused

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)
P = TypeVar("P", bound=Hashable)
X = TypeVar("X")
F = TypeVar("F")


@dataclass(frozen=True)
class Step(Generic[S, A, X, F]):
    """What a guard is asked about: this actor taking this action from this state."""

    action: A
    source: S | None
    actor: X
    facts: F


@dataclass(frozen=True)
class Guard(Generic[S, A, X, F]):
    """A condition on a step. ``allows`` answers True to let it go ahead; otherwise the step is
    refused with ``reason``, written for the user."""

    reason: str
    allows: Callable[[Step[S, A, X, F]], bool]


@dataclass(frozen=True)
class Transition(Generic[S, A, P, X, F]):
    """One step: ``action`` from any of ``sources`` to ``target``, for holders of ``permission``.
    (No ``slots``: on Python 3.11 a frozen generic dataclass with slots cannot be built through
    its subscripted alias, ``Transition[...](...)``.)

    ``offered=False`` marks a step the system takes (a record created by another use case), never
    offered as a button. ``roles`` is filled in by the machine from its ``holders`` hook (who
    holds ``permission``), for descriptions and tests; declarations leave it empty.
    """

    action: A
    sources: Collection[S | None]
    target: S
    permission: P
    guards: tuple[Guard[S, A, X, F], ...] = ()
    offered: bool = True
    roles: frozenset[object] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))


class Machine(Generic[S, A, P, X, F]):
    def __init__(
        self,
        subject: str,
        transitions: Iterable[Transition[S, A, P, X, F]],
        *,
        authorise: Callable[[X, P], bool],
        facts: F,
        holders: Callable[[P], Iterable[object]] | None = None,
    ) -> None:
        """``subject`` names the record in messages ("a communication request"); ``authorise``
        says whether an actor holds a permission; ``facts`` is the default for callers that
        pass none; ``holders`` lists who holds a permission (for ``describe``)."""
        table: dict[A, Transition[S, A, P, X, F]] = {}
        for transition in transitions:
            if transition.action in table:
                raise ValueError(f"{transition.action!r} is declared twice in {subject}")
            if holders is not None:
                transition = Transition(
                    transition.action,
                    transition.sources,
                    transition.target,
                    transition.permission,
                    transition.guards,
                    transition.offered,
                    frozenset(holders(transition.permission)),
                )
            table[transition.action] = transition
        if not table:
            raise ValueError(f"{subject} has no transitions")
        self.subject = subject
        self.transitions: Mapping[A, Transition[S, A, P, X, F]] = table
        self.default_facts = facts
        self._authorise = authorise

    def may(self, action: A, actor: X) -> bool:
        """Whether ``actor`` may ever take ``action`` (whatever the state)."""
        return self._authorise(actor, self.transitions[action].permission)

    def check(self, action: A, current: S | None, actor: X, facts: F | None = None) -> S:
        """The state ``action`` leads to, or a domain error saying why it cannot be taken."""
        transition = self.transitions[action]
        if not self._authorise(actor, transition.permission):
            raise ActionNotPermitted(action, actor, self.subject)
        if current not in transition.sources:
            raise TransitionRefused(action, current, self.subject)
        if transition.guards:
            step = Step(action, current, actor, self.default_facts if facts is None else facts)
            for guard in transition.guards:
                if not guard.allows(step):
                    raise GuardRefused(action, guard.reason)
        return transition.target

    def allowed(self, current: S | None, actor: X, facts: F | None = None) -> list[A]:
        """The actions ``actor`` could take now, in declaration order (for the page's buttons)."""
        possible: list[A] = []
        for action, transition in self.transitions.items():
            if not transition.offered:
                continue
            try:
                self.check(action, current, actor, facts)
            except (ActionNotPermitted, TransitionRefused, GuardRefused):
                continue
            possible.append(action)
        return possible

    def states(self) -> list[S]:
        """Every state the machine can reach or leave, in order of first appearance."""
        seen: dict[S, None] = {}
        for transition in self.transitions.values():
            for source in sorted(transition.sources, key=lambda s: "" if s is None else s.value):
                if source is not None:
                    seen.setdefault(source)
            seen.setdefault(transition.target)
        return list(seen)

    def describe(self) -> str:
        """A Markdown table of the machine, one row per action, for docs and reviews."""
        rows = [
            "| Action | From | To | Who | Conditions |",
            "| --- | --- | --- | --- | --- |",
        ]
        for t in self.transitions.values():
            sources = ", ".join(sorted(_label(s) for s in t.sources))
            who = ", ".join(sorted(_label(r) for r in t.roles)) or _label(t.permission)
            conditions = "; ".join(g.reason for g in t.guards)
            if not t.offered:
                conditions = "; ".join(filter(None, ("taken by the system", conditions)))
            rows.append(
                f"| {_label(t.action)} | {sources} | {_label(t.target)} | {who} | {conditions} |"
            )
        return "\n".join(rows) + "\n"

    def mermaid(self) -> str:
        """A Mermaid ``stateDiagram-v2`` of the machine (``[*]`` is "not yet created")."""
        lines = ["stateDiagram-v2"]
        for t in self.transitions.values():
            for source in sorted(t.sources, key=lambda s: "" if s is None else s.value):
                start = "[*]" if source is None else source.value
                lines.append(f"    {start} --> {t.target.value}: {t.action.value}")
        return "\n".join(lines) + "\n"


def _label(value: object) -> str:
    if value is None:
        return "(new)"
    label = getattr(value, "label", None)
    return label if isinstance(label, str) else str(value)
