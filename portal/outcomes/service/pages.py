"""The outcomes pages as use cases: each takes the request's ``Unit``, loads what it needs in the
actor's scope, writes the consultation row, and returns the read model its template renders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity.recording import consulted
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.importer import ImportRejected, RowError
from portal.cases.models import Case, CaseParty, Defendant
from portal.db.encrypted import Sensitive
from portal.outcomes import repository
from portal.outcomes.models import (
    AncillaryOrder,
    Apportionment,
    CompensationOrder,
    CompensationPayment,
    ConfiscationOrder,
    DefendantOutcome,
    LossKind,
)
from portal.outcomes.rules import outcomes_rules
from portal.outcomes.service import (
    compensation,
    finalised,
    loss_import,
    losses,
)
from portal.outcomes.service.common import Against
from portal.outcomes.service.losses import LossLine
from portal.people.models import Person

T = TypeVar("T")
C = TypeVar("C")
EMPTY = "Paste the CSV into the box, including the header row"


# --- the case's outcomes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseOutcomes:
    case: Case
    defendants: list[Defendant]
    finalised: dict[uuid.UUID, DefendantOutcome]
    orders: list[CompensationOrder]
    paid: dict[uuid.UUID, int]
    confiscations: dict[uuid.UUID, ConfiscationOrder]
    ancillary: list[AncillaryOrder]
    ancillary_titles: dict[str, str]
    victims: int
    with_loss: int
    with_proven_loss: int
    apportionments: list[Apportionment]
    may_record: bool


def case_outcomes(unit: Unit, case_id: uuid.UUID) -> CaseOutcomes:
    db = unit.db
    case = cases_repo.get_case(db, unit.actor, case_id)
    orders = repository.compensation_orders(db, case)
    recorded, proven = repository.loss_summary(db, case)
    consulted(unit, "outcomes.case.view", "case", case.id, case)
    return CaseOutcomes(
        case=case,
        defendants=repository.defendants_in(db, case),
        finalised=repository.finalised_of(db, case),
        orders=orders,
        paid=repository.paid_by_order(db, [o.id for o in orders]),
        confiscations={c.defendant_id: c for c in repository.confiscation_orders(db, case)},
        ancillary=repository.ancillary_orders(db, case),
        ancillary_titles={k.code: k.title for k in outcomes_rules().ancillary},
        victims=repository.victim_count(db, case),
        with_loss=recorded,
        with_proven_loss=proven,
        apportionments=repository.apportionments_of(db, case),
        may_record=unit.actor.can(Permission.RECORD_COURT_ORDERS),
    )


@dataclass(frozen=True, slots=True)
class CaseVictims:
    case: Case
    page: Any  # portal.kit.paging.Page of (CaseParty, Person)
    names: dict[uuid.UUID, Sensitive | None]
    losses: dict[uuid.UUID, list[LossLine]]
    shares: dict[uuid.UUID, dict[uuid.UUID, int | None]]
    apportionments: list[Apportionment]
    withheld: bool


def case_victims(unit: Unit, case_id: uuid.UUID, *, page: int, per_page: int) -> CaseVictims:
    """One page of the case's victims with their losses and shares (2,000 in the big case)."""
    db = unit.db
    case = cases_repo.get_case(db, unit.actor, case_id)
    rows = cases_repo.parties_page(db, case, page=page, per_page=per_page, role="victim")
    parties = [party.id for party, _ in rows.items]
    vault = unit.vault
    vault.load({person.key_id for _, person in rows.items})
    names = {person.id: vault.open(person, "full_name") for _, person in rows.items}
    shown = [person for _, person in rows.items]
    audit.people_listed(db, unit.actor, "outcomes.victims.view", shown, case.id)
    return CaseVictims(
        case=case,
        page=rows,
        names=names,
        losses=losses.losses_of(db, vault, case, parties),
        shares=compensation.shares_for(db, vault, case, parties),
        apportionments=repository.apportionments_of(db, case),
        withheld=vault.pseudonymised,
    )


# --- a person's losses --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonLosses:
    case: Case
    party: CaseParty
    person: Person
    name: Sensitive | None
    losses: list[LossLine]
    shares: dict[uuid.UUID, int | None]
    may_record: bool
    withheld: bool


