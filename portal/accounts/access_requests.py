"""Changing an account's role, Area, unit or permissions on the web: asked for by one
administrator, approved by another (issue 18; the two-person rule of account requests,
portal.accounts.onboarding). Approval applies the change at once
(portal.accounts.access_changes.change_access: the next request of the account reads its new
access, and a new role ends its sessions). Nobody decides their own request, nor one about
their own account, and one account has at most one change waiting. Audited with ids only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from portal.accounts import repository
from portal.accounts import service as accounts
from portal.accounts.access_changes import change_access
from portal.accounts.administration import other_account
from portal.accounts.models import AccessChangeRequest, User
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.accounts.two_person import record_decision, still_open
from portal.accounts.unit import Unit
from portal.clock import utc_now
from portal.db.session import serialize_on
from portal.kit.errors import Conflict, NotFound, NotPermitted, ValidationFailed

log = logging.getLogger(__name__)

ALREADY_ASKED = "A change to this account is already waiting for approval"
NOTHING_CHANGES = "Change at least one of the role, Area, unit or permissions"
ADMIN_ROLE = "Administrator accounts are asked for and approved as new accounts, not changed"


@dataclass(frozen=True, slots=True)
class NewAccess:
    """What an account may do: its role, Area and unit, and its dedicated permissions (what a
    change asks for; the access part of both account forms, portal.accounts.forms)."""

    role: Role
    area: str | None
    unit: str | None
    may_unmask: bool
    may_approve: bool


@dataclass(frozen=True, slots=True)
class AccessPage:
    user: User
    pending: AccessChangeRequest | None


@dataclass(frozen=True, slots=True)
class ChangeReview:
    change: AccessChangeRequest
    user: User
    requester: User | None
    decider: User | None
    mine: bool


def _require_admin(unit: Unit) -> None:
    if not unit.actor.can(Permission.ADMINISTER_ACCOUNTS):
        raise NotPermitted("only administrators change what an account may do")


def _user(unit: Unit, user_id: uuid.UUID) -> User:
    _require_admin(unit)
    return other_account(unit, user_id, own="administrators cannot change their own access")


def access_page(unit: Unit, user_id: uuid.UUID) -> AccessPage:
    user = _user(unit, user_id)
    if user.role_enum is Role.ADMIN:
        raise NotPermitted(ADMIN_ROLE)
    return AccessPage(user, repository.pending_change_for(unit.db, user.id))


def request_change(unit: Unit, user_id: uuid.UUID, new: NewAccess) -> AccessChangeRequest:
    """Ask for ``user_id``'s access to become ``new`` (a second administrator approves)."""
    user = _user(unit, user_id)
    db, actor = unit.db, unit.actor
    serialize_on(db, f"access-change:{user.id}")
    if Role.ADMIN in {user.role_enum, new.role}:
        raise ValidationFailed({"role": ADMIN_ROLE})
    if repository.pending_change_for(db, user.id) is not None:
        raise ValidationFailed({"role": ALREADY_ASKED})
    current = (user.role, user.area, user.unit, user.may_unmask, user.may_approve)
    wanted = (new.role.value, new.area, new.unit, new.may_unmask, new.may_approve)
    if current == wanted:
        raise ValidationFailed({"role": NOTHING_CHANGES})
    change = AccessChangeRequest(
        user_id=user.id,
        role=new.role.value,
        area=new.area,
        unit=new.unit,
        may_unmask=new.may_unmask,
        may_approve=new.may_approve,
        state="pending",
        requested_by_id=actor.user_id,
        requested_at=utc_now(),
    )
    db.add(change)
    db.flush()
    accounts.record_event(
        db,
        "access_change_requested",
        actor=actor,
        object_type="access_change_request",
        object_id=change.id,
    )
    log.info("account.access_change_requested change_id=%s user_id=%s", change.id, user.id)
    return change


def _change(unit: Unit, change_id: uuid.UUID) -> AccessChangeRequest:
    _require_admin(unit)
    change = repository.get_change_request(unit.db, change_id)
    if change is None:
        raise NotFound(str(change_id))
    return change


def change_review(unit: Unit, change_id: uuid.UUID) -> ChangeReview:
    change = _change(unit, change_id)
    db = unit.db
    user = repository.get_user(db, change.user_id)
    if user is None:
        raise NotFound(str(change_id))
    return ChangeReview(
        change=change,
        user=user,
        requester=repository.get_user(db, change.requested_by_id),
        decider=repository.get_user(db, change.decided_by_id) if change.decided_by_id else None,
        mine=unit.actor.user_id in {change.requested_by_id, change.user_id},
    )


def decide_change(unit: Unit, change_id: uuid.UUID, *, approve: bool) -> bool:
    """Approve (apply at once) or refuse; never one's own request or one's own account.
    True if the account's access changed."""
    change = _change(unit, change_id)
    db, actor, now = unit.db, unit.actor, utc_now()
    still_open(db, change, actor, lock=f"access-change:{change.user_id}", what="change")
    user = _user(unit, change.user_id)
    if approve and not user.is_active:
        raise Conflict("the account has been deactivated since: refuse this change")
    record_decision(
        db,
        change,
        actor,
        now,
        approve=approve,
        audited_as=("access_change_approved", "access_change_refused"),
        object_type="access_change_request",
    )
    if not approve:
        return False
    return change_access(
        db,
        actor=actor,
        user=user,
        role=change.role_enum,
        area=change.area,
        unit=change.unit,
        may_unmask=change.may_unmask,
        may_approve=change.may_approve,
        now=now,
    )
