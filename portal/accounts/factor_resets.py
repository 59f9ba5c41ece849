"""Resetting a user's second factor: two administrators, and the user is told.

A user who has lost their phone and their recovery codes cannot sign in. One administrator asks
for their factor to be reset; a *different* administrator approves it (a single administrator,
or anyone who has taken over one administrator's account, cannot remove a factor and sign in
as the user with a password they learnt). Approval deletes the factor and its recovery codes,
destroys the data key that sealed the secret, and ends the user's sessions; at their next
sign-in the user sets up the app again and is shown that an administrator reset it
(``FactorReset.told_at`` records that they were told). Every step is audited with ids only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from portal.accounts import factor_repository, factors, repository
from portal.accounts import service as accounts
from portal.accounts.factor_models import FactorReset
from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.two_person import record_decision, still_open
from portal.accounts.unit import Unit
from portal.clock import utc_now
from portal.db.session import serialize_on
from portal.kit.errors import NotFound, NotPermitted, ValidationFailed

log = logging.getLogger(__name__)
ALREADY_ASKED = "A reset of this user's second factor has already been asked for"
NOTHING_TO_RESET = "This user has not set up a second factor"


@dataclass(frozen=True, slots=True)
class FactorsPage:
    users: list[User]
    enrolled: set[uuid.UUID]
    pending: list[tuple[FactorReset, User]]
    names: dict[uuid.UUID, str]  # administrator id -> name, for "asked for by"


def factors_page(unit: Unit) -> FactorsPage:
    _require_admin(unit)
    db = unit.db
    users = repository.list_users(db)
    return FactorsPage(
        users=users,
        enrolled=factor_repository.enrolled_user_ids(db),
        pending=factor_repository.pending_resets(db),
        names={user.id: user.display_name for user in users},
    )


def request_reset(unit: Unit, user_id: uuid.UUID) -> None:
    """Ask for ``user_id``'s second factor to be reset (another administrator approves)."""
    _require_admin(unit)
    db, now = unit.db, utc_now()
    user = repository.get_user(db, user_id)
    if user is None:
        raise NotFound(str(user_id))
    serialize_on(db, f"factor-reset:{user.id}")
    if factor_repository.pending_reset_for(db, user.id) is not None:
        raise ValidationFailed({"reset": ALREADY_ASKED})
    if factor_repository.factor_of(db, user.id) is None:
        raise ValidationFailed({"reset": NOTHING_TO_RESET})
    reset = FactorReset(
        user_id=user.id,
        state="pending",
        requested_by_id=unit.actor.user_id,
        requested_at=now,
    )
    db.add(reset)
    db.flush()
    accounts.record_event(
        db,
        "factor_reset_requested",
        actor=unit.actor,
        object_type="factor_reset",
        object_id=reset.id,
    )
    log.info("factor.reset_requested reset_id=%s user_id=%s", reset.id, user.id)


def decide_reset(unit: Unit, reset_id: uuid.UUID, *, approve: bool) -> None:
    """Approve (remove the factor, end the sessions) or refuse a reset; never one's own ask."""
    _require_admin(unit)
    db, now, actor = unit.db, utc_now(), unit.actor
    reset = factor_repository.get_reset(db, reset_id)
    if reset is None:
        raise NotFound(str(reset_id))
    still_open(db, reset, actor, lock=f"factor-reset:{reset.user_id}", what="reset")
    if approve:
        factors.remove_factors(db, unit.vault, reset.user_id)
        repository.revoke_sessions_of(db, reset.user_id, now)
    record_decision(
        db,
        reset,
        actor,
        now,
        approve=approve,
        audited_as=("factor_reset_approved", "factor_reset_refused"),
        object_type="factor_reset",
    )
    log.info("factor.reset_decided reset_id=%s approved=%s", reset.id, approve)


def _require_admin(unit: Unit) -> None:
    if not unit.actor.can(Permission.ADMINISTER_ACCOUNTS):
        raise NotPermitted("only administrators reset second factors")
