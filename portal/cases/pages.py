"""The case pages' use cases: what each route asks for in one call, with ``Unit`` first.

Each GET page gets all its data from one read model here (and its consultation audit rows are
written here); each POST makes one call that checks, writes and audits. The older
``portal.cases.service`` functions taking ``(db, vault, actor, ...)`` stay for other callers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases import repository, service
from portal.cases.enhanced_status import CaseEnhanced, enhanced_by_case
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.hearings import default_type_for, hearing_type_choices, hearing_types
from portal.cases.models import Case, CaseEvent, Defendant, Offence
from portal.cases.offences import catalogue
from portal.cases.reference import (
    AREAS,
    PLEAS,
    UNITS,
    VERDICTS,
    CourtType,
    CrimeCategory,
    EventKind,
    normalise_urn,
)

PEOPLE_PER_PAGE = 25
ROLE_FILTERS = ("victim", "witness")


# --- the list -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseList:
    page: repository.Page[Case]
    offences: dict[uuid.UUID, list[Offence]]
    enhanced: dict[uuid.UUID, CaseEnhanced]
    urn: str
    category: str
    may_open: bool
    categories: list[tuple[str, str]] = field(
        default_factory=lambda: [(c.value, c.label) for c in CrimeCategory]
    )
    areas: Mapping[str, str] = field(default_factory=lambda: AREAS)

    @property
    def filters(self) -> dict[str, str]:
        """The filters in force, for the paging links' query string."""
        return {k: v for k, v in (("urn", self.urn), ("category", self.category)) if v}


def case_list(unit: Unit, *, page: int, category: str, urn: str) -> CaseList:
    """The cases the actor may see, newest first, filtered by crime category and URN prefix
    (an unknown category is no filter; the URN is normalised and cut to 16 characters)."""
    if category not in {c.value for c in CrimeCategory}:
        category = ""
    urn = normalise_urn(urn)[:16]
    found = repository.list_cases(
        unit.db, unit.actor, page=page, category=category or None, urn_prefix=urn or None
    )
    offences = repository.offences_of(unit.db, [c.id for c in found.items])
    return CaseList(
        page=found,
        offences=offences,
        enhanced=enhanced_by_case(unit.db, unit.vault, offences),
        urn=urn,
        category=category,
        may_open=unit.actor.can(Permission.OPEN_CASE),
    )


# --- opening a case -------------------------------------------------------------------------


def new_case_options() -> dict[str, Any]:
    """The choices the new-case form offers."""
    return {
        "areas": list(AREAS.items()),
        "units": list(UNITS.items()),
        "courts": [(c.value, c.label) for c in CourtType],
        "offence_options": [
            (o.code, f"{o.title} ({o.category.label})") for o in catalogue().values()
        ],
    }


def open_new_case(unit: Unit, command: service.NewCase, *, form_invalid: bool = False) -> Case:
    """Open the case, or raise ``ValidationFailed`` with every problem. When the form already
    has problems of its own (``form_invalid``), the case's are still checked and reported (a
    URN in use is logged as ever), and nothing is opened."""
    if not unit.actor.can(Permission.OPEN_CASE):
        raise NotPermitted("only prosecutors and witness care officers open cases")
    if form_invalid:
        raise ValidationFailed(service.validate_new_case(unit.db, unit.actor, command))
    return service.open_case(unit.db, unit.vault, unit.actor, command)


# --- the case page --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CasePage:
    case: Case
    area: str
    unit: str
    court: str
    offences: list[Offence]
    defendants: list[Defendant]
    defendant_names: dict[uuid.UUID, Any]
    people: Any  # repository.Page of (CaseParty, Person)
    names: dict[uuid.UUID, Any]
    pseudonymised: bool
    role_filter: str
    events: list[CaseEvent]
    event_notes: dict[uuid.UUID, Any]
    staff: dict[uuid.UUID, str]
    may_edit: bool

    def context(self) -> dict[str, Any]:
        """The template's names (``cases/detail.html``)."""
        return {
            "case": self.case,
            "area": self.area,
            "unit": self.unit,
            "court": self.court,
            "offences": self.offences,
            "categories": {c.value: c.label for c in CrimeCategory},
            "defendants": self.defendants,
            "defendant_names": self.defendant_names,
            "people": self.people,
            "names": self.names,
            "pseudonymised": self.pseudonymised,
            "role_filter": self.role_filter,
            "events": self.events,
            "event_notes": self.event_notes,
            "event_labels": {k.value: k.label for k in EventKind},
            "outcomes": {**PLEAS, **VERDICTS},
            "hearing_types": {t.code: t.label for t in hearing_types().values()},
            "staff": self.staff,
            "may_edit": self.may_edit,
        }


