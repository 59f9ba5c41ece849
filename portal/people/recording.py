"""What officers record about a person's part in a case (issue 15 point 5): their role, the
enhanced-rights categories with reasons, and their parents, guardians and representatives. One
call per request, taking the request's ``Unit``, as ``portal.people.pages``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.cases import enhanced
from portal.cases import repository as cases_repo
from portal.cases.models import Case, CaseParty
from portal.kit.errors import StaleEdit
from portal.people import linked, roles
from portal.people import service as people
from portal.people.models import Person
from portal.people.safeguarding import InCase, record_consultation, record_event
from portal.people.vocabulary import EnhancedCategory, vocabulary


def _load(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> InCase:
    return InCase(*cases_repo.party_in_case(unit.db, unit.actor, case_id, person_id))


def _reload(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> InCase:
    """After losing a race at flush: drop our work and read what is stored now."""
    unit.db.rollback()
    return _load(unit, case_id, person_id)


# --- the role -------------------------------------------------------------------------------


@dataclass(slots=True)
class RolePage:
    case: Case
    party: CaseParty
    person: Person

    @property
    def role(self) -> str:
        return roles.role_of(self.party)


def role_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> RolePage:
    """The role form (nothing personal is shown: the person's reference only). Like every
    page about a person, its view is one consultation row."""
    at = _load(unit, case_id, person_id)
    record_consultation(unit.db, unit.actor, at.person, at.case.id, action="person.view_role")
    return RolePage(*at)


def save_role(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    is_victim: bool,
    is_witness: bool,
    version: int,
) -> tuple[InCase, bool]:
    """Change the role unless someone changed the person's part since the form was shown;
    a change that gives rights publishes ``PersonRoleChanged``. Returns whether it changed."""
    at = _load(unit, case_id, person_id)
    unit.vault.load(())  # open it: the handlers of what the change publishes use it (Vault.of)
    try:
        changed = roles.change_role(
            unit.db,
            unit.actor,
            at.party,
            is_victim=is_victim,
            is_witness=is_witness,
            expected_version=version,
        )
    except StaleDataError:
        party = _reload(unit, case_id, person_id).party
        raise StaleEdit({"role": roles.role_of(party)}, party.version) from None
    if changed:
        record_event(unit.db, unit.actor, at.party, "role_changed")
    return at, changed


# --- enhanced rights ------------------------------------------------------------------------


@dataclass(slots=True)
class EnhancedPage:
    case: Case
    party: CaseParty
    person: Person
    categories: tuple[EnhancedCategory, ...]
    automatic: list[enhanced.Category]
    stored: dict[str, Any] = field(default_factory=dict)


def _automatic(unit: Unit, at: InCase) -> list[enhanced.Category]:
    offences = cases_repo.offences_of(unit.db, [at.case.id])[at.case.id]
    born = people.date_of_birth_of(unit.vault, at.person)  # child status only, never shown
    return [c for c in enhanced.for_party(at.party, offences, born) if c.automatic]


def enhanced_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> EnhancedPage:
    """The categories that apply automatically, and the form with what is recorded (its
    reasons opened: one consultation row)."""
    at = _load(unit, case_id, person_id)
    roles.require_editor(unit.actor)
    stored = roles.enhanced_values(unit.vault, at.party)
    record_consultation(unit.db, unit.actor, at.person, at.case.id, action="person.view_enhanced")
    return EnhancedPage(*at, vocabulary().enhanced, _automatic(unit, at), stored)


def save_enhanced(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    recorded: Mapping[str, roles.Reason],
    *,
    version: int,
    unreadable: Mapping[str, str],
) -> tuple[InCase, bool]:
    """Record the categories with their reasons (``StaleEdit`` with what is stored now if the
    person's part changed since the form was shown; that read is logged)."""
    at = _load(unit, case_id, person_id)
    roles.require_editor(unit.actor)
    texts = {f"{code}_details": ("The reason", r.details) for code, r in recorded.items()}
    errors = {**case_text_errors(unit.db, unit.vault, at.case.id, texts), **unreadable}
    try:
        changed = roles.record_enhanced(
            unit.db,
            unit.vault,
            unit.actor,
            at.party,
            recorded,
            expected_version=version,
            errors=errors,
        )
    except StaleEdit:
        raise _enhanced_conflict(unit, at) from None
    except StaleDataError:
        raise _enhanced_conflict(unit, _reload(unit, case_id, person_id)) from None
    if changed:
        record_event(unit.db, unit.actor, at.party, "enhanced_recorded")
    return at, changed


def _enhanced_conflict(unit: Unit, at: InCase) -> StaleEdit:
    record_consultation(unit.db, unit.actor, at.person, at.case.id, action="person.view_conflict")
    return StaleEdit(roles.enhanced_values(unit.vault, at.party), at.party.version)


def enhanced_form_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> EnhancedPage:
    """The page again after a refusal (what was typed is the form's; nothing is opened)."""
    at = _load(unit, case_id, person_id)
    return EnhancedPage(*at, vocabulary().enhanced, _automatic(unit, at))


# --- parents, guardians and representatives -------------------------------------------------


def add_contact(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    new: linked.NewContact,
    unreadable: Mapping[str, str],
) -> InCase:
    at = _load(unit, case_id, person_id)
    linked.add_contact(unit, at, new, unreadable=unreadable)
    return at


def remove_contact(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, contact_id: uuid.UUID
) -> tuple[InCase, bool]:
    at = _load(unit, case_id, person_id)
    return at, linked.remove_contact(unit, at, contact_id)
