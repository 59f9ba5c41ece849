"""The one answer to "which cases may this user see". No case query bypasses it.

* Witness care officers: cases of their unit (same Area and unit) and cases assigned to them.
* Prosecutors: cases assigned to them and cases of their unit (same Area and unit): a second
  prosecutor of the unit approves anonymity applications and unmasking requests.
* VLU officers: cases in their Area.
* Auditors: every case, read-only, pseudonymised by their vault (portal.keys.vault.Disclosure).
* Administrators: none; they manage accounts, not cases.

A case outside scope answers 404, exactly like a case that does not exist, so ids are not an
existence oracle (security.md 1.6). ``tests/unit/test_architecture.py`` fails the build if a
module other than the case repositories selects from the case table.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.models import Case


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` that keeps only the cases ``actor`` may see: their scope,
    and the cases a live break-glass use opened (portal.breakglass)."""
    if actor.emergency_cases:
        return or_(_in_scope(actor), Case.id.in_(actor.emergency_cases))
    return _in_scope(actor)


def _in_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.role is Role.AUDITOR:
        return true()
    if actor.role is Role.PROSECUTOR:
        mine = Case.prosecutor_id == actor.user_id
        if actor.area and actor.unit:
            return or_(mine, and_(Case.area == actor.area, Case.unit == actor.unit))
        return mine
    if actor.role is Role.WITNESS_CARE_OFFICER:
        assigned = Case.witness_care_officer_id == actor.user_id
        if actor.area and actor.unit:
            return or_(assigned, and_(Case.area == actor.area, Case.unit == actor.unit))
        return assigned
    if actor.role is Role.VLU_OFFICER:
        return Case.area == actor.area if actor.area else false()
    return false()


def may_edit_people(actor: Actor) -> bool:
    return actor.role in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR}


def may_record_events(actor: Actor) -> bool:
    return actor.role in {Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER}
