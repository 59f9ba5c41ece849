"""A world of known people for leak tests: sealed and unsealed, victims and witnesses, a child
and a business, across two cases with every kind of record (obligations, safeguards, special
measures, VLU letters, documents, anonymity applications and restrictions, quality samples) and
free text naming them. Every true value is distinctive, so a page can be searched for it."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.anonymity import service as anonymity
from portal.cases.importer import NewPerson
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.repository import defendants_of
from portal.cases.service import NewEvent, record_event
from portal.clock import utc_now
from portal.compliance import quality
from portal.documents import service as documents
from portal.outcomes.models import Finalised, LossKind, OrderStatus
from portal.outcomes.service import compensation, finalised, losses
from portal.outcomes.service.common import Against
from portal.people.actions import add_action
from portal.people.models import Person
from portal.people.needs import record_needs_assessment
from portal.people.safeguarding import InCase
from portal.people.service import SafeContact
from portal.safeguards import service as safeguards
from portal.special_measures import service as sm
from portal.victims_code import lifecycle
from portal.victims_code.models import Obligation
from portal.vlu import service as vlu
from tests.support.factories import make_case, make_user
from tests.support.vlu import actor_of, add_victims, decision_of, record, requests_of, vault_for

CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"
# Every true value starts with one of these (or holds the person's token): a page showing any
# part of one is caught too.
PREFIXES = ("Knowncanary", "Aliascanary", "Contactcanary", "Repcanary", "Defcanary", "Canaryton")


@dataclass(frozen=True, slots=True)
class Known:
    """One person's true values, each distinctive enough to search a page for."""

    n: int
    token: str
    sealed: bool
    victim: bool
    witness: bool
    child: bool = False
    business: bool = False

    @property
    def name(self) -> str:
        return f"Knowncanary {self.token}"

    @property
    def born(self) -> date:
        if self.child:
            return date(_today().year - 15, 1 + self.n % 12, 3 + self.n)
        return date(1961 + self.n, 1 + self.n % 12, 3 + self.n)

    @property
    def values(self) -> dict[str, str]:
        token = self.token
        return {
            "full_name": self.name,
            "alias": f"Aliascanary {token}",
            "address": f"{40 + self.n} {token.title()} Mews, Canaryton",
            "phone": f"07700 93{self.n:04d}",
            "email": f"{token.lower()}@canary.example",
            "business_contact": f"Contactcanary {token}",
            "representative": f"Repcanary {token}",
            "reference": f"{10 + self.n}/{70_000 + 7 * self.n}/24",
        }

    def needles(self) -> set[str]:
        born = self.born
        return {
            *self.values.values(),
            *PREFIXES,
            self.token,
            self.token.title(),
            self.token.lower(),
            born.isoformat(),
            born.strftime("%d/%m/%Y"),
            f"{born.day} {born:%B %Y}",
            f"{born.day} {born:%b %Y}",
        }


def _token(rng: random.Random) -> str:
    return "".join(rng.choice(CONSONANTS) for _ in range(9))


def known_people() -> dict[str, list[Known]]:
    rng = random.Random(12)
    a = [
        Known(0, _token(rng), sealed=False, victim=True, witness=False),
        Known(1, _token(rng), sealed=True, victim=True, witness=False),
        Known(2, _token(rng), sealed=False, victim=False, witness=True),
        Known(3, _token(rng), sealed=True, victim=False, witness=True),
        Known(4, _token(rng), sealed=False, victim=True, witness=False, business=True),
    ]
    b = [
        Known(5, _token(rng), sealed=False, victim=True, witness=True, child=True),
        Known(6, _token(rng), sealed=True, victim=True, witness=True),
        Known(7, _token(rng), sealed=False, victim=True, witness=False),
    ]
    return {"a": a, "b": b}


DEFENDANTS = {"a": "Defcanary QWXZRTPLM", "b": "Defcanary ZRTBVNMKQ"}


def _new_person(k: Known) -> NewPerson:
    v = k.values
    return NewPerson(
        full_name=f"{k.token} Holdings Ltd" if k.business else v["full_name"],
        is_victim=k.victim,
        is_witness=k.witness,
        date_of_birth=None if k.business else k.born,
        address=v["address"],
        phone=v["phone"],
        email=v["email"],
        is_business=k.business,
        business_contact=v["business_contact"] if k.business else None,
        references=(("police_crn", v["reference"]),),
        safe_contact=SafeContact(
            channels=("letter", "phone"), safe_times=f"After 6pm, ask for {k.name}"
        ),
        enhanced_reasons=f"{k.name} was threatened at {v['address']}",
        risk_level="high",
    )


def _today() -> date:
    return utc_now().date()  # as the services check dates


