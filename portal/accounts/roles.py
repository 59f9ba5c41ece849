"""The portal's roles. What each may do is named in portal.accounts.permissions."""

from __future__ import annotations

from portal.kit.enums import LabelledStrEnum


class Role(LabelledStrEnum):
    WITNESS_CARE_OFFICER = "witness_care_officer", "Witness care officer"
    PROSECUTOR = "prosecutor", "Prosecutor"
    VLU_OFFICER = "vlu_officer", "Victim Liaison Unit officer"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


ALL_ROLES = frozenset(Role)
CASEWORK_ROLES = frozenset({Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER})
