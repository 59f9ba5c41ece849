"""Outcomes for victims (issue 20): losses sealed, orders recorded, sums apportioned, protective
orders owed to the victim through the Victims' Code engine, and the review counted twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.kit.errors import ActionNotPermitted, GuardRefused, ValidationFailed
from portal.outcomes import repository
from portal.outcomes.models import (
    ApportionmentShare,
    Enforcement,
    Finalised,
    LossKind,
    OrderStatus,
    VictimLoss,
)
from portal.outcomes.service import ancillary, compensation, confiscation, finalised, losses
from portal.outcomes.service.common import Against
from portal.outcomes.service.review import review, year_bounds
from portal.victims_code.models import Obligation
from tests.support.factories import add_person, make_case, make_user, make_vault


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        offences=("FA2006-S2",),
        offence_date=date(2025, 6, 1),
        defendants=("Dan Defendant", "Di Defendant"),
    )
    people = [
        add_person(db, settings, case, name=name, actor_user=prosecutor)
        for name in ("Ann Able", "Bob Baker", "Cat Cole")
    ]
    db.flush()
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    vault = make_vault(db, settings)
    return {
        "case": case,
        "actor": actor,
        "vault": vault,
        "people": people,
        "defendants": repository.defendants_in(db, case),
    }


def _against(db, w):
    """The unit of work and the first defendant of the case, for recording an order."""
    return Unit(db, w["actor"], lambda: w["vault"]), Against(w["case"], w["defendants"][0])


def _loss(db, w, index, amount, proven=True):
    person, party = w["people"][index]
    return losses.record_loss(
        db,
        w["vault"],
        w["actor"],
        w["case"],
        losses.NewLoss(party, person, LossKind.MONEY, amount, proven),
        description="Savings transferred",
    )


def test_a_loss_is_sealed_and_withheld_from_auditors(db, settings, world) -> None:
    loss = _loss(db, world, 0, 123456)
    raw = db.execute(text("SELECT amount, kind FROM victim_loss")).one()
    assert b"123456" not in bytes(raw[0]) and b"money" not in bytes(raw[1])
    party = world["people"][0][1]
    seen = losses.losses_of(db, world["vault"], world["case"], [party.id])[party.id]
    assert seen[0].amount == 123456 and seen[0].kind is LossKind.MONEY
    auditor = make_vault(db, settings, role=Role.AUDITOR)
    withheld = losses.line_of(auditor, db.get(VictimLoss, loss.id))
    assert withheld.amount is None and withheld.kind is None and withheld.description is None


def test_only_the_case_team_records_losses(db, world) -> None:
    person, party = world["people"][0]
    auditor = Actor(world["actor"].user_id, Role.AUDITOR)
    with pytest.raises(ActionNotPermitted):
        losses.record_loss(
            db,
            world["vault"],
            auditor,
            world["case"],
            losses.NewLoss(party, person, LossKind.MONEY, 100, True),
            description="",
        )


def test_a_made_order_is_apportioned_to_the_penny_over_proven_losses(db, world) -> None:
    _loss(db, world, 0, 100_00)
    _loss(db, world, 1, 200_00)
    _loss(db, world, 2, 999_00, proven=False)  # claimed, not proven: shares nothing
    order = compensation.record_order(
        *_against(db, world),
        compensation.NewCompensation(
            status=OrderStatus.MADE,
            sought=500_00,
            amount=100_01,
            decided_on=date(2026, 1, 5),
            reason="",
        ),
    )
    shares = db.scalars(select(ApportionmentShare)).all()
    assert len(shares) == 2
    parties = [p.id for _, p in world["people"]]
    found = compensation.shares_for(db, world["vault"], world["case"], parties)
    amounts = sorted(next(iter(v.values())) or 0 for v in found.values())
    assert amounts == [33_34, 66_67]  # 3333.67 + 6667.33 = exact shares; spare penny to Ann
    assert sum(amounts) == order.amount_pence


def test_payments_cannot_exceed_what_is_owed(db, world) -> None:
    order = compensation.record_order(
        *_against(db, world),
        compensation.NewCompensation(
            status=OrderStatus.MADE,
            sought=100_00,
            amount=50_00,
            decided_on=date(2026, 1, 5),
            reason="",
        ),
    )
    compensation.record_payment(
        db, world["actor"], world["case"], order, amount=30_00, received_on=date(2026, 2, 1)
    )
    with pytest.raises(ValidationFailed):
        compensation.record_payment(
            db, world["actor"], world["case"], order, amount=20_01, received_on=date(2026, 2, 2)
        )
    unit, _ = _against(db, world)
    refused = compensation.record_order(
        unit,
        Against(world["case"], world["defendants"][1]),
        compensation.NewCompensation(
            status=OrderStatus.REFUSED,
            sought=100_00,
            amount=None,
            decided_on=date(2026, 1, 5),
            reason="No means to pay",
        ),
    )
    with pytest.raises(GuardRefused):
        compensation.record_payment(
            db, world["actor"], world["case"], refused, amount=1, received_on=date(2026, 2, 2)
        )


def test_confiscation_directed_to_compensation_is_checked_and_apportioned(db, world) -> None:
    _loss(db, world, 0, 1_000_00)
    _loss(db, world, 1, 3_000_00)
    bad = confiscation.Confiscation(
        restraint_on=date(2025, 7, 1),
        ordered_on=date(2026, 1, 10),
        benefit=10_000_00,
        available=4_000_00,
        order=4_000_00,
        compensation=4_000_01,
        recovered=0,
        enforcement=Enforcement.NOT_YET_DUE,
    )
    with pytest.raises(ValidationFailed) as refused:
        confiscation.record(*_against(db, world), bad)
    assert "compensation" in refused.value.errors
    good = confiscation.Confiscation(
        restraint_on=bad.restraint_on,
        ordered_on=bad.ordered_on,
        benefit=bad.benefit,
        available=bad.available,
        order=bad.order,
        compensation=2_000_00,
        recovered=500_00,
        enforcement=Enforcement.PAYING,
    )
    row = confiscation.record(*_against(db, world), good)
    parties = [p.id for _, p in world["people"]]
    found = compensation.shares_for(db, world["vault"], world["case"], parties)
    assert sorted(v[next(iter(v))] or 0 for v in found.values()) == [500_00, 1_500_00]
    assert row.enforcement == "paying"


def test_a_made_protective_order_owes_the_victim_a_visit_from_the_engine(db, world) -> None:
    person, party = world["people"][1]
    order, created = ancillary.record_order(
        *_against(db, world),
        ancillary.NewAncillary(
            kind="restraining_order",
            status=OrderStatus.MADE,
            sought_on=date(2026, 1, 5),
            decided_on=date(2026, 1, 6),
            ends_on=date(2031, 1, 6),
            protects=person.reference,
            terms="No contact with the victim",
        ),
    )
    assert created == 1
    owed = db.scalars(
        select(Obligation).where(Obligation.entitlement == "R9-WCU-PROTECTIVE-ORDER")
    ).all()
    assert [o.case_party_id for o in owed] == [party.id]
    assert owed[0].due_on == date(2026, 1, 7)
    _, none = ancillary.record_order(
        *_against(db, world),
        ancillary.NewAncillary(
            kind="scpo",
            status=OrderStatus.MADE,
            sought_on=date(2026, 1, 5),
            decided_on=date(2026, 1, 6),
            ends_on=None,
            protects="",
            terms="",
        ),
    )
    assert none == 0


def _finalise(db, w, case, outcomes):
    for defendant, (outcome, on) in zip(repository.defendants_in(db, case), outcomes, strict=True):
        finalised.record(
            db,
            w["actor"],
            case,
            defendant,
            outcome=outcome,
            finalised_on=on,
            today=date(2026, 12, 1),
        )


SQL_BY_AREA = """
SELECT c.area, o.outcome, COUNT(*)
FROM defendant_outcome o JOIN case_file c ON c.id = o.case_id
WHERE o.finalised_on >= :start AND o.finalised_on <= :end
GROUP BY c.area, o.outcome
"""
SQL_COMPENSATION = """
SELECT COALESCE(SUM(co.sought_pence), 0), COALESCE(SUM(co.amount_pence), 0)
FROM compensation_order co
WHERE co.defendant_id IN (
  SELECT o.defendant_id FROM defendant_outcome o
  WHERE o.finalised_on >= :start AND o.finalised_on <= :end)
