"""Who is acting: what services need to know about the signed-in user, and nothing more."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.accounts.permissions import Permission, role_can
from portal.accounts.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID
    role: Role
    area: str | None = None
    unit: str | None = None
    # Cases opened by a live break-glass use (portal.breakglass): added to the case scope only.
    emergency_cases: frozenset[uuid.UUID] = frozenset()

    def can(self, permission: Permission) -> bool:
        """Whether this user's role holds ``permission`` (portal.accounts.permissions)."""
        return role_can(self.role, permission)
