"""Service navigation by role: each role sees only the sections it may use."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.roles import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    route_name: str


_HOME = NavItem("My work", "home")
_CASES = NavItem("Cases", "case_list")
_SEARCH = NavItem("Search", "search")
_USERS = NavItem("Users", "admin_users")
_EMERGENCY = NavItem("Emergency access", "breakglass_request")

_BY_ROLE: dict[Role, tuple[NavItem, ...]] = {
    Role.WITNESS_CARE_OFFICER: (_HOME, _CASES, _SEARCH, _EMERGENCY),
    Role.PROSECUTOR: (
        _HOME,
        _CASES,
        NavItem("Decision letters", "vlu_queue"),
        _SEARCH,
        NavItem("Performance", "outcomes_review"),
        _EMERGENCY,
    ),
    Role.VLU_OFFICER: (_HOME, NavItem("VLU queue", "vlu_queue"), _CASES, _SEARCH, _EMERGENCY),
    Role.AUDITOR: (
        NavItem("Overview", "home"),
        _CASES,
        _SEARCH,
        NavItem("Compliance", "compliance"),
        NavItem("Performance", "outcomes_review"),
        NavItem("Access log", "audit_log"),
        NavItem("Emergency access reviews", "breakglass_queue"),
    ),
    Role.ADMIN: (NavItem("Overview", "home"), _USERS),
}


def navigation_for(role: Role | None) -> tuple[NavItem, ...]:
    return () if role is None else _BY_ROLE[role]
