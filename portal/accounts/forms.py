"""The account request form: what was typed, its errors, and the details once it is valid."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from portal.accounts.access_requests import NewAccess
from portal.accounts.models import DeactivationReason, User
from portal.accounts.onboarding import AccountDetails
from portal.accounts.roles import CASEWORK_ROLES, Role
from portal.cases.reference import AREAS, UNITS
from portal.web.forms import FieldErrors, ServiceRefusals

# Which roles are scoped by Area and by unit (portal.cases.access).
AREA_ROLES = frozenset({Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER})
UNIT_ROLES = frozenset({Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR})
FIELDS = ("display_name", "username", "role", "area", "unit")
# The dedicated permissions an administrator may give a case worker on the account form.
GRANTS = (
    ("may_unmask", "May ask to see sealed identities, and approve colleagues' requests"),
    ("may_approve", "May approve as the second person (anonymity applications)"),
)
GRANT_ROLES = CASEWORK_ROLES

__all__ = [
    "ACCESS_FIELDS",
    "AREA_ROLES",
    "FIELDS",
    "GRANTS",
    "GRANT_ROLES",
    "UNIT_ROLES",
    "DeactivationAnswers",
    "ServiceRefusals",
    "parse_deactivation",
    "reason_choices",
    "access_role_choices",
    "access_values",
    "area_choices",
    "parse_access_change",
    "parse_account_request",
    "role_choices",
    "unit_choices",
    "username_problem",
]


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


def access_role_choices() -> list[tuple[str, str]]:
    """The roles an account may be changed to: an administrator is only ever made by an
    approved account request (portal.accounts.access_changes)."""
    return [(role.value, role.label) for role in Role if role is not Role.ADMIN]


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


def parse_access(
    values: dict[str, str], ticked: list[str], errors: FieldErrors
) -> NewAccess | None:
    """What the access part of the form says: role, then Area and unit where the role is scoped
    by them, then the permissions (only a case worker may be given them). Errors are added to
    ``errors``."""
    role = Role(values["role"]) if values["role"] in {r.value for r in Role} else None
    if role is None:
        errors.add("role", "Select a role")
        return None
    if role in AREA_ROLES and values["area"] not in AREAS:
        errors.add("area", f"Select the Area this {role.label.lower()} works in")
    if role in UNIT_ROLES and values["unit"] not in UNITS:
        errors.add("unit", f"Select the unit this {role.label.lower()} works in")
    granted = {name for name, _ in GRANTS} & set(ticked)
    if granted and role not in GRANT_ROLES:
        errors.add("grants", f"{role.label}s cannot be given these permissions")
    return NewAccess(
        role=role,
        area=values["area"] if role in AREA_ROLES else None,
        unit=values["unit"] if role in UNIT_ROLES else None,
        may_unmask="may_unmask" in granted,
        may_approve="may_approve" in granted,
    )


def parse_account_request(
    field: Callable[[str], str], ticked: list[str]
) -> tuple[dict[str, str], list[str], FieldErrors, AccountDetails | None]:
    values = {name: field(name).strip() for name in FIELDS}
    errors = FieldErrors()
    if not values["display_name"]:
        errors.add("display_name", "Enter the person's full name")
    elif len(values["display_name"]) > 120:
        errors.add("display_name", "Full name must be 120 characters or fewer")
    problem = username_problem(values["username"])
    if problem:
        errors.add("username", problem)
    access = parse_access(values, ticked, errors)
    if errors or access is None:
        return values, ticked, errors, None
    details = AccountDetails(
        username=values["username"],
        display_name=values["display_name"],
        role=access.role,
        area=access.area,
        unit=access.unit,
        may_unmask=access.may_unmask,
        may_approve=access.may_approve,
    )
    return values, ticked, errors, details


@dataclass(frozen=True, slots=True)
class DeactivationAnswers:
    """What the deactivation form says (the service checks it against the account's work)."""

    reason: DeactivationReason | None
    detail: str
    handed_to: uuid.UUID | None
    confirmed: bool
    values: dict[str, str]


def reason_choices() -> list[tuple[str, str]]:
    return [(reason.value, reason.label) for reason in DeactivationReason]


def parse_deactivation(field: Callable[[str], str]) -> DeactivationAnswers:
    values = {name: field(name).strip() for name in ("reason", "detail", "handed_to", "confirm")}
    known = {r.value for r in DeactivationReason}
    try:
        handed_to = uuid.UUID(values["handed_to"]) if values["handed_to"] else None
    except ValueError:
        handed_to = None
    return DeactivationAnswers(
        reason=DeactivationReason(values["reason"]) if values["reason"] in known else None,
        detail=values["detail"],
        handed_to=handed_to,
        confirmed=values["confirm"] == "yes",
        values=values,
    )


ACCESS_FIELDS = ("role", "area", "unit")


def parse_access_change(
    field: Callable[[str], str], ticked: list[str]
) -> tuple[dict[str, str], list[str], FieldErrors, NewAccess | None]:
    """The change-access form: role, Area and unit by role, permissions."""
    values = {name: field(name).strip() for name in ACCESS_FIELDS}
    errors = FieldErrors()
    access = parse_access(values, ticked, errors)
    if errors or access is None:
        return values, ticked, errors, None
    return values, ticked, errors, access


def access_values(user: User) -> tuple[dict[str, str], list[str]]:
    """The change-access form filled in with the account's access today."""
    values = {"role": user.role, "area": user.area or "", "unit": user.unit or ""}
    granted = [name for name, _ in GRANTS if getattr(user, name)]
    return values, granted
