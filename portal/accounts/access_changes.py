"""Changing what an account may do: its role, where it works, or its dedicated permissions (may
see sealed identities, may approve) (issue 18 point 5, ASVS 8.3.2).

Nothing about a user's access is kept in their session: every request reads the account row
(portal.accounts.service.load_session), builds the actor from it and computes the case scope
from it (portal.cases.access). So a new unit or Area hides the old unit's cases on the next
request. A new role also ends every open session of the account (the user signs in again under
the new role) and, through ``AccessWithdrawn``, the unmasking grants given under the old one.
Each change and each forced end of sessions is in the audit log, with ids only.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.events import AccessWithdrawn
from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.accounts.service import end_sessions, record_event
from portal.kit.errors import NotPermitted
from portal.kit.events import publish

log = logging.getLogger(__name__)


def change_access(
    db: Session,
    *,
    actor: Actor,
    user: User,
    role: Role,
    area: str | None,
    unit: str | None,
    now: datetime,
    may_unmask: bool | None = None,
    may_approve: bool | None = None,
) -> bool:
    """Give ``user`` a new role, workplace or permissions (None: the permission unchanged);
    False if nothing changed. Only an administrator, and never on their own account (as for
    deactivation). Through the web this is applied only once a second administrator approves
    (portal.accounts.access_requests)."""
    if not actor.can(Permission.ADMINISTER_ACCOUNTS):
        raise NotPermitted("only administrators change what an account may do")
    if user.id == actor.user_id:
        raise NotPermitted("administrators cannot change their own access")
    if Role.ADMIN in {user.role_enum, role} and user.role_enum is not role:
        # An administrator account is asked for by one administrator and approved by another
        # (portal.accounts.onboarding): one administrator alone never makes or unmakes one.
        raise NotPermitted("administrator accounts are asked for and approved, not changed")
    role_changed = user.role_enum is not role
    grants = (
        user.may_unmask if may_unmask is None else may_unmask,
        user.may_approve if may_approve is None else may_approve,
    )
    same_place = (user.area, user.unit) == (area, unit)
    if not role_changed and same_place and grants == (user.may_unmask, user.may_approve):
        return False
    user.role, user.area, user.unit = role.value, area, unit
    user.may_unmask, user.may_approve = grants
    db.flush()
    record_event(db, "access_changed", actor=actor, object_id=user.id)
    log.info("account.access_changed user_id=%s role=%s", user.id, role.value)
    if role_changed:
        end_sessions(db, actor=actor, user_id=user.id, purpose="role_changed", now=now)
        publish(db, AccessWithdrawn(user.id, actor, "role_changed"))
    return True
