"""How each defendant's prosecution was finalised (the performance review counts these)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.audit import service as audit
from portal.cases.models import Case, Defendant
from portal.clock import utc_now
from portal.kit.errors import ValidationFailed
from portal.outcomes import repository
from portal.outcomes.models import DefendantOutcome, Finalised
from portal.outcomes.service.common import require


def record(
    db: Session,
    actor: Actor,
    case: Case,
    defendant: Defendant,
    *,
    outcome: Finalised,
    finalised_on: date,
    today: date,
) -> DefendantOutcome:
    """Record (or correct) the defendant's finalised outcome."""
    require(actor, Permission.RECORD_COURT_ORDERS, "a finalised outcome")
    if finalised_on > today:
        raise ValidationFailed({"finalised_on": "The date finalised must be today or in the past"})
    row = repository.finalised_for(db, defendant)
    created = row is None
    if row is None:
        row = DefendantOutcome(case_id=case.id, defendant_id=defendant.id)
        db.add(row)
    row.outcome = outcome.value
    row.finalised_on = finalised_on
    row.recorded_by_id = actor.user_id
    row.recorded_at = utc_now()
    db.flush()
    audit.record_in_case(
        db,
        actor,
        "collection" if created else "alteration",
        "outcomes.finalised.record",
        ("defendant", defendant.id, case.id),
        f"outcome={row.outcome}",
    )
    return row
