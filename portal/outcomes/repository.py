"""Every query of the outcomes domain. Cases are reached only through the case repository's
scope (portal.cases.access); everything here is filtered by a case the caller already holds."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from portal.cases.models import Case, CaseParty, Defendant, Offence
from portal.cases.repository import parties_with_people
from portal.kit.errors import NotFound
from portal.kit.history import in_order
from portal.outcomes.models import (
    AncillaryOrder,
    Apportionment,
    ApportionmentShare,
    CompensationOrder,
    CompensationPayment,
    ConfiscationOrder,
    DefendantOutcome,
    VictimLoss,
)
from portal.people.models import Person
from portal.victims_code.models import Obligation


def defendant_in_case(db: Session, case: Case, defendant_id: uuid.UUID) -> Defendant:
    defendant = db.scalar(
        select(Defendant).where(Defendant.id == defendant_id, Defendant.case_id == case.id)
    )
    if defendant is None:
        raise NotFound("defendant")
    return defendant


def victims_of(db: Session, case: Case) -> list[tuple[CaseParty, Person]]:
    rows = db.execute(
        parties_with_people(case).where(CaseParty.is_victim.is_(True)).order_by(Person.reference)
    ).all()
    return [(r[0], r[1]) for r in rows]


def victim_count(db: Session, case: Case) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(CaseParty)
            .where(CaseParty.case_id == case.id, CaseParty.is_victim.is_(True))
        )
        or 0
    )


def losses_of_parties(
    db: Session, case: Case, party_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[VictimLoss]]:
    found: dict[uuid.UUID, list[VictimLoss]] = defaultdict(list)
    if not party_ids:
        return found
    for loss in db.scalars(
        select(VictimLoss)
        .where(VictimLoss.case_id == case.id, VictimLoss.case_party_id.in_(party_ids))
        .order_by(VictimLoss.recorded_at, VictimLoss.id)
    ):
        found[loss.case_party_id].append(loss)
    return found


def losses_of_case(db: Session, case: Case, *, proven_only: bool = False) -> list[VictimLoss]:
    query = select(VictimLoss).where(VictimLoss.case_id == case.id)
    if proven_only:
        query = query.where(VictimLoss.proven.is_(True))
    return list(db.scalars(query))


def loss_summary(db: Session, case: Case) -> tuple[int, int]:
    """(victims with a recorded loss, victims with a proven loss): counts, no amounts."""
    row = db.execute(
        select(
            func.count(func.distinct(VictimLoss.case_party_id)),
            func.count(func.distinct(VictimLoss.case_party_id)).filter(VictimLoss.proven.is_(True)),
        ).where(VictimLoss.case_id == case.id)
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def compensation_orders(db: Session, case: Case) -> list[CompensationOrder]:
    Order = CompensationOrder
    return in_order(db, Order, Order.case_id == case.id, Order.recorded_at, Order.id)


def compensation_order(db: Session, case: Case, order_id: uuid.UUID) -> CompensationOrder:
    order = db.scalar(
        select(CompensationOrder).where(
            CompensationOrder.id == order_id, CompensationOrder.case_id == case.id
        )
    )
    if order is None:
        raise NotFound("compensation order")
    return order


def paid_by_order(db: Session, order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not order_ids:
        return {}
    rows = db.execute(
        select(CompensationPayment.order_id, func.sum(CompensationPayment.amount_pence))
        .where(CompensationPayment.order_id.in_(order_ids))
        .group_by(CompensationPayment.order_id)
    ).all()
    return {order_id: int(total or 0) for order_id, total in rows}


def payments_of(db: Session, order_ids: Sequence[uuid.UUID]) -> list[CompensationPayment]:
    if not order_ids:
        return []
    Payment = CompensationPayment
    return in_order(db, Payment, Payment.order_id.in_(order_ids), Payment.received_on, Payment.id)


def latest_apportionment(db: Session, source_id: uuid.UUID) -> Apportionment | None:
    return db.scalar(
        select(Apportionment)
        .where(Apportionment.source_id == source_id)
        .order_by(Apportionment.made_at.desc(), Apportionment.id)
        .limit(1)
    )


def apportionments_of(db: Session, case: Case) -> list[Apportionment]:
    """The apportionment in force for each source of the case (the latest one)."""
    latest: dict[uuid.UUID, Apportionment] = {}
    for item in db.scalars(
        select(Apportionment)
        .where(Apportionment.case_id == case.id)
        .order_by(Apportionment.made_at, Apportionment.id)
    ):
        latest[item.source_id] = item
    return list(latest.values())


def shares_of(
    db: Session, apportionment_ids: Sequence[uuid.UUID], party_ids: Sequence[uuid.UUID]
) -> list[ApportionmentShare]:
    if not apportionment_ids or not party_ids:
        return []
    return list(
        db.scalars(
            select(ApportionmentShare).where(
                ApportionmentShare.apportionment_id.in_(apportionment_ids),
                ApportionmentShare.case_party_id.in_(party_ids),
            )
        )
    )


def confiscation_orders(db: Session, case: Case) -> list[ConfiscationOrder]:
    return list(db.scalars(select(ConfiscationOrder).where(ConfiscationOrder.case_id == case.id)))


def confiscation_of(db: Session, defendant: Defendant) -> ConfiscationOrder | None:
    return db.scalar(
        select(ConfiscationOrder).where(ConfiscationOrder.defendant_id == defendant.id)
    )


def ancillary_orders(db: Session, case: Case) -> list[AncillaryOrder]:
    Order = AncillaryOrder
    return in_order(db, Order, Order.case_id == case.id, Order.sought_on, Order.id)


def finalised_of(db: Session, case: Case) -> dict[uuid.UUID, DefendantOutcome]:
    return {
        o.defendant_id: o
        for o in db.scalars(select(DefendantOutcome).where(DefendantOutcome.case_id == case.id))
    }


def finalised_for(db: Session, defendant: Defendant) -> DefendantOutcome | None:
    return db.scalar(select(DefendantOutcome).where(DefendantOutcome.defendant_id == defendant.id))


def victim_in_case(db: Session, case: Case, party_id: uuid.UUID) -> CaseParty:
    party = db.scalar(
        select(CaseParty).where(
            CaseParty.id == party_id, CaseParty.case_id == case.id, CaseParty.is_victim.is_(True)
        )
    )
    if party is None:
        raise NotFound("victim")
    return party


# --- the performance review: everything grouped in the database, per defendant outcome --------


def finalised_rows(
    db: Session, actor_scope: ColumnElement[bool], start: date, end: date
) -> list[tuple[uuid.UUID, str, str, str, date, int]]:
    """(case id, area, unit, outcome, finalised on, defendants) for defendants finalised from
    ``start`` to ``end`` inclusive, in the actor's scope, grouped by case, outcome and date."""
    rows = db.execute(
        select(
            DefendantOutcome.case_id,
            Case.area,
            Case.unit,
            DefendantOutcome.outcome,
            DefendantOutcome.finalised_on,
            func.count(),
        )
        .join(Case, Case.id == DefendantOutcome.case_id)
        .where(
            actor_scope,
            DefendantOutcome.finalised_on >= start,
            DefendantOutcome.finalised_on <= end,
        )
        .group_by(
            DefendantOutcome.case_id,
            Case.area,
            Case.unit,
            DefendantOutcome.outcome,
            DefendantOutcome.finalised_on,
        )
    ).all()
    return [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]


