"""Deciding a request one administrator asked for and a different one decides (a change of
access, a second-factor reset): the checks before the decision, and the decision recorded and
audited (ids only). Account requests keep their own (portal.accounts.onboarding: a request
decided meanwhile is an answer there, not an error)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import TwoPersonRequest
from portal.accounts.service import record_event
from portal.db.session import serialize_on
from portal.kit.errors import Conflict, NotPermitted


def still_open(
    db: Session, request: TwoPersonRequest, actor: Actor, *, lock: str, what: str
) -> None:
    """Hold ``lock`` (one decision at a time), then check that the request still waits and
    that ``actor`` did not ask for it (``what`` names it in the refusals)."""
    serialize_on(db, lock)
    db.refresh(request)
    if request.state != "pending":
        raise Conflict(f"this {what} has been decided already")
    if request.requested_by_id == actor.user_id:
        raise NotPermitted(f"the administrator who asked for a {what} cannot approve it")


def record_decision(
    db: Session,
    request: TwoPersonRequest,
    actor: Actor,
    now: datetime,
    *,
    approve: bool,
    audited_as: tuple[str, str],
    object_type: str,
) -> None:
    """The decision on the request, and its audit row: ``audited_as`` is the (approved,
    refused) pair of actions."""
    request.decided_by_id = actor.user_id
    request.decided_at = now
    request.state = "approved" if approve else "refused"
    db.flush()
    approved, refused = audited_as
    record_event(
        db,
        approved if approve else refused,
        actor=actor,
        object_type=object_type,
        object_id=request.id,
    )
