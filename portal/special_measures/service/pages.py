"""The reading pages: the case at a glance, one witness, one application. Each is one read
model, built inside the actor's case scope and logged (ids and references only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Row

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.models import Case, CaseParty
from portal.kit.pages import AboutPerson
from portal.kit.paging import Page
from portal.people.models import Person
from portal.special_measures import repository
from portal.special_measures.eligibility import S16_CONDITIONS, S17_FACTORS, Eligibility
from portal.special_measures.models import (
    SpecialMeasuresApplication,
    SpecialMeasuresAssessment,
    SpecialMeasuresTransition,
)
from portal.special_measures.service import lookup
from portal.special_measures.service.assessing import SOURCE_LABELS
from portal.special_measures.service.reading import (
    STATUS_RANK,
    AssessmentDetails,
    DeadlineStatus,
    deadline,
    deadline_status,
    details_of,
    eligibility_of,
)
from portal.special_measures.states import OPEN, Outcome, State, actions_for
from portal.victims_code.deadlines import DueDate
from portal.victims_code.service import case_facts

# --- the case at a glance -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WitnessRow:
    party: CaseParty
    person: Person
    name: Any
    eligibility: Eligibility | None
    application: SpecialMeasuresApplication | None
    status: DeadlineStatus | None


@dataclass(frozen=True, slots=True)
class CasePage:
    case: Case
    rows: list[WitnessRow]
    page: Page[Row[CaseParty, Person]]
    plea_on: date | None
    due: DueDate | None
    today: date
    pseudonymised: bool


def case_page(unit: Unit, case_id: uuid.UUID, *, page: int, per_page: int) -> CasePage:
    """The case's witnesses with their eligibility, latest application and its deadline;
    applications not yet served first, overdue ones at the top. Auditors: the vault opens no
    identity and no free text for them, so eligibility (worked out from withheld details) is
    not shown either."""
    db, vault = unit.db, unit.vault
    case = cases_repo.get_case(db, unit.actor, case_id)
    today = lookup.today()
    found = repository.witnesses_page(db, case, page=page, per_page=per_page)
    party_ids = [party.id for party, _ in found.items]
    assessments = repository.assessments_of(db, party_ids)
    applications = repository.applications_of(db, party_ids)
    plea_on = repository.not_guilty_pleas(db, {case.id}).get(case.id)
    due = deadline(case, plea_on)
    offences = case_facts(db, case).offences
    pseudonymised = vault.pseudonymised
    vault.load({person.key_id for _, person in found.items})
    rows = []
    for party, person in found.items:
        latest = applications[party.id][0] if applications[party.id] else None
        eligibility = None
        if not pseudonymised and not person.erased:
            eligibility = eligibility_of(
                vault,
                offences=offences,
                party=party,
                person=person,
                assessment=assessments.get(party.id),
                today=today,
                hearing_on=latest.decided_on if latest else None,
            )
        status = deadline_status(latest, due, today) if latest else None
        rows.append(
            WitnessRow(party, person, lookup.name_of(vault, person), eligibility, latest, status)
        )
    rows.sort(key=lambda r: STATUS_RANK.get(r.status.code, 4) if r.status else 5)
    if not pseudonymised:
        shown = [person for _, person in found.items]
        audit.people_listed(db, unit.actor, "person.special_measures_list", shown, case.id)
    lookup.viewed(unit, "case_view", case, None, object_type="case", object_id=case.id)
    return CasePage(case, rows, found, plea_on, due, today, pseudonymised)


# --- one witness ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessPage(AboutPerson[Case, Person]):
    party: CaseParty
    assessment: SpecialMeasuresAssessment | None
    details: AssessmentDetails | None
    eligibility: Eligibility | None
    applications: list[tuple[SpecialMeasuresApplication, DeadlineStatus]]
    has_open: bool
    pseudonymised: bool
    source_labels: dict[str, str]
    conditions: dict[str, str]
    factors: dict[str, str]
    may_assess: bool
    may_identify: bool
    staff: dict[Any, str]


def witness_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> WitnessPage:
    db, vault, actor = unit.db, unit.vault, unit.actor
    case, party, person = lookup.witness(unit, case_id, person_id)
    today = lookup.today()
    assessment = repository.assessment_of(db, party.id)
    applications = repository.applications_of(db, [party.id])[party.id]
    _, due = lookup.deadline_of(db, case)
    pseudonymised = vault.pseudonymised
    eligibility = details = None
    if not pseudonymised and not person.erased:
        eligibility = eligibility_of(
            vault,
            offences=case_facts(db, case).offences,
            party=party,
            person=person,
            assessment=assessment,
            today=today,
        )
        details = details_of(vault, assessment)
    lookup.person_viewed(unit, "witness_view", case, person)
    return WitnessPage(
        case=case,
        party=party,
        person=person,
        name=lookup.name_of(vault, person),
        assessment=assessment,
        details=details,
        eligibility=eligibility,
        applications=[(a, deadline_status(a, due, today)) for a in applications],
        has_open=any(State(a.state) in OPEN for a in applications),
        pseudonymised=pseudonymised,
        source_labels=SOURCE_LABELS,
        conditions=S16_CONDITIONS,
        factors=S17_FACTORS,
        may_assess=actor.can(Permission.ASSESS_SPECIAL_MEASURES),
        may_identify=actor.can(Permission.IDENTIFY_SPECIAL_MEASURES_NEED),
        staff=lookup.staff(db, {assessment.recorded_by_id} if assessment else set()),
    )


# --- one application ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationPage(AboutPerson[Case, Person]):
    application: SpecialMeasuresApplication
    party: CaseParty
    texts: dict[str, Any]
    plea_on: date | None
    due: DueDate | None
    status: DeadlineStatus
    history: list[SpecialMeasuresTransition]
    staff: dict[Any, str]
    actions: list[str]
    may_print: bool
    may_edit_draft: bool


def application_page(unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID) -> ApplicationPage:
    db, actor = unit.db, unit.actor
    application, case, party, person = lookup.application(unit, case_id, application_id)
    today = lookup.today()
    plea_on, due = lookup.deadline_of(db, case)
    history = repository.history(db, application.id)
    outcome = Outcome(application.decision) if application.decision else None
    readable = not person.erased
    lookup.form_viewed(unit, "application_view", application, case, person)
    state = State(application.state)
    return ApplicationPage(
        case=case,
        application=application,
        party=party,
        person=person,
        name=lookup.name_of(unit.vault, person),
        texts=lookup.texts_of(unit.vault, application)
        if readable
        else dict.fromkeys(lookup.SHOWN_TEXTS),
        plea_on=plea_on,
        due=due,
        status=deadline_status(application, due, today),
        history=history,
        staff=lookup.staff(db, {t.by_id for t in history}),
        actions=[a.value for a in actions_for(state, actor, outcome=outcome)],
        may_print=actor.can(Permission.PRINT_SPECIAL_MEASURES) and readable,
        may_edit_draft=actor.can(Permission.DRAFT_SPECIAL_MEASURES) and state == State.DRAFTED,
    )
