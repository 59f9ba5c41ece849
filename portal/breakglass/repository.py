"""Every break-glass query. The case itself is found through the case repository (unscoped on
purpose, by URN only), never selected here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.breakglass.models import BreakGlassUse
from portal.cases.repository import case_holding_urn
from portal.cases.repository import staff_names as staff_names

VIEW_ACTION = "breakglass.view"


def case_id_for_urn(db: Session, urn: str) -> uuid.UUID | None:
    return case_holding_urn(db, urn)


def live_uses(db: Session, user_id: uuid.UUID, now: datetime) -> Sequence[BreakGlassUse]:
    return db.scalars(
        select(BreakGlassUse)
        .where(BreakGlassUse.user_id == user_id, BreakGlassUse.expires_at > now)
        .order_by(BreakGlassUse.expires_at)
    ).all()


def unreviewed(db: Session) -> Sequence[BreakGlassUse]:
    return db.scalars(
        select(BreakGlassUse)
        .where(BreakGlassUse.reviewed_at.is_(None))
        .order_by(BreakGlassUse.started_at)
    ).all()


def get_use(db: Session, use_id: uuid.UUID) -> BreakGlassUse | None:
    return db.get(BreakGlassUse, use_id)


def views_of(db: Session, uses: Sequence[BreakGlassUse]) -> dict[str, int]:
    """How many pages of its case each use showed (its break-glass rows in the access log),
    by use id; read through the log's case index."""
    if not uses:
        return {}
    rows = db.execute(
        select(AuditEvent.object_id, func.count())
        .where(
            AuditEvent.case_id.in_({u.case_id for u in uses}),
            AuditEvent.action == VIEW_ACTION,
            AuditEvent.object_id.in_([str(u.id) for u in uses]),
        )
        .group_by(AuditEvent.object_id)
    )
    return {str(object_id): count for object_id, count in rows}
