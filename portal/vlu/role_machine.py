"""The state machine of a workflow whose steps are authorised by a role's permissions
(portal.accounts.permissions), and the domain errors it raises. ``portal.vlu.states`` now takes
the services' ``Actor`` instead (``Actor.can``); this stays for ``portal.special_measures.states``
until it does the same, and ``RoleRefused`` stays importable here until then."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from portal.accounts.permissions import Permission, role_can, roles_with
from portal.accounts.roles import Role
from portal.kit import errors
from portal.kit.states import Machine, Transition

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)
F = TypeVar("F")

TransitionRefused = errors.TransitionRefused
RoleRefused = errors.ActionNotPermitted
GuardRefused = errors.GuardRefused


def role_machine(
    subject: str, transitions: Iterable[Transition[S, A, Permission, Role, F]], facts: F
) -> Machine[S, A, Permission, Role, F]:
    """A machine over ``transitions`` that a role may take when it holds the transition's
    permission; ``facts`` are the defaults for callers that pass none."""
    return Machine(subject, transitions, authorise=role_can, facts=facts, holders=roles_with)