"""


def test_the_review_equals_an_independent_count_in_sql(db, settings, world) -> None:
    w = world
    _finalise(
        db,
        w,
        w["case"],
        [(Finalised.GUILTY_PLEA, date(2025, 5, 1)), (Finalised.DROPPED, date(2025, 11, 2))],
    )
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    other = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        area="north-west",
        offences=("MDA1971-S4",),
        defendants=("A One", "B Two", "C Three"),
    )
    _finalise(
        db,
        w,
        other,
        [
            (Finalised.CONVICTED_AFTER_TRIAL, date(2026, 2, 1)),
            (Finalised.DIRECTED_ACQUITTAL, date(2026, 3, 31)),
            (Finalised.ACQUITTED_AFTER_TRIAL, date(2026, 4, 1)),  # the next year
        ],
    )
    compensation.record_order(
        *_against(db, w),
        compensation.NewCompensation(
            status=OrderStatus.MADE,
            sought=900_00,
            amount=700_00,
            decided_on=date(2025, 5, 1),
            reason="",
        ),
    )
    db.flush()
    auditor = Actor(prosecutor.id, Role.AUDITOR)
    start, end = year_bounds(2025)
    expected: dict[str, dict[str, int]] = {}
    for area, outcome, count in db.execute(text(SQL_BY_AREA), {"start": start, "end": end}):
        expected.setdefault(area, {})[outcome] = int(count)
    shown = review(db, auditor, dimension="area", year=2025, today=date(2026, 12, 1))
    assert {
        line.key: {k: v for k, v in line.counts.items() if v} for line in shown.lines
    } == expected
    assert shown.total.finalised == 4
    assert shown.total.conviction_rate == 50
    sought, made = db.execute(text(SQL_COMPENSATION), {"start": start, "end": end}).one()
    assert (shown.total.compensation_sought, shown.total.compensation_obtained) == (sought, made)
    quarters = review(db, auditor, dimension="quarter", year=2025, today=date(2026, 12, 1))
    assert {line.key: line.finalised for line in quarters.lines} == {"q1": 1, "q3": 1, "q4": 2}
    types = review(db, auditor, dimension="crime_type", year=2025, today=date(2026, 12, 1))
    assert {line.key for line in types.lines} == {"fraud", "drug_trafficking"}
    years = review(db, auditor, dimension="year", year=None, today=date(2026, 12, 1))
    assert {line.key: line.finalised for line in years.lines} == {"2025": 4, "2026": 1}


def test_losses_import_from_csv_all_or_nothing(db, world) -> None:
    from portal.cases.importer import ImportRejected
    from portal.outcomes.service.loss_import import import_losses

    (ann, _), (bob, _), _ = world["people"]
    bad = (
        f"Reference,Kind,Amount,Proven\n{ann.reference},money,1200.50,yes\n"
        f"P-NOSUCH,cash,12.345,maybe\n"
    ).encode()
    with pytest.raises(ImportRejected) as refused:
        import_losses(db, world["vault"], world["actor"], world["case"], bad)
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (3, "reference"),
        (3, "kind"),
        (3, "amount"),
        (3, "proven"),
    ]
    assert db.scalars(select(VictimLoss)).all() == []  # nothing written
    good = (
        f'\ufeffreference,kind,amount,proven\n{ann.reference},money,"1,200.50",yes\n'
        f"{bob.reference},property,300,no\n"
    ).encode()
    assert import_losses(db, world["vault"], world["actor"], world["case"], good) == 2
    proven = losses.proven_losses(db, world["vault"], world["case"])
    assert list(proven.values()) == [120050]
