"""Domain errors: the expected ways a use case stops, knowing nothing of HTTP.

Services raise these; ``portal.web.errors`` maps each family to a response once, at the edge:

* ``NotFound`` -> 404. Missing and out of the actor's scope are the same error, so a page never
  reveals that a record exists.
* ``NotPermitted`` -> 403. The actor may not do this, whatever the record's state.
* ``Conflict`` -> 409. The request is well formed and allowed, but the record's state refuses it:
  ``TransitionRefused`` (the state machine has no such step from here), ``GuardRefused`` (a rule
  says no, with a reason worth showing) and ``StaleEdit`` (someone else saved first).
* ``ValidationFailed`` -> 400 when nothing catches it; form handlers catch it (and ``StaleEdit``)
  through ``portal.web.forms.Form.service_errors`` to re-render the page with an error summary.

A domain that needs a finer error subclasses one of these, so the edge still knows what it means
(``portal.cases.errors.CaseNotFound`` is a ``NotFound``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of every domain error. Not mapped by itself: an unclassified one is a bug (500)."""


class NotFound(DomainError):
    """The record does not exist, or the actor may not know that it does (404)."""


class Refused(DomainError):
    """A step (``action``) that was not taken; ``str()`` says why. Never raised bare: each
    family's own (``ActionNotPermitted``, ``TransitionRefused``, ``GuardRefused``) is."""

    def __init__(self, action: Any, message: str) -> None:
        super().__init__(message)
        self.action = action


class NotPermitted(DomainError):
    """The actor may not do this (403)."""


class Conflict(DomainError):
    """The record's current state refuses the request (409)."""


class ActionNotPermitted(NotPermitted, Refused):
    """A state machine's step that ``who`` may not take (403). ``who`` is shown by ``str()``."""

    def __init__(self, action: object, who: object, subject: str = "a record") -> None:
        super().__init__(action, f"{who} may not {action} {subject}")
        self.who = who


class TransitionRefused(Conflict, Refused):
    """The action is not possible from the record's current state (``None``: not yet created)."""

    def __init__(self, action: Any, state: Any, subject: str = "a record") -> None:
        super().__init__(action, f"cannot {action} {subject} that is {state or 'new'}")
        self.state = state


class GuardRefused(Conflict, Refused):
    """The state and the actor allow the action but a rule does not; ``reason`` says which, in
    words fit to show the user (a form handler puts it against the field concerned)."""

    def __init__(self, action: Any, reason: str) -> None:
        super().__init__(action, reason)
        self.reason = reason


class StaleEdit(Conflict):
    """Someone else saved first (optimistic locking). Carries what is stored now, so the page
    can show theirs beside what the user typed."""

    def __init__(self, current: Mapping[str, Any], current_version: int) -> None:
        super().__init__("stale edit")
        self.current = dict(current)
        self.current_version = current_version


class ValidationFailed(DomainError):
    """Field errors from a service-level check: field id -> message, in the order found."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = dict(errors)
