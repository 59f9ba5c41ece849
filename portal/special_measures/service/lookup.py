"""Loading what a page or a use case works on, inside the actor's case scope (404 otherwise),
and the small readings every page shares (names, staff, the deadline, the sealed texts)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict, TypeVar

from sqlalchemy.orm import Session

from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case, CaseParty
from portal.clock import LONDON, utc_now
from portal.keys.vault import Vault
from portal.kit.pages import AboutPerson
from portal.people.models import Person
from portal.people.safeguarding import InCase
from portal.special_measures import repository
from portal.special_measures.eligibility import Eligibility
from portal.special_measures.models import (
    DRAFT_TEXTS,
    SpecialMeasuresApplication,
    SpecialMeasuresAssessment,
)
from portal.special_measures.service.reading import deadline, eligibility_of, late_now
from portal.victims_code.deadlines import DueDate
from portal.victims_code.service import case_facts

TEXT_FIELDS = ("wis_reference", *DRAFT_TEXTS)
SHOWN_TEXTS = (*TEXT_FIELDS, "court_notes")


@dataclass(frozen=True, slots=True, kw_only=True)
class FormPage(AboutPerson[Case, Person]):
    """What every special measures form shows: the case, the witness, their name (their
    reference once erased) and the form's initial values (empty when the form is shown again
    with what was typed)."""

    initial: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationFormPage(FormPage):
    """A form about one application of the witness."""

    application: SpecialMeasuresApplication


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineFormPage(ApplicationFormPage):
    """A form about an application that explains its deadline (drafting, serving)."""

    plea_on: date | None
    due: DueDate | None
    late_now: bool


class Deadline(TypedDict):
    """A ``DeadlineFormPage``'s own fields: the first not-guilty plea, the date the
    application is due by and whether serving it today would be late."""

    plea_on: date | None
    due: DueDate | None
    late_now: bool


P = TypeVar("P", bound=FormPage)


def form_page(
    page: type[P], unit: Unit, case: Case, person: Person, initial: dict[str, Any], /, **own: Any
) -> P:
    """A form ``page``: what every form shows (the witness's name read here), then the page's
    ``own`` fields (``application`` among them, for a form about an application)."""
    return page(case=case, person=person, name=name_of(unit.vault, person), initial=initial, **own)


def witness_form(
    page: type[P],
    unit: Unit,
    at: InCase,
    viewed: str | None,
    initial: dict[str, Any],
    /,
    **own: Any,
) -> P:
    """A form about the witness ``at`` (``form_page``); ``viewed``: the consultation to log (the
    form's first showing), or None when it is shown again with what was typed."""
    if viewed is not None:
        person_viewed(unit, viewed, at.case, at.person)
    return form_page(page, unit, at.case, at.person, initial, **own)


def today() -> date:
    return utc_now().astimezone(LONDON).date()


def witness(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, *, readable: bool = False
) -> InCase:
    """A witness of a case in scope; ``readable``: not erased either (forms need the details)."""
    case, party, person = repository.witness_in_case(unit.db, unit.actor, case_id, person_id)
    if not party.is_witness or (readable and person.erased):
        raise CaseNotFound(case.id)
    return InCase(case, party, person)


def application(
    unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID
) -> tuple[SpecialMeasuresApplication, Case, CaseParty, Person]:
    return repository.get_application(unit.db, unit.actor, case_id, application_id)


def name_of(vault: Vault, person: Person) -> Any:
    if person.erased:
        return person.reference
    return vault.open(person, "full_name")


def staff(db: Session, ids: Iterable[Any]) -> dict[Any, str]:
    return dict(repository.staff_names(db, set(ids)))


def deadline_of(db: Session, case: Case) -> tuple[date | None, DueDate | None]:
    plea_on = repository.not_guilty_pleas(db, {case.id}).get(case.id)
    return plea_on, deadline(case, plea_on)


def deadline_shown(db: Session, case: Case, today: date) -> Deadline:
    plea_on, due = deadline_of(db, case)
    return Deadline(plea_on=plea_on, due=due, late_now=late_now(due, today))


def texts_of(vault: Vault, application: SpecialMeasuresApplication) -> dict[str, Any]:
    return {name: vault.open(application, name) for name in SHOWN_TEXTS}


def assessment_of(db: Session, party: CaseParty) -> SpecialMeasuresAssessment | None:
    return repository.assessment_of(db, party.id)


def witness_eligibility(
    unit: Unit,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    on: date,
    hearing_on: date | None = None,
) -> Eligibility:
    """The witness's eligibility from the case's offences and their recorded assessment."""
    return eligibility_of(
        unit.vault,
        offences=case_facts(unit.db, case).offences,
        party=party,
        person=person,
        assessment=assessment_of(unit.db, party),
        today=on,
        hearing_on=hearing_on,
    )


def viewed(
    unit: Unit,
    form: str,
    case: Case,
    person: Person | None,
    *,
    object_type: str,
    object_id: uuid.UUID,
    fields: Iterable[str] = (),
) -> None:
    """Log the consultation of a special measures page (``form``) about ``person``."""
    where = (object_type, object_id, case.id)
    action = f"special_measures.{form}"
    audit.record_in_case(unit.db, unit.actor, "consultation", action, where, *fields, person=person)


def form_viewed(
    unit: Unit,
    form: str,
    application: SpecialMeasuresApplication,
    case: Case,
    person: Person,
    *,
    fields: Iterable[str] = (),
) -> None:
    viewed(
        unit,
        form,
        case,
        person,
        object_type="special_measures_application",
        object_id=application.id,
        fields=fields,
    )


def person_viewed(unit: Unit, form: str, case: Case, person: Person) -> None:
    viewed(unit, form, case, person, object_type="person", object_id=person.id)
