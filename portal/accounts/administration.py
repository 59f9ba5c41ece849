"""Account administration as use cases for the edge (portal.accounts.admin_routes): each takes
the request's ``Unit`` and makes the one call its page needs. The rules and the audit rows are
in portal.accounts.onboarding and portal.accounts.service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

from portal.accounts import onboarding, repository
from portal.accounts import service as accounts
from portal.accounts.errors import RequestAlreadyDecided, UsernameTaken
from portal.accounts.models import AccessChangeRequest, AccountRequest, User
from portal.accounts.onboarding import AccountDetails, IssuedCode
from portal.accounts.unit import Unit
from portal.clock import utc_now
from portal.kit.errors import NotFound, NotPermitted, ValidationFailed
from portal.settings import Settings

USERNAME_TAKEN = "A user with this username already exists or has been asked for"
USERNAME_NOW_TAKEN = "A user with this username now exists: refuse this request"


@dataclass(frozen=True, slots=True)
class UsersPage:
    users: list[User]
    pending: list[tuple[AccountRequest, User]]
    requested_by: dict[uuid.UUID, uuid.UUID]
    changes: list[tuple[AccessChangeRequest, User]]


def users_page(unit: Unit) -> UsersPage:
    db = unit.db
    return UsersPage(
        users=repository.list_users(db),
        pending=repository.pending_requests(db),
        requested_by=repository.requesters_of_accounts(db),
        changes=repository.pending_changes(db),
    )


def request_account(unit: Unit, details: AccountDetails) -> AccountRequest:
    """Ask for an account (a second administrator approves it); a taken username is the
    form's error."""
    try:
        return onboarding.request_account(unit.db, unit.actor, details, now=utc_now())
    except UsernameTaken:
        raise ValidationFailed({"username": USERNAME_TAKEN}) from None


def _request(unit: Unit, request_id: uuid.UUID) -> AccountRequest:
    request = repository.get_request(unit.db, request_id)
    if request is None:
        raise NotFound(str(request_id))
    return request


def _user(unit: Unit, user_id: uuid.UUID) -> User:
    user = repository.get_user(unit.db, user_id)
    if user is None:
        raise NotFound(str(user_id))
    return user


def other_account(unit: Unit, user_id: uuid.UUID, *, own: str) -> User:
    """The account an administrator acts on, which is never their own (refused with ``own``:
    nobody changes their own access, nor deactivates themselves)."""
    user = _user(unit, user_id)
    if user.id == unit.actor.user_id:
        raise NotPermitted(own)
    return user


@dataclass(frozen=True, slots=True)
class RequestReview:
    account_request: AccountRequest
    requester: User | None
    decider: User | None
    mine: bool


def request_review(unit: Unit, request_id: uuid.UUID) -> RequestReview:
    request = _request(unit, request_id)
    db = unit.db
    return RequestReview(
        account_request=request,
        requester=repository.get_user(db, request.requested_by_id),
        decider=repository.get_user(db, request.decided_by_id) if request.decided_by_id else None,
        mine=unit.actor.user_id == request.requested_by_id,
    )


class Decided(Enum):
    APPROVED = "approved"
    REFUSED = "refused"
    ALREADY = "already"  # someone else decided first


@dataclass(frozen=True, slots=True)
class Decision:
    request_id: uuid.UUID
    outcome: Decided
    issued: IssuedCode | None = None


def decide(unit: Unit, settings: Settings, request_id: uuid.UUID, *, approve: bool) -> Decision:
    """Approve or refuse the request; a username taken meanwhile is the form's error."""
    request = _request(unit, request_id)
    try:
        issued = onboarding.decide(
            unit.db, unit.actor, settings, request, approve=approve, now=utc_now()
        )
    except RequestAlreadyDecided:
        return Decision(request.id, Decided.ALREADY)
    except UsernameTaken:
        raise ValidationFailed({"decision": USERNAME_NOW_TAKEN}) from None
    if issued is None:
        return Decision(request.id, Decided.REFUSED)
    return Decision(request.id, Decided.APPROVED, issued)


def issue_setup_code(unit: Unit, settings: Settings, user_id: uuid.UUID) -> IssuedCode:
    user = _user(unit, user_id)
    return onboarding.issue_setup_code(unit.db, unit.actor, settings, user, now=utc_now())


def set_active(unit: Unit, user_id: uuid.UUID, *, active: bool) -> None:
    user = _user(unit, user_id)
    accounts.set_active(unit.db, actor=unit.actor, user=user, active=active, now=utc_now())