def _finalised_defendants(
    actor_scope: ColumnElement[bool], start: date, end: date
) -> Select[uuid.UUID, uuid.UUID, date]:
    return (
        select(
            DefendantOutcome.defendant_id, DefendantOutcome.case_id, DefendantOutcome.finalised_on
        )
        .join(Case, Case.id == DefendantOutcome.case_id)
        .where(
            actor_scope,
            DefendantOutcome.finalised_on >= start,
            DefendantOutcome.finalised_on <= end,
        )
    )


def money_rows(
    db: Session, actor_scope: ColumnElement[bool], start: date, end: date
) -> list[tuple[uuid.UUID, date, int, int, int, int, int]]:
    """Per finalised defendant: (case id, finalised on, compensation sought, compensation
    obtained, confiscation ordered, confiscation recovered, ancillary orders made)."""
    finalised = _finalised_defendants(actor_scope, start, end).subquery("finalised")
    sought = (
        select(
            CompensationOrder.defendant_id.label("d"),
            func.sum(CompensationOrder.sought_pence).label("sought"),
            func.sum(CompensationOrder.amount_pence).label("made"),
        )
        .group_by(CompensationOrder.defendant_id)
        .subquery("comp")
    )
    confiscated = (
        select(
            ConfiscationOrder.defendant_id.label("d"),
            ConfiscationOrder.order_pence.label("ordered"),
            ConfiscationOrder.recovered_pence.label("recovered"),
        )
    ).subquery("conf")
    ancillary = (
        select(AncillaryOrder.defendant_id.label("d"), func.count().label("made"))
        .where(AncillaryOrder.status == "made")
        .group_by(AncillaryOrder.defendant_id)
        .subquery("anc")
    )
    rows = db.execute(
        select(
            finalised.c.case_id,
            finalised.c.finalised_on,
            func.coalesce(sought.c.sought, 0),
            func.coalesce(sought.c.made, 0),
            func.coalesce(confiscated.c.ordered, 0),
            func.coalesce(confiscated.c.recovered, 0),
            func.coalesce(ancillary.c.made, 0),
        )
        .outerjoin(sought, sought.c.d == finalised.c.defendant_id)
        .outerjoin(confiscated, confiscated.c.d == finalised.c.defendant_id)
        .outerjoin(ancillary, ancillary.c.d == finalised.c.defendant_id)
    ).all()
    return [(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6])) for r in rows]


