"""The letters a bulk send left unsent: the list (filtered by reason, paged), its export, and the
request to the case's witness care officer for the missing safe-contact details.

The reasons are recorded by the send itself (``service.bulk.record_unsent``); a letter leaves
the list when it is sent, by hand or by the next bulk send ("Send the rest": the same bulk send
again, which takes only letters not yet sent, so none goes twice). The request to witness care
is a safeguarding action for each person, owned by the case's witness care officer, so it is on
their My work; once they record a safe way to contact the person, the letter can be sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.models import Case
from portal.clock import to_london, utc_now
from portal.kit.csvsafe import CsvTable
from portal.kit.paging import Page as PageOf
from portal.people.models import SafeguardingAction
from portal.people.safeguarding import add_change
from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.vlu import repository, unsent_repository
from portal.vlu.contact import ASK_WITNESS_CARE, UNSENT_REASONS, bulk_channel
from portal.vlu.models import VluDecision
from portal.vlu.service.bulk import eligible_count
from portal.vlu.service.common import audit_decision, london_today, recipient_for
from portal.vlu.service.pages import ReadModel, decision_labels, display_name
from portal.vlu.unsent_repository import UnsentRow

PER_PAGE = 25
# How soon witness care is asked to act: the letter's own deadline, or sooner than this.
ASK_WITHIN_WORKING_DAYS = 2
ASKED = (
    "Record a safe way to contact this victim, and the contact detail it needs, so the Victim "
    "Liaison Unit can send the decision letter. The bulk send could not: {reason}."
)
NOTHING_TO_ASK = (
    "There are no letters waiting for safe-contact details that witness care has not already "
    "been asked about"
)
NO_OFFICER = (
    "No witness care officer is assigned to this case. Ask the case's witness care unit to "
    "assign one first"
)


def _require(unit: Unit) -> None:
    if not unit.actor.can(Permission.RUN_BULK_LETTERS):
        raise NotPermitted("only Victim Liaison Unit officers work on bulk letters")


def reasons_of(codes: list[str]) -> list[str]:
    """The reason filter from the query string: codes not offered are no filter."""
    return [code for code in codes if code in UNSENT_REASONS]


@dataclass(frozen=True, slots=True)
class NotSentPage(ReadModel):
    decision: VluDecision
    case: Case
    counts: dict[str, int]
    left: int
    reasons: list[str]
    page: PageOf[UnsentRow]
    names: dict[uuid.UUID, Any]
    ready: set[uuid.UUID]  # requests whose person can now be sent the letter
    to_ask: int
    sendable: int
    today: date

    def extra(self) -> dict[str, Any]:
        return {
            "reason_labels": UNSENT_REASONS,
            "decision_labels": decision_labels(),
            "ask_reasons": ASK_WITNESS_CARE,
        }


def _ready(unit: Unit, rows: list[UnsentRow]) -> set[uuid.UUID]:
    """The rows whose person now has a safe channel a bulk send may use (their officer recorded
    it since): only the safe-contact rules are opened."""
    return {
        row.request.id
        for row in rows
        if bulk_channel(
            recipient_for(unit.vault, row.person),
            letter_carries_identity=bool(row.person.identity_sealed),
        )
        is not None
    }


def not_sent_page(
    unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID, *, reasons: list[str], page: int
) -> NotSentPage:
    """The letters of the decision still unsent, earliest deadline first, filtered by reason.
    The people listed are logged as consulted."""
    _require(unit)
    db, actor, vault = unit.db, unit.actor, unit.vault
    decision, case = repository.get_decision(db, actor, case_id, decision_id)
    rows = unsent_repository.page_of(db, decision.id, reasons, page=page, per_page=PER_PAGE)
    vault.load({row.person.key_id for row in rows.items})
    names = {row.person.id: display_name(vault, row.person) for row in rows.items}
    audit.people_listed(db, actor, "person.vlu_not_sent", [r.person for r in rows.items], case.id)
    counts = unsent_repository.counts(db, decision.id)
    return NotSentPage(
        decision=decision,
        case=case,
        counts=counts,
        left=sum(counts.values()),
        reasons=reasons,
        page=rows,
        names=names,
        ready=_ready(unit, list(rows.items)),
        to_ask=unsent_repository.to_ask_count(db, decision.id, ASK_WITNESS_CARE),
        sendable=eligible_count(db, actor, decision, "send_all"),
        today=london_today(),
    )


EXPORT_HEADINGS = [
    "Reference",
    "Name",
    "Why not sent",
    "Letter deadline",
    "Witness care asked",
    "Can be sent now",
]


def not_sent_csv(
    unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID, *, reasons: list[str]
) -> CsvTable:
    """Every letter of the decision still unsent (with the filter), as a CSV table; each person
    in it is logged as disclosed to the officer who downloads it."""
    _require(unit)
    db, actor, vault = unit.db, unit.actor, unit.vault
    decision, case = repository.get_decision(db, actor, case_id, decision_id)
    rows = unsent_repository.all_of(db, decision.id, reasons)
    vault.load({row.person.key_id for row in rows})
    ready = _ready(unit, rows)
    table = CsvTable(EXPORT_HEADINGS)
    recipient = f"user:{actor.user_id}"
    for row in rows:
        name = (
            row.person.reference if row.person.erased else vault.open_text(row.person, "full_name")
        )
        asked = row.unsent.asked_at
        table.add(
            [
                row.person.reference,
                name or row.person.reference,
                UNSENT_REASONS.get(row.unsent.reason, row.unsent.reason),
                row.due_on,
                to_london(asked).date() if asked else None,
                "Yes" if row.request.id in ready else "No",
            ]
        )
        where = ("person", row.person.id, case.id)
        audit.record_in_case(
            db,
            actor,
            "disclosure",
            "vlu.not_sent.export",
            where,
            "full_name",
            "reference",
            person=row.person,
            recipient=recipient,
        )
    audit_decision(
        db,
        actor,
        decision,
        category="disclosure",
        action="vlu.not_sent.export",
        fields=[f"count={len(rows)}"],
        recipient=recipient,
    )
    return table


def _ask_by(due_on: date | None, today: date) -> date:
    soon = ENGLAND_AND_WALES.add_working_days(today, ASK_WITHIN_WORKING_DAYS)
    if due_on is None:
        return soon
    return max(today, min(due_on, soon))


def ask_witness_care(unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID) -> int:
    """One request to the case's witness care officer for every person whose letter waits for
    safe-contact details (and who was not asked already): a safeguarding action each, owned by
    the officer, due by the letter's deadline (or within two working days). Returns how many."""
    _require(unit)
    db, actor, vault = unit.db, unit.actor, unit.vault
    decision, case = repository.get_decision(db, actor, case_id, decision_id)
    if case.witness_care_officer_id is None:
        raise ValidationFailed({"ask": NO_OFFICER})
    rows = unsent_repository.to_ask(db, decision.id, ASK_WITNESS_CARE)
    if not rows:
        raise ValidationFailed({"ask": NOTHING_TO_ASK})
    vault.load({row.person.key_id for row in rows})
    today = london_today()
    now = utc_now()
    for row in rows:
        action = SafeguardingAction(
            case_party_id=row.party.id,
            key_id=row.person.key_id,
            owner_id=case.witness_care_officer_id,
            owner_partner=None,
            due_on=_ask_by(row.due_on, today),
            status="open",
        )
        reason = UNSENT_REASONS[row.unsent.reason].lower()
        vault.put(action, "description", ASKED.format(reason=reason))
        add_change(db, actor, row.party, row.person, case.id, "action_added", action)
        row.unsent.asked_at = now
        row.unsent.asked_by_id = actor.user_id
        row.unsent.action_id = action.id
    db.flush()
    audit_decision(
        db,
        actor,
        decision,
        category="alteration",
        action="vlu.not_sent.ask_witness_care",
        fields=[f"count={len(rows)}"],
    )
    return len(rows)