def person_losses(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> PersonLosses:
    db = unit.db
    case, party, person = cases_repo.party_in_case(db, unit.actor, case_id, person_id)
    vault = unit.vault
    consulted(unit, "outcomes.losses.view", "person", person.id, case, person)
    return PersonLosses(
        case=case,
        party=party,
        person=person,
        name=vault.open(person, "full_name"),
        losses=losses.losses_of(db, vault, case, [party.id]).get(party.id, []),
        shares=compensation.shares_for(db, vault, case, [party.id]).get(party.id, {}),
        may_record=unit.actor.can(Permission.RECORD_LOSSES) and party.is_victim,
        withheld=vault.pseudonymised,
    )


def add_loss(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    kind: LossKind,
    amount: int,
    description: str,
    proven: bool,
) -> uuid.UUID:
    """Record one loss for the person; returns the person's id."""
    case, party, person = cases_repo.party_in_case(unit.db, unit.actor, case_id, person_id)
    loss = losses.NewLoss(party, person, kind, amount, proven)
    losses.record_loss(unit.db, unit.vault, unit.actor, case, loss, description=description)
    return person.id


# --- orders per defendant -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefendantForm:
    """What every order form for one defendant shows (and the confiscation recorded, if any)."""

    case: Case
    defendant: Defendant
    confiscation: ConfiscationOrder | None = None


def _defendant(unit: Unit, case_id: uuid.UUID, defendant_id: uuid.UUID) -> Against:
    case = cases_repo.get_case(unit.db, unit.actor, case_id)
    return Against(case, repository.defendant_in_case(unit.db, case, defendant_id))


def defendant_form(unit: Unit, case_id: uuid.UUID, defendant_id: uuid.UUID) -> DefendantForm:
    return DefendantForm(*_defendant(unit, case_id, defendant_id))


def confiscation_form(unit: Unit, case_id: uuid.UUID, defendant_id: uuid.UUID) -> DefendantForm:
    case, defendant = _defendant(unit, case_id, defendant_id)
    return DefendantForm(case, defendant, repository.confiscation_of(unit.db, defendant))


def record_order(
    unit: Unit,
    case_id: uuid.UUID,
    defendant_id: uuid.UUID,
    record: Callable[[Unit, Against, C], T],
    command: C,
) -> T:
    """Record an order against the defendant with its use case (``compensation.record_order``,
    ``confiscation.record``, ``ancillary.record_order``)."""
    return record(unit, _defendant(unit, case_id, defendant_id), command)


def record_finalised(
    unit: Unit,
    case_id: uuid.UUID,
    defendant_id: uuid.UUID,
    *,
    outcome: Any,
    finalised_on: date,
    today: date,
) -> DefendantOutcome:
    case, defendant = _defendant(unit, case_id, defendant_id)
    return finalised.record(
        unit.db,
        unit.actor,
        case,
        defendant,
        outcome=outcome,
        finalised_on=finalised_on,
        today=today,
    )


# --- one compensation order and its payments ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderPage:
    case: Case
    order: CompensationOrder
    defendant: Defendant
    reason: Sensitive | None
    payments: list[CompensationPayment]
    paid: int
    may_record: bool


def order_page(unit: Unit, case_id: uuid.UUID, order_id: uuid.UUID) -> OrderPage:
    db = unit.db
    case = cases_repo.get_case(db, unit.actor, case_id)
    order = repository.compensation_order(db, case, order_id)
    return OrderPage(
        case=case,
        order=order,
        defendant=repository.defendant_in_case(db, case, order.defendant_id),
        reason=unit.vault.open(order, "reason"),
        payments=repository.payments_of(db, [order.id]),
        paid=repository.paid_by_order(db, [order.id]).get(order.id, 0),
        may_record=unit.actor.can(Permission.RECORD_COURT_ORDERS),
    )


def record_payment(
    unit: Unit, case_id: uuid.UUID, order_id: uuid.UUID, *, amount: int, received_on: date
) -> CompensationPayment:
    case = cases_repo.get_case(unit.db, unit.actor, case_id)
    order = repository.compensation_order(unit.db, case, order_id)
    return compensation.record_payment(
        unit.db, unit.actor, case, order, amount=amount, received_on=received_on
    )


# --- importing losses ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LossImport:
    """The import page after a submission: how many were recorded, or every problem."""

    case: Case
    count: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_page(unit: Unit, case_id: uuid.UUID) -> Case:
    return cases_repo.get_case(unit.db, unit.actor, case_id)


def import_losses(unit: Unit, case_id: uuid.UUID, text: str) -> LossImport:
    """Record every loss in the pasted CSV, or none (its problems, for the page to list)."""
    case = cases_repo.get_case(unit.db, unit.actor, case_id)
    if not text.strip():
        return LossImport(case, errors=[RowError(0, "", EMPTY)])
    try:
        count = loss_import.import_losses(unit.db, unit.vault, unit.actor, case, text.encode())
    except ImportRejected as rejected:
        return LossImport(case, errors=list(rejected.errors))
    return LossImport(case, count)
