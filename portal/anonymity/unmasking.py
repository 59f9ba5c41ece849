"""Two-person, time-limited, audited unmasking of a sealed identity (issue 7): a request with
a reason and a password re-check, a second person's approval, and the grants in force."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.accounts import service as accounts
from portal.accounts.actor import Actor
from portal.accounts.events import AccessWithdrawn
from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.anonymity import identity
from portal.anonymity.models import (
    UnmaskRequest,
)
from portal.anonymity.recording import about_person, sealed_keys
from portal.audit import service as audit
from portal.audit.ended import end_now
from portal.cases.access import visible_cases
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.models import Case
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.settings import Settings

WRONG_PASSWORD = "The password is not correct"  # noqa: S105
TOO_MANY_TRIES = (
    "You have entered a wrong password too many times. Wait 5 minutes before you try again, "
    "or contact your service desk"
)


def _permitted(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id)
    if (
        user is None
        or not user.may_unmask
        or not user.is_active
        or not actor.can(Permission.REQUEST_UNMASK)
    ):
        raise NotPermitted("you do not have the permission to see sealed identities")
    return user


def _refuse(
    db: Session,
    settings: Settings,
    user: User,
    password: str,
    errors: dict[str, str],
    *,
    client: str,
    purpose: str,
) -> None:
    """Raise ``ValidationFailed`` with ``errors`` and the password's problem, if there are any."""
    problem = _password_problem(db, settings, user, password, client=client, purpose=purpose)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)


def _password_problem(
    db: Session, settings: Settings, user: User, password: str, *, client: str, purpose: str
) -> str | None:
    """Re-check the password through the sign-in throttle (counted, logged and audited)."""
    if not password:
        return "Enter your password"
    outcome = accounts.recheck_password(
        db,
        settings=settings,
        user=user,
        password=password,
        client=client,
        purpose=purpose,
        now=utc_now(),
    )
    if outcome is accounts.Recheck.THROTTLED:
        return TOO_MANY_TRIES
    if outcome is accounts.Recheck.WRONG:
        return WRONG_PASSWORD
    return None


def request_unmask(
    db: Session,
    vault: Vault,
    actor: Actor,
    settings: Settings,
    case: Case,
    person: Person,
    *,
    reason: str,
    password: str,
    client: str,
) -> UnmaskRequest:
    user = _permitted(db, actor)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why you need to see this person's identity"
    elif len(reason) > 2000:
        errors["reason"] = "The reason must be 2,000 characters or fewer"
    errors |= identity.case_text_errors(
        db, vault, case.id, {"reason": ("The reason", reason)}, also=person
    )
    _refuse(db, settings, user, password, errors, client=client, purpose="unmask.request")
    request = UnmaskRequest(
        **sealed_keys(case, person),
        approver_role=approver_rule(settings, actor.role),
        state="pending",
        requested_by_id=actor.user_id,
        requested_at=utc_now(),
    )
    vault.put(request, "reason", reason.strip())
    db.add(request)
    db.flush()
    about_person(db, actor, request, person, category="security", action="unmask.request")
    return request


# What the second person may decide; none is assumed (the form pre-selects nothing).
DECISIONS = {
    "approve": "Approve",
    "refuse": "Refuse",
    "return": "Return to the requester with a comment",
}
OUTCOMES = {
    "pending": "Waiting for a second person",
    "approved": "Approved",
    "refused": "Refused",
    "returned": "Returned with a comment",
}


def approver_rule(settings: Settings, requester: Role) -> str | None:
    """The role that must decide a request made by ``requester`` (None: any holder of the
    permission who may unmask). A witness care officer's request has its own rule."""
    if requester is Role.WITNESS_CARE_OFFICER:
        return settings.wcu_unmask_approver_role
    return None


def refusal(
    user: User | None,
    actor: Actor,
    request: UnmaskRequest,
    case_area: str | None,
    *,
    in_scope: bool = False,
) -> str | None:
    """Why ``actor`` may not decide ``request`` (None: they may). The pool is set by permission
    (the permission, the user's flag, the request's approver rule) over the case's whole Area,
    not only the cases the approver works on, so a request can always find its second person."""
    if (
        user is None
        or not user.is_active
        or not user.may_unmask
        or not actor.can(Permission.APPROVE_UNMASK)
    ):
        return "you do not have the permission to approve requests to see sealed identities"
    if actor.user_id == request.requested_by_id:
        return "a second person must decide: you cannot decide your own request"
    if request.approver_role and actor.role.value != request.approver_role:
        return "this request must be decided by a " + Role(request.approver_role).label.lower()
    if not in_scope and (not actor.area or actor.area != case_area):
        return "this request must be decided by someone in the case's Area"
    return None


