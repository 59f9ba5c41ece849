"""What the Victim Liaison Unit does when something happens in a case (portal.kit.events,
wired in portal.wiring after the Victims' Code's handlers, whose obligations it links to): a
letter request per victim owed a VCL letter, also for victims identified late."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases.events import CaseEventRecorded, PeopleIdentified
from portal.cases.models import Case, CaseEvent
from portal.keys.vault import Vault
from portal.vlu.service import DECISION_KINDS, requests_for_event


def on_case_event_recorded(db: Session, event: CaseEventRecorded) -> None:
    case, recorded = db.get(Case, event.case_id), db.get(CaseEvent, event.event_id)
    if case is None or recorded is None:
        raise LookupError("the case event published is not in this transaction")
    requests_for_event(db, Vault.of(db), event.actor, case, recorded)


def on_people_identified(db: Session, event: PeopleIdentified) -> None:
    """The decisions already recorded owe the newly identified victims their letters (the
    obligations exist by now; requests_for_event adds only the missing requests)."""
    case = db.get(Case, event.case_id)
    if case is None:
        raise LookupError("the case published is not in this transaction")
    decisions = db.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(sorted(DECISION_KINDS)))
        .order_by(CaseEvent.event_date, CaseEvent.id)
    )
    vault = Vault.of(db)
    for decision in list(decisions):
        requests_for_event(db, vault, event.actor, case, decision)
