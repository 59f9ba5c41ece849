"""What the request edge needs to know, once per request: the signed-in user's live
break-glass uses. They widen the case scope (``Actor.emergency_cases``), feed the banner every
page shows while one lasts, and every request for a page of such a case adds a break-glass row
to the access log, besides the page's own row (``repository.VIEW_ACTION``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission, role_can
from portal.accounts.service import ActiveSession
from portal.audit import service as audit
from portal.breakglass import repository
from portal.clock import utc_now
from portal.kit.ids import as_uuid


@dataclass(frozen=True, slots=True)
class LiveUse:
    use_id: uuid.UUID
    case_id: uuid.UUID
    case_urn: str
    reason: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class BreakGlass:
    """The user's live uses (none for most requests)."""

    uses: tuple[LiveUse, ...] = ()

    @property
    def case_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(use.case_id for use in self.uses)

    def __bool__(self) -> bool:
        return bool(self.uses)


NONE = BreakGlass()


def emergency_access(
    db: Session, active: ActiveSession | None, path_params: Mapping[str, object]
) -> BreakGlass:
    """The live uses of ``active``'s user; logs a break-glass row if the URL is one's case."""
    if active is None or not role_can(active.user.role_enum, Permission.SEE_PERSONAL_DETAILS):
        return NONE

    found = BreakGlass(
        tuple(
            LiveUse(u.id, u.case_id, u.case_urn, u.reason_label, u.expires_at)
            for u in repository.live_uses(db, active.user.id, utc_now())
        )
    )
    case_id = as_uuid(path_params.get("case_id"))
    for use in found.uses:
        if use.case_id == case_id:
            user = active.user
            actor = Actor(user.id, user.role_enum, user.area, user.unit, found.case_ids)
            audit.record(
                db,
                actor=actor,
                category="consultation",
                action=repository.VIEW_ACTION,
                object_type="break_glass",
                object_id=use.use_id,
                case_id=use.case_id,
                purpose="break_glass",
            )
    return found
