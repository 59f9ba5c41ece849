"""Victims identified late keep their rights (issue 15.2).

A person added to a case (by the form or an import), given a new role, or found to have
enhanced rights after events were recorded is owed what those events give them: an obligation
per entitlement, due from the date they were identified (``identified_on``), with the original
trigger kept in ``trigger_on`` and shown. A victim found to have enhanced rights after the
trigger gets the enhanced time limit from the date that was found, never a later date than the
one already owed. Nothing is created twice: the once-per-event constraint and a lookup.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases.models import Case, CaseEvent, CaseParty
from portal.cases.repository import parties_with_people
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.enhanced import is_child_on
from portal.victims_code.models import Obligation
from portal.victims_code.rules import RulesError, RulesVersion, rules_in_force
from portal.victims_code.service import (
    applies,
    born_on,
    case_facts,
    due_under,
    enhanced_on,
    new_obligation,
    record_created,
    rules_version,
    triggers_for,
)


def create_for_identified(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party_ids: tuple[uuid.UUID, ...],
    *,
    identified_on: date,
) -> list[Obligation]:
    """The obligations the case's recorded events owe people identified on ``identified_on``."""
    events = list(
        db.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.event_date <= identified_on)
            .order_by(CaseEvent.event_date, CaseEvent.id)
        )
    )
    if not events or not party_ids:
        return []
    rows = db.execute(
        parties_with_people(case).where(CaseParty.id.in_(party_ids)).order_by(CaseParty.id)
    ).all()
    vault.load({person.key_id for _, person in rows})
    facts = case_facts(db, case)
    existing = {
        (o.case_party_id, o.entitlement, o.event_id): o
        for o in db.scalars(select(Obligation).where(Obligation.case_party_id.in_(party_ids)))
    }
    created: list[Obligation] = []
    for party, person in rows:
        born = born_on(vault, person) if not person.erased else None
        for event in events:
            try:
                rules = rules_in_force(event.event_date)
            except RulesError:
                continue
            triggers = triggers_for(event)
            late = event.event_date < identified_on
            enhanced = enhanced_on(party, facts, born, event.event_date)
            for entitlement in rules.entitlements:
                if entitlement.trigger not in triggers:
                    continue
                if not applies(entitlement, event, party, facts):
                    continue
                owed = existing.get((party.id, entitlement.code, event.id))
                if owed is not None:
                    if late and enhanced and not owed.enhanced:
                        _enhance(owed, rules_version(owed.rules_version), identified_on)
                    continue
                start = identified_on if late else event.event_date
                received = None if late else event.received_on
                due = due_under(rules, entitlement, start, received, enhanced)
                obligation = new_obligation(
                    party,
                    event,
                    entitlement,
                    rules,
                    enhanced=enhanced,
                    child=is_child_on(born, event.event_date),
                    due_on=due.due,
                    identified_on=identified_on if late else None,
                )
                db.add(obligation)
                existing[(party.id, entitlement.code, event.id)] = obligation
                created.append(obligation)
    return record_created(
        db, actor, created, action="obligations.create_late", subject=("case", case.id)
    )


def _enhance(obligation: Obligation, rules: RulesVersion, identified_on: date) -> None:
    """Enhanced rights found after the trigger: the enhanced limit from the day they were found,
    unless the date already owed is sooner. Only open obligations change."""
    if obligation.state != "open":
        return
    entitlement = rules.get(obligation.entitlement)
    due = due_under(rules, entitlement, identified_on, None, True).due
    obligation.enhanced = True
    obligation.identified_on = identified_on
    if due is not None and (obligation.due_on is None or due < obligation.due_on):
        obligation.due_on = due
    obligation.changed_at = utc_now()
