"""What a home page shows beyond its role's links: for an administrator, the accounts."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts import repository
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit


@dataclass(frozen=True, slots=True)
class HomePage:
    user_count: int | None = None
    active_count: int | None = None
    pending_count: int | None = None

    def context(self) -> dict[str, object]:
        """The template's variables: only what this actor's page has."""
        if self.user_count is None:
            return {}
        return {
            "user_count": self.user_count,
            "active_count": self.active_count,
            "pending_count": self.pending_count,
        }


def home_page(unit: Unit) -> HomePage:
    if not unit.actor.can(Permission.ADMINISTER_ACCOUNTS):
        return HomePage()
    users = repository.list_users(unit.db)
    return HomePage(
        user_count=len(users),
        active_count=sum(1 for u in users if u.is_active),
        pending_count=len(repository.pending_requests(unit.db)),
    )