def _seed_case(db, settings, staff, key: str, people: list[Known], offences, offence_date):
    prosecutor, wco = staff["prosecutor"], staff["wco"]
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        officer=wco,
        offences=offences,
        offence_date=offence_date,
        defendants=(DEFENDANTS[key],),
    )
    ids = add_victims(db, settings, case, prosecutor, [_new_person(k) for k in people])
    vault = vault_for(db, settings)
    persons = {p.id: p for p in db.scalars(select(Person).where(Person.id.in_(ids)))}
    parties = {
        p.person_id: p for p in db.scalars(select(CaseParty).where(CaseParty.person_id.in_(ids)))
    }
    rows = []
    for k, person_id in zip(people, ids, strict=True):
        person = persons[person_id]
        # No page writes these two yet; seal them as the vault would, so they are covered too.
        vault.put(person, "aliases", k.values["alias"])
        vault.put(person, "representative", json.dumps({"name": k.values["representative"]}))
        rows.append((k, person, parties[person_id]))
    db.flush()
    return case, rows


def _seed_records(db, settings, staff, case, rows, vault) -> None:
    prosecutor = actor_of(staff["prosecutor"])
    wco = actor_of(staff["wco"])
    today = _today()
    for kind, on in (
        (EventKind.FIRST_HEARING, today - timedelta(days=60)),
        (EventKind.TRIAL_LISTING, today - timedelta(days=40)),
    ):
        record(db, settings, staff["prosecutor"], case, kind, ends_all=False, on=on)
    plea = NewEvent(
        kind=EventKind.PLEA,
        event_date=today - timedelta(days=3),
        defendant_id=defendants_of(db, case)[0].id,
        outcome="not_guilty",
        notes=f"{rows[0][0].name} was in court for the plea",
    )
    record_event(db, vault, prosecutor, case, plea)
    for k, person, party in rows:
        _seed_person(db, vault, staff, case, k, person, party)
    for obligation in db.scalars(select(Obligation).where(Obligation.case_id == case.id)):
        if obligation.responsible_body != "witness_care_unit" or obligation.state != "open":
            continue
        k = next(k for k, _, party in rows if party.id == obligation.case_party_id)
        lifecycle.mark_met(
            db,
            vault,
            wco,
            obligation,
            met_on=today,
            channel="phone",
            evidence=f"Told {k.name} on {k.values['phone']}",
            expected_version=obligation.version,
            late_reason="could_not_reach",  # used only where it is late
            late_detail=f"{k.name} was away until today",
        )
    db.flush()


def _seed_person(db, vault, staff, case, k: Known, person, party) -> None:
    """Safeguards, a document, special measures and anonymity, each naming the person."""
    prosecutor = actor_of(staff["prosecutor"])
    wco = actor_of(staff["wco"])
    today = _today()
    text = f"Spoke to {k.name} at {k.values['address']} on {k.values['phone']}"
    needs = {kind: safeguards.Need(kind == "medical", text) for kind, _ in safeguards.NEED_KINDS}
    assessed = today - timedelta(days=10)
    by_wco = Unit(db, wco, lambda: vault)
    at = InCase(case, party, person)
    needs_input = safeguards.NeedsInput(needs, notes=text, assessed_on=assessed, risk_level="high")
    record_needs_assessment(by_wco, at, needs_input)
    add_action(
        by_wco,
        at,
        description=f"Call {k.name} on {k.values['phone']}",
        owner_id=staff["wco"].id,
        due_on=today + timedelta(days=5),
    )
    referred = today - timedelta(days=9)
    safeguards.add_referral(
        db,
        wco,
        case,
        party,
        person,
        service="victim_support",
        referred_on=referred,
        consent_given=True,
        consent_on=referred,
    )
    documents.upload(
        by_wco,
        case,
        person,
        kind="statement",
        filename=f"statement-{k.token.lower()}.txt",
        data=f"Statement of {k.name}, {k.values['address']}\n".encode(),
    )
    if k.witness:
        application = sm.identify(by_wco, at, measures=("s23", "s24"), request_now=True)
        details = sm.AssessmentDetails(fear_or_distress=True, factors=("offence",), views=text)
        sm.save_assessment(
            by_wco, at, sm.AssessmentCommand("witness_care_unit", hearing_on=None, details=details)
        )
        draft = sm.Draft(
            measures=("s23", "s24"),
            hearing_wanted=False,
            live_link_location=f"The suite near {k.values['address']}",
            grounds=f"{k.name} is frightened",
            quality_reasons=text,
            witness_views=f"{k.name} wants a screen",
            late_reason=text,
        )
        sm.save_draft(Unit(db, prosecutor, lambda: vault), application, person, draft)
    if k.child and not k.sealed:
        anonymity.add_restriction(
            db,
            wco,
            case,
            person,
            kind="soaa_1992",
            starts_on=today - timedelta(days=200),
            ends_on=None,
            court_reference="T2025/1234",
        )


