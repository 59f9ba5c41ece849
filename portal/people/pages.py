"""What the people pages ask for: one call per request, taking the request's ``Unit``.

Each use case loads the case and the person's part in it through the case scope (404 outside
it), checks who may act, writes its timeline line and audit rows (by the services it calls) and
returns the read model its page renders. Reads return a page; writes return what changed or
raise ``portal.kit.errors`` (``ValidationFailed`` with every problem at once, ``StaleEdit`` with
what is stored now after its consultation is logged). A write that loses a race at flush
(``StaleDataError``) rolls its own work back and answers ``StaleEdit`` like any other conflict.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.cases import repository as cases_repo
from portal.cases.models import Case, CaseParty
from portal.clock import to_london, utc_now
from portal.kit.errors import StaleEdit
from portal.people import actions, needs, overview, safeguarding, support
from portal.people import service as people
from portal.people.models import Person
from portal.people.safeguarding import InCase
from portal.people.vocabulary import vocabulary

Loaded = InCase

LABELS = {
    "risk": safeguarding.RISK_LEVELS,
    "services": safeguarding.REFERRAL_SERVICES,
    "stages": safeguarding.NRM_STAGES,
    "outcomes": safeguarding.NRM_OUTCOMES,
    "kinds": safeguarding.REFERENCE_KINDS,
    "channels": safeguarding.CHANNEL_LABELS,
}


def _load(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> Loaded:
    return InCase(*cases_repo.party_in_case(unit.db, unit.actor, case_id, person_id))


def person_in_case(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> Loaded:
    """The case and the person's part in it, nothing opened or logged: to show a form again
    with what was typed after the service refused it."""
    return _load(unit, case_id, person_id)


def _reload(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> Loaded:
    """After losing a race at flush: drop our work and read what is stored now."""
    unit.db.rollback()
    return _load(unit, case_id, person_id)


# --- the person page ------------------------------------------------------------------------


@dataclass(slots=True)
class PersonPage:
    overview: overview.PersonOverview
    may_edit: bool
    may_act: bool

    def context(self) -> dict[str, Any]:
        o = self.overview
        return {
            "o": o,
            "case": o.case,
            "party": o.party,
            "person": o.person,
            "may_edit": self.may_edit,
            "may_act": self.may_act,
            "owner_options": [(str(i), name) for i, name in o.owners]
            + [(code, f"Partner: {label}") for code, label in actions.partner_choices()],
            "labels": LABELS,
            "relationships": vocabulary().relationship_choices,
        }


def person_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> PersonPage:
    """Everything the person page shows; one consultation row."""
    case, party, person = _load(unit, case_id, person_id)
    return PersonPage(
        overview.person_overview(unit.db, unit.vault, unit.actor, case, party, person),
        may_edit=unit.actor.can(Permission.EDIT_SAFEGUARDS),
        may_act=unit.actor.can(Permission.MANAGE_SAFEGUARDING_ACTIONS),
    )


# --- adding a person ------------------------------------------------------------------------


def new_person_page(unit: Unit, case_id: uuid.UUID) -> Case:
    return cases_repo.get_case(unit.db, unit.actor, case_id)


@dataclass(frozen=True, slots=True)
class PersonToAdd:
    details: people.PersonDetails
    is_victim: bool
    is_witness: bool
    safe_contact: people.SafeContact
    needs: people.CommunicationNeeds


def add_person(
    unit: Unit, case_id: uuid.UUID, new: PersonToAdd, *, unreadable: Mapping[str, str]
) -> Person:
    case = cases_repo.get_case(unit.db, unit.actor, case_id)
    person, _ = support.add_person(
        unit.db,
        unit.vault,
        unit.actor,
        case,
        new.details,
        is_victim=new.is_victim,
        is_witness=new.is_witness,
        safe_contact=new.safe_contact,
        needs=new.needs,
        unreadable=unreadable,
    )
    return person


# --- editing details ------------------------------------------------------------------------


@dataclass(slots=True)
class EditPage:
    case: Case
    person: Person
    view: people.PersonView


def edit_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> EditPage:
    case, _, person = _load(unit, case_id, person_id)
    view = people.view_person(unit.db, unit.vault, unit.actor, person, case_id=case.id)
    return EditPage(case, person, view)


@dataclass(slots=True)
class DetailsSaved:
    case: Case
    person: Person
    changed: list[str]
    page: PersonPage | None = None  # the page to show in place (htmx), when asked for


@dataclass(slots=True)
class DetailsConflict:
    """Someone saved first: what is stored now (plain text) and its version, already logged."""

    case: Case
    person: Person
    current: dict[str, Any]
    version: int


def save_details(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    details: people.PersonDetails,
    *,
    version: int,
    unreadable: Mapping[str, str],
    show_page: bool = False,
) -> DetailsSaved | DetailsConflict:
    """The edit form's one call: validate once, save unless someone saved first, put the change
    on the timeline. A business keeps its stored contact (the edit form does not show it)."""
    case, party, person = _load(unit, case_id, person_id)
    if person.is_business:
        contact = unit.vault.open_text(person, "business_contact") or ""
        details = _as_business(details, contact)
    try:
        changed = people.update_person(
            unit.db,
            unit.vault,
            unit.actor,
            person,
            details,
            expected_version=version,
            case_id=case.id,
            unreadable=unreadable,
        )
    except StaleEdit as exc:
        return _details_conflict(unit, case, person, exc.current, exc.current_version)
    except StaleDataError:
        case, party, person = _reload(unit, case_id, person_id)
        current = safeguarding.current_details(unit.vault, person)
        return _details_conflict(unit, case, person, current, person.version)
    safeguarding.details_changed(unit.db, unit.actor, party, changed)
    page = person_page(unit, case_id, person_id) if show_page else None
    return DetailsSaved(case, person, changed, page)


def _as_business(details: people.PersonDetails, contact: str) -> people.PersonDetails:
    return dataclasses.replace(details, is_business=True, business_contact=contact)


def _details_conflict(
    unit: Unit, case: Case, person: Person, current: dict[str, Any], version: int
) -> DetailsConflict:
    safeguarding.record_consultation(
        unit.db, unit.actor, person, case.id, action="person.view_conflict"
    )
    return DetailsConflict(case, person, current, version)


# --- communication needs and safe-contact rules ---------------------------------------------


@dataclass(slots=True)
class ContactPage:
    case: Case
    person: Person
    safe_contact: people.SafeContact
    needs: people.CommunicationNeeds


def contact_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> ContactPage:
    case, _, person = _load(unit, case_id, person_id)
    view = people.view_person(unit.db, unit.vault, unit.actor, person, case_id=case.id)
    return ContactPage(case, person, view.safe_contact, view.needs)


def save_contact(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    rules: people.SafeContact,
    communication: people.CommunicationNeeds,
    *,
    version: int,
    unreadable: Mapping[str, str],
) -> Loaded:
    """Save the rules unless someone saved the person since the form was shown: then
    ``StaleEdit`` carries theirs (``safe_contact``, ``needs``), and the read is logged."""
    case, party, person = _load(unit, case_id, person_id)
    try:
        people.set_safe_contact(
            unit.db,
            unit.vault,
            unit.actor,
            person,
            rules,
            communication,
            case_id=case.id,
            expected_version=version,
            unreadable=unreadable,
        )
    except StaleEdit:
        raise _contact_conflict(unit, case, person) from None
    except StaleDataError:
        case, party, person = _reload(unit, case_id, person_id)
        raise _contact_conflict(unit, case, person) from None
    safeguarding.contact_rules_changed(unit.db, unit.actor, party)
    return InCase(case, party, person)


def _contact_conflict(unit: Unit, case: Case, person: Person) -> StaleEdit:
    theirs = {
        "safe_contact": people.SafeContact.from_json(unit.vault.open_text(person, "safe_contact")),
        "needs": people.CommunicationNeeds.from_json(
            unit.vault.open_text(person, "communication_needs")
        ),
    }
    safeguarding.record_consultation(
        unit.db, unit.actor, person, case.id, action="person.view_conflict"
    )
    return StaleEdit(theirs, person.version)


# --- needs assessment -----------------------------------------------------------------------


@dataclass(slots=True)
class NeedsPage:
    case: Case
    party: CaseParty
    person: Person
    history: list[needs.AssessmentView]
    may_assess: bool
    stored: dict[str, Any] = field(default_factory=dict)


def needs_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> NeedsPage:
    """Every assessment, newest first, and what the form edits as stored now (one
    consultation row)."""
    case, party, person = _load(unit, case_id, person_id)
    history = needs.assessment_history(unit.db, unit.vault, unit.actor, case, party, person)
    return NeedsPage(
        case,
        party,
        person,
        history,
        may_assess=unit.actor.can(Permission.RECORD_NEEDS_ASSESSMENT),
        stored=needs.needs_summary(party),
    )


def record_needs(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    data: needs.NeedsInput,
    *,
    version: int,
    unreadable: Mapping[str, str],
) -> Loaded:
    loaded = _load(unit, case_id, person_id)
    if unreadable:  # nothing can be saved: say all that is wrong, whatever the version
        people.refuse(needs.validate_needs(data, today=to_london(utc_now()).date()), unreadable)
    try:
        needs.record_needs_assessment(
            unit, loaded, data, expected_version=version, unreadable=unreadable
        )
    except StaleDataError:  # another transaction committed between our read and write
        party = _reload(unit, case_id, person_id).party
        raise StaleEdit(needs.needs_summary(party), party.version) from None
    return loaded


# --- safeguarding actions, referrals, NRM decisions and references ---------------------------


def add_action(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, **given: Any) -> Loaded:
    """``actions.add_action`` for the person in the case (``given`` are its keywords)."""
    loaded = _load(unit, case_id, person_id)
    actions.add_action(unit, loaded, **given)
    return loaded


def complete_action(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, action_id: uuid.UUID, *, version: int
) -> Loaded:
    case, party, person = loaded = _load(unit, case_id, person_id)
    try:
        actions.complete_action(
            unit.db, unit.actor, case, party, person, action_id, expected_version=version
        )
    except StaleDataError:
        _reload(unit, case_id, person_id)
        raise StaleEdit({}, -1) from None
    return loaded


def add_referral(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, **given: Any) -> Loaded:
    """``support.add_referral`` for the person in the case (``given`` are its keywords)."""
    loaded = _load(unit, case_id, person_id)
    support.add_referral(unit.db, unit.actor, *loaded, **given)
    return loaded


def add_nrm_decision(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, **given: Any) -> Loaded:
    """``support.add_nrm_decision`` for the person in the case (``given`` are its keywords)."""
    loaded = _load(unit, case_id, person_id)
    support.add_nrm_decision(unit.db, unit.actor, *loaded, **given)
    return loaded


def add_reference(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, **given: Any) -> Loaded:
    """``support.add_reference`` for the person in the case (``given`` are its keywords)."""
    loaded = _load(unit, case_id, person_id)
    support.add_reference(unit, loaded, **given)
    return loaded
