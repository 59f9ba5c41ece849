"""Obligations from case events, through the rules in force and the working-day calendar.

Recording a case event creates the obligations it triggers for every affected victim, with each
victim's enhanced status *as it was on the event date*; recording the same event again creates
nothing (a unique constraint and a lookup); correcting an event's dates recomputes the due date
of every obligation still open. Only obligations owed by the bodies whose staff use the portal
(witness care unit, CPS, Victim Liaison Unit) are tracked here: rules data ``tracked = false``
marks the police's and the court's, shown as theirs and never owed here. A rules entry that is
a victim's own window (``kind = "window"``) is not an obligation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.cases.models import Case, CaseEvent, CaseParty, Offence
from portal.cases.offences import OffenceType, offence_type
from portal.cases.reference import EventKind
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.enhanced import derive_for, is_child_on
from portal.people.models import Person
from portal.victims_code.deadlines import DueDate, due_date
from portal.victims_code.models import Obligation
from portal.victims_code.rules import (
    Entitlement,
    RulesError,
    RulesVersion,
    load_all,
    rules_in_force,
)

# Which rules triggers each recorded case event stands for.
EVENT_TRIGGERS: dict[str, tuple[str, ...]] = {
    EventKind.CHARGE_DECISION: ("charge_decision",),
    EventKind.NO_CHARGE_DECISION: ("no_charge_decision",),
    EventKind.FIRST_HEARING: ("first_hearing", "hearing_listed"),
    EventKind.HEARING_LISTED: ("hearing_listed",),
    EventKind.TRIAL_LISTING: ("trial_listing", "hearing_listed"),
    EventKind.VERDICT: ("verdict",),
    EventKind.SENTENCE: ("sentence",),
    EventKind.APPEAL: ("appeal",),
    EventKind.DISCONTINUANCE: ("discontinuance",),
    EventKind.OFFER_NO_EVIDENCE: ("offer_no_evidence",),
    EventKind.SUBSTANTIAL_ALTERATION: ("substantial_alteration",),
    EventKind.BAIL_DECISION: ("bail_decision",),
}

# Our crime categories in the rules file's vocabulary.
RULE_CATEGORIES = {
    "trafficking": ("modern_slavery",),
    "cse": ("cse", "sexual_offence"),
    "sexual": ("sexual_offence",),
    "fraud": ("fraud",),
    "domestic_abuse": ("domestic_abuse",),
    "violence": ("violent",),
    "firearms": ("violent",),
}


def triggers_for(event: CaseEvent) -> tuple[str, ...]:
    if event.kind == EventKind.PLEA:
        return ("not_guilty_plea",) if event.outcome == "not_guilty" else ()
    return EVENT_TRIGGERS.get(event.kind, ())


@dataclass(frozen=True, slots=True)
class CaseFacts:
    offences: list[tuple[OffenceType, date | None]]
    categories: frozenset[str]
    violent_or_sexual: bool


def case_facts(db: Session, case: Case) -> CaseFacts:
    rows = db.scalars(select(Offence).where(Offence.case_id == case.id)).all()
    offences = [(t, o.committed_on) for o in rows if (t := offence_type(o.code)) is not None]
    categories = {c for o in rows for c in RULE_CATEGORIES.get(o.category, ())}
    return CaseFacts(
        offences=offences,
        categories=frozenset(categories),
        violent_or_sexual=any(o.violent_or_sexual for o in rows),
    )


def applies(entitlement: Entitlement, event: CaseEvent, party: CaseParty, facts: CaseFacts) -> bool:
    if entitlement.kind != "duty" or not entitlement.tracked:
        return False
    c = entitlement.conditions
    if not (party.is_victim or (c.applies_to == "witness_also" and party.is_witness)):
        return False
    if c.decision_maker == "police":
        return False  # decisions recorded in this portal are the CPS's
    if c.decision_ends_all_proceedings and not event.ends_all_proceedings:
        return False
    if c.requires_violent_or_sexual_offence and not facts.violent_or_sexual:
        return False
    if c.min_custody_months is not None and (event.custody_months or 0) < c.min_custody_months:
        return False
    return not (c.offence_categories and not facts.categories & set(c.offence_categories))


def enhanced_on(party: CaseParty, facts: CaseFacts, born: date | None, on: date) -> bool:
    """Enhanced status as it was on ``on``: only offences committed by then count."""
    offences = [(o, d) for o, d in facts.offences if d is None or d <= on]
    return bool(derive_for(party, offences, born))


def _due(
    entitlement: Entitlement, rules: RulesVersion, event: CaseEvent, enhanced: bool
) -> DueDate:
    return due_under(rules, entitlement, event.event_date, event.received_on, enhanced)


def due_under(
    rules: RulesVersion,
    entitlement: Entitlement,
    trigger: date,
    received: date | None,
    enhanced: bool,
) -> DueDate:
    """When ``entitlement`` falls due under ``rules`` (whose settings say if the trigger day
    counts)."""
    counts = rules.settings.trigger_day_counts
    return due_date(
        entitlement,
        trigger=trigger,
        received=received,
        enhanced=enhanced,
        trigger_day_counts=counts,
    )


def new_obligation(
    party: CaseParty,
    event: CaseEvent | None,
    entitlement: Entitlement,
    rules: RulesVersion,
    *,
    enhanced: bool,
    child: bool | None,
    due_on: date | None,
    identified_on: date | None = None,
    trigger_on: date | None = None,
    received_on: date | None = None,
) -> Obligation:
    """One open obligation an event owes a person (identified_on: they were identified late);
    with no event, what happened on ``trigger_on`` (received ``received_on``) owes it."""
    if event is not None:
        trigger_on, received_on = event.event_date, event.received_on
    assert trigger_on is not None
    return Obligation(
        case_id=party.case_id,
        case_party_id=party.id,
        event_id=None if event is None else event.id,
        entitlement=entitlement.code,
        right=entitlement.right,
        rules_version=rules.version,
        responsible_body=entitlement.responsible_body,
        enhanced=enhanced,
        child=child,
        trigger_on=trigger_on,
        received_on=received_on,
        identified_on=identified_on,
        due_on=due_on,
        state="open",
        key_id=party.key_id,
        changed_at=utc_now(),
    )


def create_for_event(
    db: Session, vault: Vault, actor: Actor, case: Case, event: CaseEvent
) -> list[Obligation]:
    triggers = triggers_for(event)
    if not triggers:
        return []
    rules = rules_in_force(event.event_date)
    entitlements = [e for e in rules.entitlements if e.trigger in triggers]
    if not entitlements:
        return []
    facts = case_facts(db, case)
    rows = db.execute(
        select(CaseParty, Person)
        .join(Person, Person.id == CaseParty.person_id)
        .where(CaseParty.case_id == case.id)
    ).all()
    vault.load({person.key_id for _, person in rows})
    existing = {
        (o.case_party_id, o.entitlement)
        for o in db.scalars(select(Obligation).where(Obligation.event_id == event.id))
    }
    created: list[Obligation] = []
    for party, person in rows:
        born = born_on(vault, person)
        enhanced = enhanced_on(party, facts, born, event.event_date)
        child = is_child_on(born, event.event_date)
        for entitlement in entitlements:
            if (party.id, entitlement.code) in existing:
                continue
            if not applies(entitlement, event, party, facts):
                continue
            due = _due(entitlement, rules, event, enhanced)
            obligation = new_obligation(
                party, event, entitlement, rules, enhanced=enhanced, child=child, due_on=due.due
            )
            db.add(obligation)
            created.append(obligation)
    return record_created(
        db, actor, created, action="obligations.create", subject=("case_event", event.id)
    )


def record_count(
    db: Session,
    actor: Actor,
    count: int,
    *,
    category: str,
    action: str,
    subject: tuple[str, uuid.UUID],
    case_id: uuid.UUID,
) -> None:
    """One audit entry for ``count`` obligations changed at once (none for none)."""
    if count:
        counted = f"count={count}"
        audit.record_in_case(db, actor, category, action, (*subject, case_id), counted)


def record_created(
    db: Session,
    actor: Actor,
    created: list[Obligation],
    *,
    action: str,
    subject: tuple[str, uuid.UUID],
) -> list[Obligation]:
    """Flush the obligations just made in one case and audit them in one collection entry."""
    db.flush()
    if created:
        case_id = created[0].case_id
        record_count(
            db,
            actor,
            len(created),
            category="collection",
            action=action,
            subject=subject,
            case_id=case_id,
        )
    return created


def born_on(vault: Vault, person: Person) -> date | None:
    raw = vault.open_internal(person, "date_of_birth")  # for child status only, never shown
    text = raw.decode() if raw else None
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def recompute_for_event(db: Session, actor: Actor, event: CaseEvent) -> int:
    """After an event is moved or corrected, recompute every open obligation it created."""
    changed = 0
    for obligation in db.scalars(
        select(Obligation).where(Obligation.event_id == event.id, Obligation.state == "open")
    ):
        rules = rules_version(obligation.rules_version)
        entitlement = rules.get(obligation.entitlement)
        obligation.trigger_on = event.event_date
        obligation.received_on = event.received_on
        obligation.changed_at = utc_now()
        changed += 1
        if obligation.identified_on is not None and obligation.identified_on > event.event_date:
            continue  # identified late: still due from the day they were identified
        obligation.identified_on = None
        obligation.due_on = _due(entitlement, rules, event, obligation.enhanced).due
    db.flush()
    record_count(
        db,
        actor,
        changed,
        category="alteration",
        action="obligations.recompute",
        subject=("case_event", event.id),
        case_id=event.case_id,
    )
    return changed


def rules_version(version_id: str) -> RulesVersion:
    """The rules file an obligation was created under (kept even after a new Code)."""
    for version in load_all():
        if version.version == version_id:
            return version
    raise LookupError(f"rules version {version_id!r} is no longer installed")


def explain(obligation: Obligation) -> str:
    rules = rules_version(obligation.rules_version)
    entitlement = rules.get(obligation.entitlement)
    late = obligation.identified_on
    received = None if late else obligation.received_on
    trigger = late or obligation.trigger_on
    return due_under(rules, entitlement, trigger, received, obligation.enhanced).explain()


def entitlement_of(obligation: Obligation) -> Entitlement:
    return rules_version(obligation.rules_version).get(obligation.entitlement)


def create_for_trigger(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    *,
    trigger: str,
    trigger_on: date,
    received_on: date | None = None,
) -> list[Obligation]:
    """Obligations owed to one person because of something that is not a case event (the
    court's special measures decision: ``trigger="special_measures_decision"``).

    ``event_id`` stays NULL, so the unique constraint cannot de-duplicate: a lookup on (person,
    entitlement, trigger date) among obligations without an event does, so recording the same
    decision twice creates one obligation. Conditions that need a case event (custody length,
    "ends all proceedings") never hold here. No rules version in force on ``trigger_on``: none.
    """
    try:
        rules = rules_in_force(trigger_on)
    except RulesError:
        return []
    entitlements = [
        e
        for e in rules.entitlements
        if e.trigger == trigger
        and e.kind == "duty"
        and e.tracked
        and _applies_without_event(e, party)
    ]
    if not entitlements:
        return []
    facts = case_facts(db, case)
    entitlements = [
        e
        for e in entitlements
        if not (e.conditions.requires_violent_or_sexual_offence and not facts.violent_or_sexual)
        and not (
            e.conditions.offence_categories
            and not facts.categories & set(e.conditions.offence_categories)
        )
    ]
    existing = set(
        db.scalars(
            select(Obligation.entitlement).where(
                Obligation.case_party_id == party.id,
                Obligation.event_id.is_(None),
                Obligation.trigger_on == trigger_on,
                Obligation.entitlement.in_([e.code for e in entitlements]),
            )
        )
    )
    entitlements = [e for e in entitlements if e.code not in existing]
    if not entitlements:
        return []
    person = db.get(Person, party.person_id)
    born = born_on(vault, person) if person is not None and not person.erased else None
    enhanced = enhanced_on(party, facts, born, trigger_on)
    child = is_child_on(born, trigger_on)
    created: list[Obligation] = []
    for entitlement in entitlements:
        due = due_under(rules, entitlement, trigger_on, received_on, enhanced)
        obligation = new_obligation(
            party,
            None,
            entitlement,
            rules,
            enhanced=enhanced,
            child=child,
            due_on=due.due,
            trigger_on=trigger_on,
            received_on=received_on,
        )
        db.add(obligation)
        created.append(obligation)
    db.flush()
    where = ("case_party", party.id, case.id)
    counted = (f"count={len(created)}", f"trigger={trigger}")
    audit.record_in_case(
        db, actor, "collection", "obligations.create", where, *counted, person=person
    )
    return created


def _applies_without_event(entitlement: Entitlement, party: CaseParty) -> bool:
    c = entitlement.conditions
    if not (party.is_victim or (c.applies_to == "witness_also" and party.is_witness)):
        return False
    if c.decision_maker == "police":
        return False
    return not (c.decision_ends_all_proceedings or c.min_custody_months is not None)
