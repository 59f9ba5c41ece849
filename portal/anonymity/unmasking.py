"""Two-person, time-limited, audited unmasking of a sealed identity (issue 7): a request with
a reason and a password re-check, a second person's approval, and the grants in force."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import service as accounts
from portal.accounts.actor import Actor
from portal.accounts.events import AccessWithdrawn
from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.anonymity import identity
from portal.anonymity.models import (
    UnmaskRequest,
)
from portal.anonymity.recording import about_person, sealed_keys
from portal.audit import service as audit
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
    if user is None or not user.may_unmask or not user.is_active:
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
        state="pending",
        requested_by_id=actor.user_id,
        requested_at=utc_now(),
    )
    vault.put(request, "reason", reason.strip())
    db.add(request)
    db.flush()
    about_person(db, actor, request, person, category="security", action="unmask.request")
    return request


def approve_unmask(
    db: Session,
    actor: Actor,
    settings: Settings,
    request: UnmaskRequest,
    *,
    password: str,
    client: str,
    approve: bool | None = True,
) -> None:
    """The second person's decision. ``approve`` is None when they chose nothing: nothing is
    assumed, the choice must be made."""
    user = _permitted(db, actor)
    if request.state != "pending":
        raise NotPermitted("this request has already been decided")
    if actor.user_id == request.requested_by_id:
        raise NotPermitted("a second person must approve")
    errors: dict[str, str] = {}
    if approve is None:
        errors["decision"] = "Select whether you approve or refuse this request"
    _refuse(db, settings, user, password, errors, client=client, purpose="unmask.decide")
    now = utc_now()
    request.state = "approved" if approve else "refused"
    request.approved_by_id = actor.user_id
    request.decided_at = now
    if approve:
        request.expires_at = now + timedelta(minutes=settings.unmask_minutes)
    db.flush()
    subject = db.get(Person, request.person_id)
    audit.record(
        db,
        actor=actor,
        category="disclosure" if approve else "security",
        action="unmask.approve" if approve else "unmask.refuse",
        object_type="unmask_request",
        object_id=request.id,
        case_id=request.case_id,
        subject_id=request.person_id,
        subject_ref=subject.reference if subject else None,
        recipient=f"user:{request.requested_by_id}",
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
                UnmaskRequest.requested_by_id == actor.user_id,
                UnmaskRequest.state == "approved",
                UnmaskRequest.expires_at > now,
                User.is_active.is_(True),
                User.may_unmask.is_(True),
                in_scope,
            )
        )
    )


def end_grants(db: Session, event: AccessWithdrawn) -> None:
    """A role changed or an account deactivated: its live grants end now, each audited."""
    now = utc_now()
    live = db.scalars(
        select(UnmaskRequest).where(
            UnmaskRequest.requested_by_id == event.user_id,
            UnmaskRequest.state == "approved",
            UnmaskRequest.expires_at > now,
        )
    )
    for grant in list(live):
        grant.expires_at = now
        audit.record(
            db,
            actor=event.actor,
            category="security",
            action="unmask.grant_ended",
            object_type="unmask_request",
            object_id=grant.id,
            case_id=grant.case_id,
            purpose=event.why,
        )
    db.flush()


def requests_for(db: Session, person_id: uuid.UUID) -> list[UnmaskRequest]:
    return list(
        db.scalars(
            select(UnmaskRequest)
            .where(UnmaskRequest.person_id == person_id)
            .order_by(UnmaskRequest.requested_at.desc())
        )
    )