def _seal(db, vault, staff, case, person) -> None:
    """Drafting the anonymity application seals the identity. It comes last, after every other
    record that names the person: from then on free text naming them is refused, and the sweep
    masks what was written before (issue 12 point 1)."""
    anonymity.draft_application(
        db,
        vault,
        actor_of(staff["prosecutor"]),
        case,
        person,
        # The application's own texts carry no true value (they would be refused).
        condition_a="The witness was threatened at home.",
        condition_b="The defence can test the evidence.",
        condition_c="The witness will not testify otherwise.",
        considerations="Spoke to the witness by phone.",
        measures=["pseudonym", "screening"],
    )


def _seed_letters(db, settings, staff, case, rows) -> None:
    """Discontinue the case: VLU decision letters for its victims, drafted by the VLU."""
    event, _ = record(db, settings, staff["prosecutor"], case, EventKind.DISCONTINUANCE)
    decision = decision_of(db, event)
    vault = vault_for(db, settings)
    named = ", ".join(k.name for k, _, _ in rows)
    vlu.supply_reasons(
        db,
        vault,
        actor_of(staff["prosecutor"]),
        decision,
        reasons=f"The evidence of {named} could not be used.",
        meeting_offered=True if decision.meeting_required else None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    for request, person in requests_of(db, decision):
        body = vlu.first_draft(
            vault,
            request=request,
            decision=decision,
            case=case,
            person=person,
            reasons=f"The evidence of {named} could not be used.",
            officer_name="Grace Lewis",
        )
        vlu.save_draft(
            db,
            vault,
            actor_of(staff["vlu"]),
            request,
            decision,
            person,
            body=body,
            expected_version=request.version,
        )


def _seed_outcomes(db, vault, staff, case, rows) -> None:
    """Losses (sealed), a made compensation order apportioned over them, a finalised outcome."""
    prosecutor = actor_of(staff["prosecutor"])
    for index, (_, person, party) in enumerate(rows):
        if not party.is_victim:
            continue
        losses.record_loss(
            db,
            vault,
            prosecutor,
            case,
            losses.NewLoss(party, person, LossKind.MONEY, 1_000_00 * (index + 1), True),
            description="Savings transferred",
        )
    defendant = defendants_of(db, case)[0]
    order = compensation.NewCompensation(
        status=OrderStatus.MADE,
        sought=5_000_00,
        amount=2_500_00,
        decided_on=_today() - timedelta(days=2),
        reason="Means assessed at sentence",
    )
    compensation.record_order(Unit(db, prosecutor, lambda: vault), Against(case, defendant), order)
    finalised.record(
        db,
        prosecutor,
        case,
        defendant,
        outcome=Finalised.CONVICTED_AFTER_TRIAL,
        finalised_on=_today() - timedelta(days=2),
        today=_today(),
    )


def seed_known_world(db: Session, settings: Any) -> dict[str, Any]:
    """Seed the world through the real services, commit, and say what was seeded."""
    staff = {
        "prosecutor": make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor"),
        "wco": make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wendy Carer"),
        "vlu": make_user(db, role=Role.VLU_OFFICER, display_name="Grace Lewis"),
        "auditor": make_user(db, role=Role.AUDITOR, area=None, unit=None, display_name="Alex"),
    }
    people = known_people()
    today = _today()
    vault = vault_for(db, settings)
    case_a, rows_a = _seed_case(
        db, settings, staff, "a", people["a"], ("MSA2015-S2", "FA2006-S2"), today - timedelta(300)
    )
    case_b, rows_b = _seed_case(
        db, settings, staff, "b", people["b"], ("SOA2003-S48",), today - timedelta(200)
    )
    for case, rows in ((case_a, rows_a), (case_b, rows_b)):
        _seed_records(db, settings, staff, case, rows, vault)
    for _, person, party in rows_a[:1]:
        safeguards.add_nrm_decision(
            db,
            actor_of(staff["wco"]),
            case_a,
            party,
            person,
            stage="referral",
            outcome="",
            decided_on=today - timedelta(days=100),
        )
    _seed_letters(db, settings, staff, case_b, rows_b)
    _seed_outcomes(db, vault, staff, case_a, rows_a)
    for case, rows in ((case_a, rows_a), (case_b, rows_b)):
        for k, person, _ in rows:
            if k.sealed:
                _seal(db, vault, staff, case, person)
    auditor = Actor(staff["auditor"].id, Role.AUDITOR)
    quality.draw(db, auditor, size=3)
    db.commit()
    return {
        "staff": staff,
        "cases": [case_a, case_b],
        "people": [k for group in people.values() for k in group],
        "person_ids": [p.id for _, p, _ in rows_a + rows_b],
        "references": [p.reference for _, p, _ in rows_a + rows_b],
    }
