"""The account request form: what was typed, its errors, and the details once it is valid."""

from __future__ import annotations

from collections.abc import Callable

from portal.accounts.onboarding import AccountDetails
from portal.accounts.roles import Role
from portal.cases.reference import AREAS, UNITS
from portal.web.forms import FieldErrors, ServiceRefusals

# Which roles are scoped by Area and by unit (portal.cases.access).
AREA_ROLES = frozenset({Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER})
UNIT_ROLES = frozenset({Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR})
FIELDS = ("display_name", "username", "role", "area", "unit")

__all__ = [
    "AREA_ROLES",
    "FIELDS",
    "UNIT_ROLES",
    "ServiceRefusals",
    "area_choices",
    "parse_account_request",
    "role_choices",
    "unit_choices",
    "username_problem",
]


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


def area_choices() -> list[tuple[str, str]]:
    return list(AREAS.items())


def unit_choices() -> list[tuple[str, str]]:
    return list(UNITS.items())


def username_problem(username: str) -> str | None:
    if not username:
        return "Enter a username"
    if (
        len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        return "Username must be 64 characters or fewer: letters, numbers, . - and _ only"
    return None


def parse_account_request(
    field: Callable[[str], str],
) -> tuple[dict[str, str], FieldErrors, AccountDetails | None]:
    values = {name: field(name).strip() for name in FIELDS}
    errors = FieldErrors()
    if not values["display_name"]:
        errors.add("display_name", "Enter the person's full name")
    elif len(values["display_name"]) > 120:
        errors.add("display_name", "Full name must be 120 characters or fewer")
    problem = username_problem(values["username"])
    if problem:
        errors.add("username", problem)
    role = Role(values["role"]) if values["role"] in {r.value for r in Role} else None
    if role is None:
        errors.add("role", "Select a role")
    if role in AREA_ROLES and values["area"] not in AREAS:
        errors.add("area", f"Select the Area this {role.label.lower()} works in")
    if role in UNIT_ROLES and values["unit"] not in UNITS:
        errors.add("unit", f"Select the unit this {role.label.lower()} works in")
    if errors or role is None:
        return values, errors, None
    details = AccountDetails(
        username=values["username"],
        display_name=values["display_name"],
        role=role,
        area=values["area"] if role in AREA_ROLES else None,
        unit=values["unit"] if role in UNIT_ROLES else None,
    )
    return values, errors, details
