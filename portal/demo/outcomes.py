"""Demo outcomes (issue 20): finalised defendants over the last two financial years, victims'
losses, compensation and confiscation orders, payments and ancillary orders, all through the
real services (sealed, audited, obligations created). Synthetic; no real people.

The big fraud case (2,000 victims) gets every victim's loss and its defendants' outcomes but no
compensation order, so a prosecutor can record one there and see it apportioned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.cases.models import Case, Defendant, Offence
from portal.db.session import unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.outcomes import repository
from portal.outcomes.models import Enforcement, Finalised, LossKind, OrderStatus
from portal.outcomes.service import ancillary, compensation, confiscation, finalised, losses
from portal.outcomes.service.common import Against
from portal.settings import Settings

# Shares close to the strategy's published table (seeds/): about 84% convicted.
OUTCOME_WEIGHTS = (
    (Finalised.GUILTY_PLEA, 0.52),
    (Finalised.CONVICTED_AFTER_TRIAL, 0.30),
    (Finalised.ACQUITTED_AFTER_TRIAL, 0.09),
    (Finalised.DIRECTED_ACQUITTAL, 0.02),
    (Finalised.DROPPED, 0.07),
)
CONVICTED = {Finalised.GUILTY_PLEA, Finalised.CONVICTED_AFTER_TRIAL}
WITH_LOSSES = {"fraud", "cyber", "acquisitive", "money_laundering"}
PROCEEDS = {"fraud", "drugs", "money_laundering", "trafficking", "immigration", "cyber"}
# Which ancillary orders each crime category attracts, and how often, on conviction.
ANCILLARY = {
    "fraud": (("director_disqualification", 0.3), ("scpo", 0.2), ("fro", 0.05)),
    "drugs": (("tro", 0.25), ("scpo", 0.2)),
    "firearms": (("scpo", 0.3),),
    "trafficking": (("stpo", 0.6), ("scpo", 0.2)),
    "immigration": (("stpo", 0.3), ("tro", 0.2)),
    "cse": (("shpo", 0.8),),
    "sexual": (("shpo", 0.7), ("restraining_order", 0.3)),
    "domestic_abuse": (("restraining_order", 0.7),),
    "money_laundering": (("scpo", 0.25), ("fro", 0.1)),
}


@dataclass(slots=True)
class OutcomesSummary:
    finalised: int = 0
    losses: int = 0
    compensation_orders: int = 0
    confiscation_orders: int = 0
    ancillary_orders: int = 0


def _pounds(rng: random.Random, low: int, high: int) -> int:
    """A whole-pound amount between ``low`` and ``high`` pounds, skewed low, in pence."""
    return int(low + (high - low) * rng.random() ** 3) * 100


def seed_outcomes(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    seed: int = 2026,
    today: date,
    big_urn: str | None = None,
) -> OutcomesSummary:
    rng = random.Random(seed + 20)  # noqa: S311 - synthetic demo data, not security
    summary = OutcomesSummary()
    provider, cache = settings.key_provider(), KeyCache()
    with unit_of_work(factory) as db:
        case_ids = list(db.scalars(select(Case.id).order_by(Case.urn)))
    for case_id in case_ids:
        with unit_of_work(factory) as db:
            vault = Vault(db, provider, cache, index_bits=settings.blind_index_bits)
            _case(db, vault, rng, db.get_one(Case, case_id), today, big_urn, summary)
    return summary


def _case(
    db: Session,
    vault: Vault,
    rng: random.Random,
    case: Case,
    today: date,
    big_urn: str | None,
    summary: OutcomesSummary,
) -> None:
    if case.prosecutor_id is None:
        return
    actor = Actor(case.prosecutor_id, Role.PROSECUTOR, case.area, case.unit)
    unit = Unit(db, actor, lambda: vault)
    category = db.scalar(select(Offence.category).where(Offence.case_id == case.id)) or "other"
    big = case.urn == big_urn
    victims = repository.victims_of(db, case)
    if category in WITH_LOSSES or big:
        items = [
            losses.NewLoss(
                party=party,
                person=person,
                kind=LossKind.MONEY if rng.random() < 0.9 else LossKind.PROPERTY,
                amount=_pounds(rng, 50, 40_000),
                proven=big or rng.random() < 0.85,
            )
            for party, person in victims
        ]
        summary.losses += losses.record_losses(db, vault, actor, case, items)
    opened = case.created_at.date()
    earliest = max(opened + timedelta(days=60), today - timedelta(days=700))
    defendants = db.scalars(
        select(Defendant).where(Defendant.case_id == case.id).order_by(Defendant.label)
    ).all()
    for defendant in defendants:
        if earliest >= today or (not big and rng.random() < 0.3):
            continue  # still in progress
        outcome = rng.choices([o for o, _ in OUTCOME_WEIGHTS], [w for _, w in OUTCOME_WEIGHTS])[0]
        if big:
            outcome = Finalised.GUILTY_PLEA
        on = earliest + timedelta(days=rng.randint(0, (today - earliest).days))
        finalised.record(db, actor, case, defendant, outcome=outcome, finalised_on=on, today=today)
        summary.finalised += 1
        if outcome not in CONVICTED:
            continue
        at = Against(case, defendant)
        if category in PROCEEDS and rng.random() < 0.5:
            _confiscation(unit, rng, at, on, today, category, big)
            summary.confiscation_orders += 1
        if category in WITH_LOSSES and not big and victims and rng.random() < 0.7:
            _compensation(unit, rng, at, on)
            summary.compensation_orders += 1
        for kind, chance in ANCILLARY.get(category, ()):
            if rng.random() < chance:
                protects = ""
                if kind == "restraining_order" and victims:
                    protects = rng.choice(victims)[1].reference
                ancillary.record_order(
                    unit,
                    at,
                    ancillary.NewAncillary(
                        kind=kind,
                        status=OrderStatus.MADE if rng.random() < 0.85 else OrderStatus.REFUSED,
                        sought_on=on,
                        decided_on=on,
                        ends_on=on + timedelta(days=365 * rng.choice((2, 5, 10))),
                        protects=protects,
                        terms="",
                        received_on=on,
                    ),
                )
                summary.ancillary_orders += 1


def _compensation(unit: Unit, rng: random.Random, at: Against, on: date) -> None:
    sought = _pounds(rng, 500, 60_000)
    roll = rng.random()
    status = OrderStatus.MADE if roll < 0.65 else OrderStatus.REFUSED
    amount = (sought * rng.randint(40, 100)) // 100 if status is OrderStatus.MADE else None
    order = compensation.record_order(
        unit,
        at,
        compensation.NewCompensation(
            status=status,
            sought=sought,
            amount=amount,
            decided_on=on,
            reason="" if amount else "The defendant has no means to pay.",
        ),
    )
    if amount and rng.random() < 0.7:
        paid = (amount * rng.randint(10, 100)) // 100
        compensation.record_payment(
            unit.db,
            unit.actor,
            at.case,
            order,
            amount=max(1, paid),
            received_on=on + timedelta(days=28),
        )


def _confiscation(
    unit: Unit, rng: random.Random, at: Against, on: date, today: date, category: str, big: bool
) -> None:
    benefit = _pounds(rng, 20_000, 2_000_000)
    available = (benefit * rng.randint(5, 100)) // 100
    # The big case's victims are left for a compensation order (the browser journey records one).
    fraud = category == "fraud" and not big
    to_compensation = (available * rng.randint(20, 60)) // 100 if fraud else 0
    recovered = (available * rng.randint(0, 100)) // 100
    state = Enforcement.SATISFIED if recovered == available else Enforcement.PAYING
    if recovered == 0:
        state = rng.choice((Enforcement.NOT_YET_DUE, Enforcement.IN_DEFAULT, Enforcement.RECEIVER))
    confiscation.record(
        unit,
        at,
        confiscation.Confiscation(
            restraint_on=on - timedelta(days=rng.randint(60, 300)),
            ordered_on=min(today, on + timedelta(days=rng.randint(30, 180))),
            benefit=benefit,
            available=available,
            order=available,
            compensation=to_compensation,
            recovered=recovered,
            enforcement=state,
        ),
    )
