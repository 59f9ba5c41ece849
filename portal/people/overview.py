"""The person page's read model: ages at the dates that matter, enhanced rights, references,
referrals, NRM, the latest assessment, actions and the timeline. One consultation row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.cases import repository as cases_repo
from portal.cases.models import Case, CaseEvent, CaseParty, Offence
from portal.clock import to_london, utc_now
from portal.db.encrypted import Sensitive
from portal.keys.vault import Vault
from portal.people import enhanced, repository, roles
from portal.people import service as people
from portal.people.actions import ActionView, action_views, owner_choices
from portal.people.linked import ContactView, contact_views
from portal.people.models import NeedsAssessment, NrmDecision, Person, SupportReferral
from portal.people.needs import AssessmentView, open_assessment
from portal.people.safeguarding import (
    EVENT_LABELS,
    HEARING_KINDS,
    REFERENCE_KINDS,
    record_consultation,
)
from portal.people.support import is_trafficking_case
from portal.people.vocabulary import vocabulary


@dataclass(frozen=True, slots=True)
class AgeStatus:
    """Under 18 or not on one date that matters: the offence, or a hearing."""

    occasion: str  # "the offence", "the trial"
    on: date
    age: int | None
    child: bool | None

    @property
    def is_hearing(self) -> bool:
        return self.occasion != "the offence"


def age_statuses(
    born: date | None, offences: Sequence[Offence], events: Sequence[CaseEvent]
) -> list[AgeStatus]:
    """Child status at each offence date and at each hearing date (domain-rules.md 9.3)."""
    statuses: list[AgeStatus] = []
    for on in sorted({o.committed_on for o in offences if o.committed_on is not None}):
        statuses.append(_status("the offence", born, on))
    hearings = sorted(
        {(e.event_date, e.kind) for e in events if e.kind in HEARING_KINDS},
        key=lambda pair: pair[0],
    )
    for on, kind in hearings:
        statuses.append(_status(HEARING_KINDS[kind], born, on))
    return statuses


def _status(occasion: str, born: date | None, on: date) -> AgeStatus:
    if born is None:
        return AgeStatus(occasion, on, None, None)
    age = enhanced.age_on(born, on)
    return AgeStatus(occasion, on, age, age < 18)


@dataclass(frozen=True, slots=True)
class ReferenceView:
    kind: str
    label: str
    value: Sensitive | None  # None for auditors


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    kind: str
    title: str
    by: str
    assessment: AssessmentView | None = None


def timeline(
    db: Session,
    party: CaseParty,
    *,
    limit: int = 100,
    assessments: Sequence[NeedsAssessment] | None = None,
) -> list[TimelineItem]:
    """Needs assessments and every recorded change, newest first, each timed and attributed
    (``assessments``: the party's, newest first, when the caller has read them already)."""
    events = repository.safeguard_events(db, party.id, limit=limit)
    if assessments is None:
        assessments = repository.assessments(db, party.id, limit=limit)
    staff = repository.staff_names(
        db, {e.by_id for e in events} | {a.recorded_by_id for a in assessments}
    )
    by_key = {(a.recorded_at, a.recorded_by_id): a for a in assessments}
    items: list[TimelineItem] = []
    for event in events:
        row = (
            by_key.pop((event.at, event.by_id), None) if event.kind == "needs_assessment" else None
        )
        items.append(
            TimelineItem(
                event.at,
                event.kind,
                EVENT_LABELS.get(event.kind, "Safeguards changed"),
                staff.get(event.by_id, "a former user"),
                open_assessment(None, row, staff, decrypt=False) if row is not None else None,
            )
        )
    for row in by_key.values():  # assessments recorded without a timeline event
        items.append(
            TimelineItem(
                row.recorded_at,
                "needs_assessment",
                EVENT_LABELS["needs_assessment"],
                staff.get(row.recorded_by_id, "a former user"),
                open_assessment(None, row, staff, decrypt=False),
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


@dataclass(frozen=True, slots=True)
class RecordedReason:
    """Why an officer recorded a category: the ground's label and their words (sealed)."""

    ground: str
    details: Sensitive


def recorded_reasons(vault: Vault, party: CaseParty) -> dict[str, RecordedReason]:
    """The reasons recorded, by category code (``roles.LEGACY`` for one older text); nothing
    for a viewer the vault withholds them from."""
    words = vocabulary()
    found = {}
    for code, reason in roles.stored_reasons(vault, party).items():
        category = words.category(code)
        ground = category.ground_label(reason.ground) if category else ""
        found[code] = RecordedReason(ground, Sensitive(reason.details))
    return found


@dataclass(slots=True)
class PersonOverview:
    case: Case
    party: CaseParty
    person: Person
    pseudonymised: bool
    view: people.PersonView | None  # None for auditors: nothing personal is opened
    age_band: str
    ages: list[AgeStatus]
    enhanced: list[enhanced.Category]
    has_communication_needs: bool
    has_safe_contact: bool
    referrals: list[SupportReferral]
    nrm: list[NrmDecision]
    is_trafficking: bool
    references: list[ReferenceView]
    latest: AssessmentView | None
    actions: list[ActionView]
    timeline: list[TimelineItem]
    owners: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    reasons: dict[str, RecordedReason] = field(default_factory=dict)
    contacts: list[ContactView] = field(default_factory=list)
    turned_18: AgeStatus | None = None  # under 18 at the offence, 18 or over at a hearing


def person_overview(
    db: Session, vault: Vault, actor: Actor, case: Case, party: CaseParty, person: Person
) -> PersonOverview:
    """Everything the person page shows. Writes exactly one consultation audit row."""
    pseudonymised = vault.pseudonymised
    today = to_london(utc_now()).date()
    view: people.PersonView | None = None
    if pseudonymised:
        born = people.date_of_birth_of(vault, person)  # only to say "Child" or "Adult"
        record_consultation(db, actor, person, case.id, action="person.view_pseudonymised")
    else:
        view = people.view_person(db, vault, actor, person, case_id=case.id)
        born = view.date_of_birth
    offences = cases_repo.offences_of(db, [case.id])[case.id]
    events = cases_repo.events_of(db, case)
    categories = enhanced.for_party(party, offences, born)
    ages = age_statuses(born, offences, events)
    child_at_offence = any(a.child for a in ages if not a.is_hearing)
    turned_18 = next((a for a in ages if a.is_hearing and a.child is False), None)
    turned_18 = turned_18 if child_at_offence else None
    child_now = enhanced.is_child_on(born, today)
    age_band = "Not known" if child_now is None else ("Child" if child_now else "Adult")
    references = [
        ReferenceView(
            r.kind,
            REFERENCE_KINDS.get(r.kind, r.kind),
            vault.open(r, "value"),
        )
        for r in repository.references_of(db, person.id)
    ]
    referrals = repository.referrals_of(db, person.id)
    nrm = repository.nrm_decisions_of(db, person.id)
    assessments = repository.assessments(db, party.id, limit=100)  # the timeline's too
    latest_rows = assessments[:1]
    staff = repository.staff_names(db, {r.recorded_by_id for r in latest_rows})
    latest = (
        open_assessment(vault, latest_rows[0], staff, decrypt=not pseudonymised)
        if latest_rows
        else None
    )
    return PersonOverview(
        case=case,
        party=party,
        person=person,
        pseudonymised=pseudonymised,
        view=view,
        age_band=age_band,
        ages=ages,
        turned_18=turned_18,
        enhanced=categories,
        has_communication_needs=person.communication_needs is not None,
        has_safe_contact=person.safe_contact is not None,
        referrals=referrals,
        nrm=nrm,
        is_trafficking=is_trafficking_case(offences),
        references=references,
        latest=latest,
        actions=action_views(db, vault, party, today=today),
        timeline=timeline(db, party, assessments=assessments),
        owners=owner_choices(db, case, actor),
        reasons={} if pseudonymised else recorded_reasons(vault, party),
        contacts=contact_views(db, vault, person),
    )
