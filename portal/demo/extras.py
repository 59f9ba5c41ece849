"""After the demo cases exist: realistic Victims' Code outcomes, sealed identities, permissions.

* Obligations already due get a realistic mix of outcomes (met on time, met late, declined
  where the victim may opt out, not met with a good reason), the rest stay overdue, so My work
  and the compliance dashboard look like a real service (issue 5).
* 50 witnesses get anonymity order applications, which seal their identities (issue 7), none
  in the mass-victim case.
* The demo prosecutors get the permission to request and approve unmasking, and the demo witness
  care officers to request it (to contact a sealed witness; a prosecutor of the Area approves).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.anonymity import service as anonymity
from portal.cases.models import Case, CaseEvent, CaseParty
from portal.clock import LONDON, utc_now
from portal.db.session import unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.settings import Settings
from portal.victims_code import service as obligations
from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.victims_code.models import Obligation
from portal.victims_code.service import entitlement_of

SEALED = 50


@dataclass(frozen=True, slots=True)
class ExtrasSummary:
    met_on_time: int
    met_late: int
    declined: int
    good_reason: int
    sealed: int


def _vault(db: Session, settings: Settings) -> Vault:
    return Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)


def _sentences(
    factory: sessionmaker[Session], settings: Settings, rng: random.Random, today: date
) -> None:
    """A few trials end in conviction and custody, so Victim Contact Scheme referrals (which a
    victim may decline) appear in the demo."""
    from portal.cases.models import Offence
    from portal.cases.reference import EventKind
    from portal.cases.repository import defendants_of
    from portal.cases.service import NewEvent, record_event

    with unit_of_work(factory) as db:
        vault = _vault(db, settings)
        listed = db.execute(
            select(CaseEvent, Case)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(
                CaseEvent.kind == EventKind.TRIAL_LISTING.value,
                Case.id.in_(select(Offence.case_id).where(Offence.violent_or_sexual.is_(True))),
            )
            .order_by(CaseEvent.event_date)
        ).all()
        for event, case in listed[:8]:
            verdict_on = min(today - timedelta(days=30), event.event_date + timedelta(days=60))
            sentence_on = verdict_on + timedelta(days=rng.randint(7, 21))
            if verdict_on <= event.event_date or sentence_on > today:
                continue
            actor = Actor(event.recorded_by_id, Role.PROSECUTOR, case.area, case.unit)
            for defendant in defendants_of(db, case)[:1]:
                verdict = NewEvent(
                    kind=EventKind.VERDICT,
                    event_date=verdict_on,
                    defendant_id=defendant.id,
                    outcome="guilty",
                )
                sentence = NewEvent(
                    kind=EventKind.SENTENCE,
                    event_date=sentence_on,
                    defendant_id=defendant.id,
                    custody_months=rng.choice([18, 30, 48]),
                )
                for event_of_case in (verdict, sentence):
                    record_event(db, vault, actor, case, event_of_case)


def apply_extras(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    seed: int = 2026,
    big_urn: str | None = None,
) -> ExtrasSummary:
    """``big_urn``: the mass-victim case, where no witness is sealed (see below)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    today = utc_now().astimezone(LONDON).date()
    counts = {"met_on_time": 0, "met_late": 0, "declined": 0, "good_reason": 0}
    # The seed records events before it adds each case's people; creating obligations again is
    # idempotent and now reaches everyone (enhanced status still taken at each event's date).
    _sentences(factory, settings, rng, today)
    with unit_of_work(factory) as db:
        vault = _vault(db, settings)
        for event, case in db.execute(
            select(CaseEvent, Case).join(Case, Case.id == CaseEvent.case_id)
        ).all():
            actor = Actor(event.recorded_by_id, Role.PROSECUTOR, case.area, case.unit)
            obligations.create_for_event(db, vault, actor, case, event)
    with unit_of_work(factory) as db:
        users = {u.username: u for u in db.scalars(select(User))}
        for name in ("prosecutor.demo", "prosecutor2.demo", "wco.demo", "wco2.demo"):
            if name in users:
                users[name].may_unmask = True
        for name in ("prosecutor.demo", "prosecutor2.demo"):  # the anonymity approvers
            if name in users:
                users[name].may_approve = True
        by_body = {
            "vlu": users.get("vlu.demo"),
            "witness_care_unit": users.get("wco.demo"),
            "cps": users.get("prosecutor.demo"),
        }
        vault = _vault(db, settings)
        due = db.scalars(
            select(Obligation).where(Obligation.state == "open", Obligation.due_on < today)
        ).all()
        for obligation in due:
            owner = by_body.get(obligation.responsible_body)
            if owner is None or obligation.due_on is None:
                continue
            roll = rng.random()
            if roll < 0.55:
                obligation.state = "met"
                obligation.met_on = max(obligation.trigger_on, obligation.due_on)
                counts["met_on_time"] += 1
            elif roll < 0.70:
                late = ENGLAND_AND_WALES.add_working_days(obligation.due_on, rng.randint(1, 4))
                obligation.state = "met"
                obligation.met_on = min(late, today)
                if obligation.met_on > obligation.due_on:
                    obligation.reason_code = "information_late"
                counts["met_late"] += 1
            elif (roll < 0.76 or obligation.entitlement == "R11-VCS-REFERRAL") and entitlement_of(
                obligation
            ).opt_out:
                obligation.state = "declined"
                vault.put(obligation, "reason", "The victim asked not to be contacted about this.")
                counts["declined"] += 1
            elif roll < 0.80:
                obligation.state = "not_met_good_reason"
                obligation.reason_code = "no_safe_channel"
                vault.put(obligation, "reason", "No safe way to contact the victim at the time.")
                counts["good_reason"] += 1
            else:
                continue  # stays overdue
            if obligation.state == "met":
                obligation.met_by_id = owner.id
                obligation.channel = rng.choice(["letter", "phone", "email"])
            obligation.changed_at = utc_now()
    sealed = 0
    with unit_of_work(factory) as db:
        prosecutor = db.scalars(select(User).where(User.username == "prosecutor.demo")).first()
        if prosecutor is not None:
            vault = _vault(db, settings)
            actor = Actor(prosecutor.id, Role.PROSECUTOR, prosecutor.area, prosecutor.unit)
            rows = db.execute(
                select(Person, Case)
                .join(CaseParty, CaseParty.person_id == Person.id)
                .join(Case, Case.id == CaseParty.case_id)
                .where(
                    CaseParty.is_witness.is_(True),
                    Person.identity_sealed.is_(False),
                    Case.prosecutor_id == prosecutor.id,
                    # In their own Area, where the second demo prosecutor can approve them
                    # (the approver pool is the Area's prosecutors who hold the permission).
                    Case.area == prosecutor.area,
                    # Not in the mass-victim case: the matcher looks for each part of a sealed
                    # name, so a sealed witness there would share a given name with dozens of
                    # its 2,000 victims (and the officer signing their letters), and the bulk
                    # letters could not be drafted (e2e/test_bulk_finish.py drafts them).
                    *((Case.urn != big_urn,) if big_urn else ()),
                )
                .order_by(Person.reference)
                .limit(SEALED)
            ).all()
            for person, case in rows:
                anonymity.draft_application(
                    db,
                    vault,
                    actor,
                    case,
                    person,
                    condition_a="Associates of the accused have threatened witnesses in this case.",
                    condition_b="The witness's evidence can be fully tested without their name.",
                    condition_c="The witness has said they will not give evidence otherwise.",
                    considerations="Screens alone would not stop the witness being recognised.",
                    measures=["withhold_name", "pseudonym", "screening"],
                )
                sealed += 1
    return ExtrasSummary(
        counts["met_on_time"], counts["met_late"], counts["declined"], counts["good_reason"], sealed
    )
