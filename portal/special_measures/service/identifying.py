"""Identify and request (witness care officers): a witness's need for special measures is
recorded, and the prosecutor is asked to apply."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portal.accounts.unit import Unit
from portal.cases.errors import ValidationFailed
from portal.people.models import Person
from portal.people.safeguarding import InCase
from portal.special_measures import repository
from portal.special_measures.eligibility import MEASURES
from portal.special_measures.models import SpecialMeasuresApplication
from portal.special_measures.service import lookup
from portal.special_measures.service.recording import (
    add_transition,
    audit_application,
    check_version,
    clean_measures,
    move,
    require_witness,
)
from portal.special_measures.states import Action, State, check


def identify(
    unit: Unit, at: InCase, *, measures: Iterable[str], request_now: bool
) -> SpecialMeasuresApplication:
    """A witness care officer identifies a witness's need; optionally asks the prosecutor to
    apply straight away (two transitions, both recorded)."""
    db, actor = unit.db, unit.actor
    case, party, person = at
    check(Action.IDENTIFY, None, actor)  # the state machine decides first
    require_witness(party)
    if repository.open_application_for(db, party.id) is not None:
        raise ValidationFailed(
            {"measures": "This witness already has an application in progress: update that one"}
        )
    application = SpecialMeasuresApplication(
        case_id=case.id,
        case_party_id=party.id,
        key_id=party.key_id,
        state="",
        measures=",".join(clean_measures(measures)),
        created_by_id=actor.user_id,
    )
    application.state = State.IDENTIFIED.value
    db.add(application)
    db.flush()
    add_transition(db, actor, application, Action.IDENTIFY, None, State.IDENTIFIED)
    audit_application(
        db,
        actor,
        application,
        person,
        action="identify",
        category="collection",
        fields=("state", "measures"),
    )
    if request_now:
        move(db, actor, application, Action.REQUEST, person)
    return application


def request(
    unit: Unit,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    expected_version: int | None = None,
) -> None:
    check_version(application, expected_version)
    move(unit.db, unit.actor, application, Action.REQUEST, person)


# --- the pages and their saves (through the request's unit) ---------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentifyPage(lookup.FormPage):
    measures: list[tuple[str, str]]


def identify_page(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, *, first: bool = True
) -> IdentifyPage:
    at = lookup.witness(unit, case_id, person_id, readable=True)
    initial: dict[str, Any] = {"measures": [], "request_now": True} if first else {}
    viewed = "identify_view" if first else None
    return lookup.witness_form(
        IdentifyPage, unit, at, viewed, initial, measures=list(MEASURES.items())
    )


def identify_need(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    measures: Iterable[str],
    request_now: bool,
) -> SpecialMeasuresApplication:
    at = lookup.witness(unit, case_id, person_id, readable=True)
    return identify(unit, at, measures=measures, request_now=request_now)


def request_application(
    unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID, *, expected_version: int | None
) -> None:
    application, _, _, person = lookup.application(unit, case_id, application_id)
    request(unit, application, person, expected_version=expected_version)
