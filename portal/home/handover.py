"""Deactivating an account and handing its open work to a colleague, in one step (issue 16
point 7): the page lists what the account holds (its open cases, their open entitlements, its
open safeguarding actions, the letters returned to it to redraft), and the administrator gives
a reason, names a colleague of the same role, Area and unit, and confirms. The account is
switched off (its sessions end at once: portal.accounts.service.set_active), the work moves and
the reason is kept, in one transaction and each in the audit log; nothing is left with nobody.

Composed here, not in portal.accounts, because it reads cases, people and the VLU, which all
import portal.accounts (as My work is composed here: portal.home.work)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.accounts import repository as accounts_repository
from portal.accounts import service as accounts
from portal.accounts.administration import other_account
from portal.accounts.models import Deactivation, DeactivationReason, User
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.clock import utc_now
from portal.db.session import serialize_on
from portal.home import handover_repository
from portal.home.handover_repository import WorkHeld
from portal.kit.errors import NotPermitted, ValidationFailed

DETAIL_MAX = 500


@dataclass(frozen=True, slots=True)
class DeactivationPage:
    user: User
    work: WorkHeld
    colleagues: list[User]


def _account(unit: Unit, user_id: uuid.UUID) -> User:
    if not unit.actor.can(Permission.ADMINISTER_ACCOUNTS):
        raise NotPermitted("only administrators deactivate accounts")
    return other_account(unit, user_id, own="administrators cannot deactivate themselves")


def deactivation_page(unit: Unit, user_id: uuid.UUID) -> DeactivationPage:
    user = _account(unit, user_id)
    db = unit.db
    return DeactivationPage(
        user=user,
        work=handover_repository.work_held(db, user.id, user.role),
        colleagues=accounts_repository.colleagues_of(db, user),
    )


def _errors(
    reason: DeactivationReason | None,
    detail: str,
    confirmed: bool,
    handed_to: uuid.UUID | None,
    page: DeactivationPage,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if reason is None:
        errors["reason"] = "Select why the account is being deactivated"
    if reason is DeactivationReason.OTHER and not detail:
        errors["detail"] = "Explain why the account is being deactivated"
    elif len(detail) > DETAIL_MAX:
        errors["detail"] = f"The explanation must be {DETAIL_MAX} characters or fewer"
    if not page.work.empty:
        if not page.colleagues:
            errors["handed_to"] = (
                "No colleague with the same role, Area and unit can take over this work: "
                "ask for their account first"
            )
        elif handed_to not in {c.id for c in page.colleagues}:
            errors["handed_to"] = "Select the colleague who takes over this work"
    if not confirmed:
        errors["confirm"] = "Confirm that the account is to be deactivated"
    return errors


def deactivate(
    unit: Unit,
    user_id: uuid.UUID,
    *,
    reason: DeactivationReason | None,
    detail: str,
    handed_to: uuid.UUID | None,
    confirmed: bool,
) -> Deactivation:
    """Switch the account off and hand its open work over, all or nothing."""
    db, actor = unit.db, unit.actor
    # One handover at a time: two at once could each hand work to the other's account.
    serialize_on(db, "account-handover")
    page = deactivation_page(unit, user_id)
    user = page.user
    if not user.is_active:
        raise NotPermitted("this account is already deactivated")
    detail = detail.strip()
    errors = _errors(reason, detail, confirmed, handed_to, page)
    if errors:
        raise ValidationFailed(errors)
    assert reason is not None
    now = utc_now()
    accounts.set_active(db, actor=actor, user=user, active=False, now=now)
    to_id = handed_to if not page.work.empty else None
    record = Deactivation(
        user_id=user.id,
        reason=reason.value,
        detail=detail,
        deactivated_by_id=actor.user_id,
        deactivated_at=now,
        handed_to_id=to_id,
    )
    if to_id is not None:
        cases, actions, letters = handover_repository.hand_over(db, user.id, to_id)
        record.cases_moved, record.actions_moved, record.letters_moved = (
            len(cases),
            actions,
            letters,
        )
        for case_id in cases:
            audit.record(
                db,
                actor=actor,
                category="alteration",
                action="case.reassigned",
                object_type="case_file",
                object_id=case_id,
                case_id=case_id,
                purpose="handover",
            )
        accounts.record_event(
            db, "work_handed_over", actor=actor, object_id=user.id, purpose=reason.value
        )
    db.add(record)
    db.flush()
    return record
