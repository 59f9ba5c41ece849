"""A synthetic demo instance: cases, defendants, events and victims and witnesses. No real people.

Names are drawn from lists of common given names and surnames written for this module, phone
numbers from Ofcom's ranges reserved for drama (07700 900xxx and 0xx 496 0xxx; 020 7946 0xxx),
email addresses use example.com and every reference number has a made-up format. Everything is
deterministic for a given ``seed``.

What it builds (domain-rules.md section 6): cases in the three headline categories (modern
slavery and human trafficking under MSA 2015 s1/s2, child sexual exploitation, fraud) and the
other organised-crime types (drugs, firearms, organised immigration, cyber, money laundering,
plus sexual offences, domestic abuse and violence); mostly in London North, where the demo users
work, and some elsewhere so Area and unit scoping show. Each case has defendants, events spread
over the last year (charge or no-charge decisions, first hearings, pleas, trial listings, some
discontinuances) and victims and witnesses, with children under 18 at the offence, interpreters
and safe-contact rules, NRM decisions for trafficking victims, Action Fraud or Report Fraud
references for fraud victims, police crime reference numbers and support referrals. One fraud case
has ``big_case_victims`` victims (2,000 by default).

People are written through the bulk import path (portal.cases.importer.insert_people), cases and
events through the ordinary services, so the audit log reads like real use.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import importer
from portal.cases import repository as cases_repo
from portal.cases import service as cases
from portal.cases.hearings import hearing_instant
from portal.cases.models import Case
from portal.cases.reference import EventKind
from portal.clock import utc_now
from portal.db.session import unit_of_work
from portal.demo.outcomes import seed_outcomes
from portal.demo.people import Faker, new_person, person_extras
from portal.demo.vocabulary import (
    COURTS,
    FIRST,
    FORCE_CODES,
    KINDS,
    LATER_WEIGHTS,
    OTHER_AREAS,
    Kind,
)
from portal.keys.vault import KeyCache, Vault
from portal.people.service import SafeContact
from portal.settings import Settings

Progress = Callable[[str, int, int], None]

# Where the demo users work: the witness care officers' unit scoping and the VLU officers' Area
# scoping both find cases. (username -> (area, unit))
DEMO_PLACEMENT: dict[str, tuple[str | None, str | None]] = {
    "wco.demo": ("london-north", "ccu"),
    "wco2.demo": ("london-north", "ccu"),
    "prosecutor.demo": ("london-north", "ccu"),
    "prosecutor2.demo": ("london-north", "seocid"),
    "vlu.demo": ("london-north", None),
    "vlu2.demo": ("london-north", None),
    "auditor.demo": (None, None),
    "admin.demo": (None, None),
    "admin2.demo": (None, None),
}
BATCH = 500  # people per bulk insert in the big case, so progress moves


class DemoUsersMissing(Exception):
    """The demo users must exist first (``portal demo`` creates them)."""


@dataclass(slots=True)
class DemoSummary:
    cases: int = 0
    people: int = 0
    children: int = 0
    defendants: int = 0
    events: int = 0
    nrm_decisions: int = 0
    referrals: int = 0
    big_case_urn: str | None = None
    big_case_people: int = 0
    seconds: float = 0.0
    skipped: bool = False
    categories: dict[str, int] = field(default_factory=dict)


# --- synthetic names and places (written for this module) -----------------------------------


@dataclass(slots=True)
class _Staff:
    wcos: list[User]
    prosecutors: list[User]


def seed_demo(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    cases: int = 40,
    people: int = 600,
    big_case_victims: int = 2000,
    seed: int = 2026,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Create ``cases`` cases (one of them the big fraud case when ``big_case_victims`` > 0),
    with ``people`` victims and witnesses across the others. Returns what was made.

    The demo users (portal.cli DEMO_USERS) must exist; their Area and unit are set here. Running
    it again with the same seed does nothing (``skipped``).
    """
    started = time.perf_counter()
    report = progress or (lambda _description, _advance, _total: None)
    today = today or utc_now().date()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    fake = Faker(rng)
    summary = DemoSummary()
    provider = settings.key_provider()
    cache = KeyCache()

    def vault_for(db: Session) -> Vault:
        return Vault(db, provider, cache, index_bits=settings.blind_index_bits)

    with unit_of_work(session_factory) as db:
        staff = _place_users(db)
    ordinary = max(0, cases - (1 if big_case_victims > 0 else 0))
    plan = _plan(rng, ordinary)
    shares = _share_people(rng, plan, people)
    urns = [_urn(seed, number, area) for number, (_kind, area, _unit) in enumerate(plan, start=1)]
    big_urn = _urn(seed, 0, "london-north")
    with unit_of_work(session_factory) as db:
        first = urns[0] if urns else big_urn
        if cases_repo.urn_taken(db, first):
            summary.skipped = True
            summary.seconds = time.perf_counter() - started
            return summary

    total_cases = len(plan) + (1 if big_case_victims > 0 else 0)
    for (kind_name, area, unit), urn, share in zip(plan, urns, shares, strict=True):
        kind = KINDS[kind_name]
        with unit_of_work(session_factory) as db:
            vault = vault_for(db)
            case, offence_date, prosecutor, officer = _open(
                db, vault, rng, fake, staff, kind, urn, area, unit, today
            )
            summary.defendants += len(cases_repo.defendants_of(db, case))
            summary.events += _events(db, vault, rng, prosecutor, case, offence_date, today)
            newcomers = [new_person(rng, fake, kind, offence_date, today) for _ in range(share)]
            ids = importer.insert_people(
                db, vault, officer, case, [p for p, _ in newcomers], known_from_the_start=True
            )
            nrm, referrals = person_extras(
                db, rng, kind, ids, [extra for _, extra in newcomers], today
            )
            summary.nrm_decisions += nrm
            summary.referrals += referrals
            summary.children += sum(1 for _, extra in newcomers if extra["child"])
            summary.people += len(ids)
            summary.cases += 1
            summary.categories[kind_name] = summary.categories.get(kind_name, 0) + 1
        report("Creating cases", 1, total_cases)

    if big_case_victims > 0:
        with unit_of_work(session_factory) as db:
            vault = vault_for(db)
            kind = KINDS["fraud"]
            case, offence_date, prosecutor, officer = _open(
                db,
                vault,
                rng,
                fake,
                staff,
                kind,
                big_urn,
                "london-north",
                "seocid",
                today,
                big=True,
            )
            summary.defendants += len(cases_repo.defendants_of(db, case))
            summary.events += _events(db, vault, rng, prosecutor, case, offence_date, today)
            made = 0
            witnesses = max(1, big_case_victims // 200)
            # Its own stream, so the rest of the demo is drawn exactly as before.
            contact_rng = random.Random(seed + 16)  # noqa: S311 - synthetic data, not security
            while made < big_case_victims + witnesses:
                count = min(BATCH, big_case_victims + witnesses - made)
                batch = [
                    _big_case_contact(
                        contact_rng,
                        new_person(
                            rng,
                            fake,
                            kind,
                            offence_date,
                            today,
                            witness=made + i >= big_case_victims,
                        ),
                    )
                    for i in range(count)
                ]
                ids = importer.insert_people(
                    db, vault, officer, case, [p for p, _ in batch], known_from_the_start=True
                )
                _, referrals = person_extras(db, rng, kind, ids, [e for _, e in batch], today)
                summary.referrals += referrals
                made += count
                report("Adding the big fraud case", count, big_case_victims + witnesses)
            summary.people += made
            summary.big_case_people = made
            summary.big_case_urn = case.urn
            summary.cases += 1
            summary.categories["fraud"] = summary.categories.get("fraud", 0) + 1
        report("Creating cases", 1, total_cases)
    seed_outcomes(session_factory, settings, seed=seed, today=today, big_urn=big_urn)
    summary.seconds = time.perf_counter() - started
    return summary


def _big_case_contact(
    rng: random.Random, made: tuple[importer.NewPerson, dict[str, Any]]
) -> tuple[importer.NewPerson, dict[str, Any]]:
    """In the mass-victim fraud case the police took each victim's safe-contact preferences
    when they reported it, so most may be written to by letter or email; a realistic minority
    are not: no safe contact recorded (about 7 %), or phone only (about 3 %: no letter, email or
    representative, the bulk send's "opted out"); some have no address or email for the
    channels they allow. The bulk letters journey (e2e/test_bulk_finish.py) lists those."""
    person, extra = made
    if not person.is_victim:
        return made
    roll = rng.random()
    if roll < 0.07:
        safe = None
    elif roll < 0.10:
        safe = SafeContact(channels=("phone",), no_voicemail=True)
    else:
        safe = SafeContact(channels=("letter", "email"))
    return replace(person, safe_contact=safe), extra


def _place_users(db: Session) -> _Staff:
    users = {
        u.username: u
        for u in db.scalars(select(User).where(User.username.in_(list(DEMO_PLACEMENT))))
    }
    missing = sorted(set(DEMO_PLACEMENT) - set(users))
    if missing:
        raise DemoUsersMissing("create the demo users first: " + ", ".join(missing))
    for username, (area, unit) in DEMO_PLACEMENT.items():
        users[username].area = area
        users[username].unit = unit
    db.flush()
    return _Staff(
        wcos=[users["wco.demo"], users["wco2.demo"]],
        prosecutors=[users["prosecutor.demo"], users["prosecutor2.demo"]],
    )


def _plan(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    kinds = list(FIRST[:count])
    names = list(LATER_WEIGHTS)
    weights = [LATER_WEIGHTS[n] for n in names]
    while len(kinds) < count:
        kinds.append(rng.choices(names, weights)[0])
    plan = []
    for position, name in enumerate(kinds):
        kind = KINDS[name]
        # Three in four cases in London North (where the demo users work); the rest elsewhere.
        if position < len(FIRST) or rng.random() < 0.75:
            area = "london-north"
            unit = "ccu" if rng.random() < 0.6 else rng.choice(kind.units)
        else:
            area = rng.choice(OTHER_AREAS)
            unit = rng.choice(kind.units)
        plan.append((name, area, unit))
    return plan


def _share_people(
    rng: random.Random, plan: Sequence[tuple[str, str, str]], total: int
) -> list[int]:
    if not plan:
        return []
    weights = [KINDS[k].weight * rng.uniform(0.5, 1.5) for k, _, _ in plan]
    floor = 2 if total >= 2 * len(plan) else (1 if total >= len(plan) else 0)
    spare = max(0, total - floor * len(plan))
    scale = sum(weights)
    shares = [floor + int(spare * w / scale) for w in weights]
    for position in range(total - sum(shares)):
        shares[position % len(shares)] += 1
    return shares


def _urn(seed: int, number: int, area: str) -> str:
    """A URN in the demo's own series: force code, 'DM', a number from the seed, year 25."""
    serial = (seed * 7919 + number * 104729) % 100_000
    return f"{FORCE_CODES.get(area, 1):02d}DM{serial:05d}25"


def _open(
    db: Session,
    vault: Vault,
    rng: random.Random,
    fake: Faker,
    staff: _Staff,
    kind: Kind,
    urn: str,
    area: str,
    unit: str,
    today: date,
    *,
    big: bool = False,
) -> tuple[Case, date, Actor, Actor]:
    prosecutor = staff.prosecutors[0] if big else rng.choice(staff.prosecutors)
    officer = staff.wcos[0] if big else rng.choice(staff.wcos)
    in_london_north = area == "london-north"
    prosecutor_actor = Actor(prosecutor.id, Role.PROSECUTOR, prosecutor.area, prosecutor.unit)
    officer_actor = Actor(officer.id, Role.WITNESS_CARE_OFFICER, officer.area, officer.unit)
    offence_date = today - timedelta(days=rng.randint(200, 700))
    offences = list(kind.offences[: rng.randint(1, len(kind.offences))])
    if big:
        offences = ["FA2006-S2", "POCA2002-S327"]
    defendants = [fake.name() for _ in range(rng.choice((1, 1, 2, 2, 3, 4)) + (2 if big else 0))]
    courts = COURTS.get(area, COURTS["london-north"])
    court_name = rng.choice(courts)
    court_type = "magistrates" if "Magistrates" in court_name else "crown"
    case = cases.open_case(
        db,
        vault,
        prosecutor_actor,
        cases.NewCase(
            urn=urn,
            area=area,
            unit=unit,
            court_type=court_type,
            court_name=court_name,
            offence_codes=offences,
            offence_date=offence_date,
            prosecutor_id=prosecutor.id,
            witness_care_officer_id=officer.id if in_london_north else None,
            defendant_names=defendants,
        ),
    )
    opened = offence_date + timedelta(days=rng.randint(20, 90))
    case.created_at = datetime(opened.year, opened.month, opened.day, 9, 30, tzinfo=UTC)
    db.flush()
    # Outside London North there is no demo witness care officer: the prosecutor adds people.
    return (
        case,
        offence_date,
        prosecutor_actor,
        officer_actor if in_london_north else prosecutor_actor,
    )


def _hearing(case: Case, on: date, kind: str) -> dict[str, Any]:
    """A demo hearing's details: at the case's court, 10am on ``on`` (no random draw, so the
    rest of the demo data stays as it was)."""
    return {
        "hearing_at": hearing_instant(on, dt_time(10, 0)),
        "hearing_court": case.court_name,
        "hearing_type": kind,
    }


def _events(
    db: Session,
    vault: Vault,
    rng: random.Random,
    actor: Actor,
    case: Case,
    offence_date: date,
    today: date,
) -> int:
    """A believable timeline over the last year; only events up to today are recorded."""
    defendants = cases_repo.defendants_of(db, case)
    decided = max(offence_date + timedelta(days=30), today - timedelta(days=rng.randint(20, 360)))
    recorded = 0

    def add(kind: EventKind, on: date, **options: Any) -> None:
        nonlocal recorded
        if on > today:
            return
        received = min(today, on + timedelta(days=rng.choice((0, 0, 1, 2, 3))))
        cases.record_event(
            db,
            vault,
            actor,
            case,
            cases.NewEvent(kind=kind, event_date=on, received_on=received, **options),
        )
        recorded += 1

    if rng.random() < 0.1:
        add(EventKind.NO_CHARGE_DECISION, decided, ends_all_proceedings=True)
        return recorded
    add(EventKind.CHARGE_DECISION, decided)
    first_hearing = decided + timedelta(days=rng.randint(14, 35))
    add(EventKind.FIRST_HEARING, first_hearing, **_hearing(case, first_hearing, "first_appearance"))
    if rng.random() < 0.08:
        add(
            EventKind.DISCONTINUANCE,
            first_hearing + timedelta(days=rng.randint(10, 60)),
            ends_all_proceedings=True,
        )
        return recorded
    plea_day = first_hearing + timedelta(days=rng.randint(0, 28))
    not_guilty = False
    for defendant in defendants:
        plea = "not_guilty" if rng.random() < 0.8 else "guilty"
        not_guilty = not_guilty or plea == "not_guilty"
        add(EventKind.PLEA, plea_day, defendant_id=defendant.id, outcome=plea)
    if not_guilty:
        listed = plea_day + timedelta(days=rng.randint(0, 3))
        add(EventKind.TRIAL_LISTING, listed, **_hearing(case, listed + timedelta(weeks=8), "trial"))
    return recorded
