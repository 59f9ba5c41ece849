"""The portal's roles. Who may use each route is declared against these (portal.web.routing)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    WITNESS_CARE_OFFICER = "witness_care_officer"
    PROSECUTOR = "prosecutor"
    VLU_OFFICER = "vlu_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Role.WITNESS_CARE_OFFICER: "Witness care officer",
    Role.PROSECUTOR: "Prosecutor",
    Role.VLU_OFFICER: "Victim Liaison Unit officer",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}

ALL_ROLES = frozenset(Role)
CASEWORK_ROLES = frozenset({Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER})