def case_page(unit: Unit, case_id: uuid.UUID, *, page: int, role: str) -> CasePage:
    """A case, its defendants, events and a page of its people. Viewing the case, and the
    people listed by name, are logged as consultations (not for a pseudonymised viewer's
    people, who see references only)."""
    db, vault = unit.db, unit.vault
    case = repository.get_case(db, unit.actor, case_id)
    role_filter = role if role in ROLE_FILTERS else ""
    people = repository.parties_page(
        db, case, page=page, per_page=PEOPLE_PER_PAGE, role=role_filter or None
    )
    pseudonymised = vault.pseudonymised  # the vault opens names as references for them
    defendants = repository.defendants_of(db, case)
    events = repository.events_of(db, case)
    # One query for the keys of every name on the page (the people's and the defendants') and
    # the case's, which seals its events' notes.
    vault.load(
        {person.key_id for _, person in people.items}
        | {d.key_id for d in defendants}
        | {e.key_id for e in events}
    )
    names = {person.id: vault.open(person, "full_name") for _, person in people.items}
    if not pseudonymised:
        audit.record_consultations(
            db,
            actor=unit.actor,
            action="person.list",
            subjects=[(person.id, person.reference) for _, person in people.items],
            case_id=case.id,
        )
    defendant_names = {d.id: vault.open(d, "full_name") for d in defendants}
    event_notes = {e.id: vault.open(e, "notes") for e in events if e.notes is not None}
    staff = repository.staff_names(
        db, {case.prosecutor_id, case.witness_care_officer_id} | {e.recorded_by_id for e in events}
    )
    audit.record_in_case(db, unit.actor, "consultation", "case.view", ("case", case.id, case.id))
    return CasePage(
        case=case,
        area=AREAS.get(case.area, case.area),
        unit=UNITS.get(case.unit, case.unit),
        court=CourtType(case.court_type).label,
        offences=repository.offences_of(db, [case.id])[case.id],
        defendants=defendants,
        defendant_names=defendant_names,
        people=people,
        names=names,
        pseudonymised=pseudonymised,
        role_filter=role_filter,
        events=events,
        event_notes=event_notes,
        staff=staff,
        may_edit=unit.actor.can(Permission.EDIT_PERSON),
    )


# --- case events ----------------------------------------------------------------------------


def event_form(unit: Unit, case_id: uuid.UUID) -> dict[str, Any]:
    """The case and the choices the event form offers (``cases/event_new.html``)."""
    case = repository.get_case(unit.db, unit.actor, case_id)
    defendants = repository.defendants_of(unit.db, case)
    return {
        "case": case,
        "kinds": [(k.value, k.label) for k in EventKind],
        "kind_labels": {k.value: k.label for k in EventKind},
        "per_defendant": {k.value for k in EventKind if k.per_defendant},
        "hearing_kinds": {k.value for k in EventKind if k.is_hearing},
        "ending_kinds": {k.value for k in EventKind if k.may_end_proceedings},
        "outcome_choices": {k.value: list(k.outcomes.items()) for k in EventKind if k.outcomes},
        "defendants": [(str(d.id), d.label) for d in defendants],
        "hearing_types": hearing_type_choices(),
        "default_hearing_type": {k.value: default_type_for(k.value) for k in EventKind},
    }


@dataclass(frozen=True, slots=True)
class Recorded:
    case_id: uuid.UUID
    event: CaseEvent
    created: bool  # False: the same event was already recorded

    @property
    def message(self) -> str:
        if not self.created:
            return "This event was already recorded"
        return f"{EventKind(self.event.kind).label} recorded"


def record_case_event(
    unit: Unit,
    case_id: uuid.UUID,
    command: service.NewEvent | None,
    *,
    form_invalid: bool = False,
) -> Recorded:
    """Record an event in a case the actor may see (``ValidationFailed`` with the problems).
    When the form already has problems of its own (``form_invalid``), the event's are still
    checked, so the page lists them all at once (none without a kind and a date to check), and
    nothing is recorded."""
    case = repository.get_case(unit.db, unit.actor, case_id)
    if form_invalid or command is None:
        if not unit.actor.can(Permission.RECORD_CASE_EVENT):
            raise NotPermitted("only prosecutors and witness care officers record case events")
        found = {} if command is None else service.event_errors(unit.db, unit.vault, case, command)
        raise ValidationFailed(found)
    event, created = service.record_event(unit.db, unit.vault, unit.actor, case, command)
    return Recorded(case.id, event, created)