def offences_by_case(
    db: Session, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[tuple[str, str]]]:
    found: dict[uuid.UUID, set[tuple[str, str]]] = defaultdict(set)
    ids = list(case_ids)
    for chunk in range(0, len(ids), 500):
        for case_id, code, category in db.execute(
            select(Offence.case_id, Offence.code, Offence.category).where(
                Offence.case_id.in_(ids[chunk : chunk + 500])
            )
        ):
            found[case_id].add((code, category))
    return found


def obligation_buckets(
    db: Session, case_ids: Sequence[uuid.UUID], bucket: ColumnElement[str]
) -> dict[uuid.UUID, dict[str, int]]:
    """Victims' Code obligations of these cases, counted per case by compliance bucket."""
    found: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    ids = list(case_ids)
    for chunk in range(0, len(ids), 500):
        for case_id, name, count in db.execute(
            select(Obligation.case_id, bucket, func.count())
            .where(Obligation.case_id.in_(ids[chunk : chunk + 500]))
            .group_by(Obligation.case_id, bucket)
        ):
            found[case_id][str(name)] = int(count)
    return found


def urns_of(
    db: Session, actor_scope: ColumnElement[bool], case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str, str]]:
    """(URN, area, unit) of these cases, in the actor's scope."""
    found: dict[uuid.UUID, tuple[str, str, str]] = {}
    ids = list(case_ids)
    for chunk in range(0, len(ids), 500):
        for case_id, urn, area, unit in db.execute(
            select(Case.id, Case.urn, Case.area, Case.unit).where(
                actor_scope, Case.id.in_(ids[chunk : chunk + 500])
            )
        ):
            found[case_id] = (urn, area, unit)
    return found


def defendants_in(db: Session, case: Case) -> list[Defendant]:
    return list(
        db.scalars(select(Defendant).where(Defendant.case_id == case.id).order_by(Defendant.label))
    )


def victim_by_reference(db: Session, case: Case, reference: str) -> CaseParty | None:
    return db.scalar(
        select(CaseParty)
        .join(Person, Person.id == CaseParty.person_id)
        .where(
            CaseParty.case_id == case.id,
            CaseParty.is_victim.is_(True),
            Person.reference == reference.strip().upper(),
        )
    )
