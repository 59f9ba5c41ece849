"""What the Victims' Code does when something happens in a case (portal.kit.events, wired in
portal.wiring): obligations for a recorded event, due dates after a correction, and the rights
of people identified late."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.cases.events import (
    CaseEventCorrected,
    CaseEventRecorded,
    NeedsAssessmentRecorded,
    PeopleIdentified,
)
from portal.cases.models import Case, CaseEvent
from portal.keys.vault import Vault
from portal.victims_code.late import create_for_identified
from portal.victims_code.lifecycle import met_by_work
from portal.victims_code.service import create_for_event, recompute_for_event


def _load(db: Session, case_id: object, event_id: object) -> tuple[Case, CaseEvent]:
    case, event = db.get(Case, case_id), db.get(CaseEvent, event_id)
    if case is None or event is None:
        raise LookupError("the case event published is not in this transaction")
    return case, event


def on_case_event_recorded(db: Session, event: CaseEventRecorded) -> None:
    case, recorded = _load(db, event.case_id, event.event_id)
    create_for_event(db, Vault.of(db), event.actor, case, recorded)


def on_case_event_corrected(db: Session, event: CaseEventCorrected) -> None:
    _, corrected = _load(db, event.case_id, event.event_id)
    recompute_for_event(db, event.actor, corrected)


def on_people_identified(db: Session, event: PeopleIdentified) -> None:
    case = db.get(Case, event.case_id)
    if case is None:
        raise LookupError("the case published is not in this transaction")
    create_for_identified(
        db, Vault.of(db), event.actor, case, event.party_ids, identified_on=event.identified_on
    )


def on_needs_assessment_recorded(db: Session, event: NeedsAssessmentRecorded) -> None:
    met_by_work(
        db,
        Vault.of(db),
        event.actor,
        event.party_id,
        work="needs_assessment",
        done_on=event.assessed_on,
    )