def in_scope(db: Session, actor: Actor, case_id: uuid.UUID) -> bool:
    """Whether the case is one the actor works on (their own scope)."""
    found = db.scalar(select(Case.id).where(Case.id == case_id, visible_cases(actor)))
    return found is not None


def approve_unmask(
    db: Session,
    vault: Vault,
    actor: Actor,
    settings: Settings,
    request: UnmaskRequest,
    case: Case,
    *,
    password: str,
    client: str,
    decision: str | None,
    comment: str = "",
) -> None:
    """The second person's decision: approve, refuse, or return with a comment. ``decision``
    is None when they chose nothing: nothing is assumed, the choice must be made."""
    user = db.get(User, actor.user_id)
    problem = refusal(user, actor, request, case.area, in_scope=in_scope(db, actor, case.id))
    if problem or user is None:
        raise NotPermitted(problem or "not permitted")
    if request.state != "pending":
        raise NotPermitted("this request has already been decided")
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = "Select whether you approve, refuse or return this request"
    comment = comment.strip()
    if decision == "return" and not comment:
        errors["comment"] = "Enter a comment for the requester"
    elif len(comment) > 2000:
        errors["comment"] = "The comment must be 2,000 characters or fewer"
    errors |= identity.case_text_errors(
        db, vault, request.case_id, {"comment": ("The comment", comment)}
    )
    _refuse(db, settings, user, password, errors, client=client, purpose="unmask.decide")
    now = utc_now()
    approve = decision == "approve"
    request.state = {"approve": "approved", "refuse": "refused", "return": "returned"}[
        str(decision)
    ]
    request.approved_by_id = actor.user_id
    request.decided_at = now
    vault.put(request, "decision_comment", comment or None)
    if approve:
        request.expires_at = now + timedelta(minutes=settings.unmask_minutes)
    db.flush()
    action = {"approve": "unmask.approve", "refuse": "unmask.refuse"}.get(
        str(decision), "unmask.return"
    )
    category = "disclosure" if approve else "security"
    _record_about(db, actor, request, category, action, told=request.requested_by_id)


def _in_force(user_id: uuid.UUID, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The user's approved grants that have not yet expired at ``now``."""
    return (
        UnmaskRequest.requested_by_id == user_id,
        UnmaskRequest.state == "approved",
        UnmaskRequest.expires_at > now,
    )


def active_grants(db: Session, actor: Actor) -> set[int]:
    """Person key ids this user may see unsealed right now.

    Checked on every request against the user's access as it is now (issue 18 point 5): a grant
    works only while its holder may still unmask (role and flag, an active account) and may
    still see the case it was given for, in their own scope (break-glass opens no grant)."""
    if not actor.can(Permission.REQUEST_UNMASK):
        return set()
    now = utc_now()
    in_scope = visible_cases(replace(actor, emergency_cases=frozenset()))
    return set(
        db.scalars(
            select(UnmaskRequest.key_id)
            .join(User, User.id == UnmaskRequest.requested_by_id)
            .join(Case, Case.id == UnmaskRequest.case_id)
            .where(
                *_in_force(actor.user_id, now),
                User.is_active.is_(True),
                User.may_unmask.is_(True),
                in_scope,
            )
        )
    )


def record_unmasked_views(db: Session, actor: Actor, key_ids: set[int]) -> None:
    """One disclosure row per grant whose identity a page showed (the page's own consultation
    row, beside it, says which page)."""
    now = utc_now()
    grants = db.scalars(
        select(UnmaskRequest).where(
            *_in_force(actor.user_id, now), UnmaskRequest.key_id.in_(key_ids)
        )
    )
    for grant in list(grants):
        _record_about(db, actor, grant, "disclosure", "unmask.view", told=actor.user_id)


def _record_about(
    db: Session,
    actor: Actor,
    request: UnmaskRequest,
    category: str,
    action: str,
    *,
    told: uuid.UUID,
) -> None:
    """The entry of a decision on, or a use of, an unmask request: its person, and the user
    the identity goes to (``told``)."""
    subject = db.get(Person, request.person_id)
    audit.record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type="unmask_request",
        object_id=request.id,
        case_id=request.case_id,
        subject_id=request.person_id,
        subject_ref=subject.reference if subject else None,
        recipient=f"user:{told}",
    )


def end_grants(db: Session, event: AccessWithdrawn) -> None:
    """A role changed or an account deactivated: its live grants end now, each audited."""
    now = utc_now()
    live = db.scalars(select(UnmaskRequest).where(*_in_force(event.user_id, now)))
    end_now(db, event, live, now, action="unmask.grant_ended", object_type="unmask_request")


def requests_for(db: Session, person_id: uuid.UUID) -> list[UnmaskRequest]:
    return list(
        db.scalars(
            select(UnmaskRequest)
            .where(UnmaskRequest.person_id == person_id)
            .order_by(UnmaskRequest.requested_at.desc())
        )
    )
