"""Route access declarations: who may use a route (re-exported by portal.web.routing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.accounts.permissions import Permission, roles_with
from portal.accounts.roles import Role


@dataclass(frozen=True, slots=True)
class Access:
    """Who may use a route. ``public`` routes need no sign-in; otherwise ``roles`` lists who may.

    A route declared with ``requires`` keeps the ``permissions`` it names (for the route/role
    test and for reading the route table); its ``roles`` are the roles holding one of them.
    """

    public: bool = False
    roles: frozenset[Role] = frozenset()
    permissions: frozenset[Permission] = frozenset()

    def allows(self, role: Role | None) -> bool:
        return self.public or (role is not None and role in self.roles)


PUBLIC = Access(public=True)


def allow(*roles: Role | Iterable[Role]) -> Access:
    """Access by role. Superseded by ``requires``: kept while routes are converted."""
    chosen: set[Role] = set()
    for item in roles:
        if isinstance(item, Role):
            chosen.add(item)
        else:
            chosen.update(item)
    if not chosen:
        raise ValueError("allow() needs at least one role; use PUBLIC for public routes")
    return Access(roles=frozenset(chosen))


def requires(permission: Permission) -> Access:
    """The route needs ``permission``: ``access=requires(Permission.SEND_LETTER)``."""
    return requires_any(permission)


def requires_any(*permissions: Permission) -> Access:
    """The route does more than one thing (a form with several actions): a user holding any of
    ``permissions`` gets in, and the service checks the one the request asks for."""
    if not permissions:
        raise ValueError("requires_any() needs at least one permission")
    roles = frozenset(role for p in permissions for role in roles_with(p))
    return Access(roles=roles, permissions=frozenset(permissions))
