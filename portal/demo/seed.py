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
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.cases import importer
from portal.cases import repository as cases_repo
from portal.cases import service as cases
from portal.cases.hearings import hearing_instant
from portal.cases.importer import NewPerson
from portal.cases.models import Case
from portal.cases.reference import EventKind
from portal.clock import utc_now
from portal.db.session import unit_of_work
from portal.demo.outcomes import seed_outcomes
from portal.keys.vault import KeyCache, Vault
from portal.people.models import NrmDecision, Person, SupportReferral
from portal.people.service import CommunicationNeeds, SafeContact
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
REPORT_FRAUD_STARTED = date(2025, 12, 4)  # Report Fraud replaced Action Fraud (domain-rules 6.3)
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


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


GIVEN_NAMES = _words(
    "Aaliyah Abdul Adam Adebayo Agnieszka Aisha Alan Alex Alice Amara Amelia Amir Ana Andrew "
    "Angela Anil Ann Anthony Arjun Ava Ayesha Barbara Ben Bethan Bilal Blessing Brian Callum "
    "Carl Carmen Caroline Charlotte Chidi Chloe Chris Claire Connor Craig Daniel Darius Dawn "
    "Deborah Declan Deepa Dylan Eilidh Elena Eleanor Elif Ellie Emeka Emily Emma Eric Erin "
    "Ewa Fatima Fiona Florin Frances Gareth Gemma George Grace Graham Hannah Harry Hassan Helen "
    "Huda Ian Ifeoma Imran Ioana Isaac Isla Jack Jacob James Jamal Jane Jasmine Jason Jennifer "
    "Joanne John Joseph Joshua Julie Kai Karen Kate Kayode Keith Kerry Kevin Kiran Kofi Laura "
    "Leah Lee Leon Liam Lily Linh Lisa Louise Lucy Luke Maciej Maja Malik Margaret Maria Mark "
    "Marta Mary Matthew Megan Mehmet Mia Michael Mihai Mohammed Nadia Naomi Natalia Neil Nia "
    "Nicola Noah Nuala Oliver Olivia Oluwaseun Omar Owen Patricia Paul Peter Pooja Priya Rachel "
    "Rahul Rebecca Rhys Richard Robert Rosa Ruth Ryan Saanvi Samuel Sandra Sara Sean Shabnam "
    "Sharon Simon Siobhan Sofia Sophie Stephen Steven Susan Tanvir Thanh Thomas Tomasz Tracey "
    "Tunde Uchenna Vanessa Victoria Vikram Wei William Yasmin Yusuf Zainab Zara Zoe"
)

SURNAMES = _words(
    "Abbott Adams Adeyemi Ahmed Ali Allen Anderson Armstrong Atkinson Bailey Baker Banks Barnes "
    "Bell Bennett Bhatt Bird Bishop Black Boateng Booth Bowen Brennan Brooks Brown Burke Butler "
    "Campbell Carter Chambers Chapman Chen Clarke Cole Collins Cook Cooper Cox Davies Dawson "
    "Dixon Doherty Doyle Duncan Edwards Ellis Evans Farah Fisher Fleming Fletcher Foster Fox "
    "Francis Gallagher Garcia Gibson Gill Gordon Graham Grant Gray Green Griffiths Hall Hamilton "
    "Harris Harrison Hart Hayes Hill Holmes Hossain Howard Hughes Hunt Hussain Iqbal Jackson "
    "James Jenkins Johnson Jones Kaur Kelly Kennedy Khan King Knight Kowalski Lambert Lee Lewis "
    "Lloyd Lynch Malik Marshall Martin Mason Matthews McCarthy Mensah Miah Miller Mills Mitchell "
    "Moore Morgan Morris Murphy Murray Nguyen Nowak Obi O’Brien Okafor Okoro Oliver Owen Palmer "
    "Parker Patel Pearce Perry Phillips Popescu Powell Price Quinn Rahman Reid Reynolds Richards "
    "Roberts Robinson Rogers Rose Ross Russell Ryan Saunders Scott Shah Sharma Shaw Simpson "
    "Singh Smith Spencer Stewart Sullivan Taylor Thomas Thompson Tran Turner Walker Walsh Ward "
    "Watson Webb Wells White Williams Wilson Wood Wright Yilmaz Young"
)

STREETS = _words(
    "High Street, Station Road, Church Lane, Victoria Road, Green Lane, Manor Road, Park Avenue, "
    "Queens Road, Mill Lane, Kings Road, Grange Road, London Road, Springfield Road, "
    "Albert Street, Orchard Close, Windsor Gardens, Chapel Street, Elm Grove, Newton Way, "
    "Riverside Walk",
    ", ",
)

TOWNS = (
    ("London", "N"),
    ("London", "E"),
    ("Enfield", "EN"),
    ("Harrow", "HA"),
    ("Luton", "LU"),
    ("Leeds", "LS"),
    ("Manchester", "M"),
    ("Birmingham", "B"),
    ("Bristol", "BS"),
    ("Cardiff", "CF"),
    ("Liverpool", "L"),
    ("Newcastle upon Tyne", "NE"),
    ("Reading", "RG"),
    ("Southampton", "SO"),
    ("Nottingham", "NG"),
    ("Norwich", "NR"),
)

LANGUAGES_TRAFFICKING = (
    "Albanian",
    "Vietnamese",
    "Romanian",
    "Polish",
    "Tigrinya",
    "Arabic",
    "Kurdish Sorani",
    "Amharic",
    "Bulgarian",
)
LANGUAGES_OTHER = ("Polish", "Urdu", "Punjabi", "Bengali", "Portuguese", "Somali", "Turkish")
ADJUSTMENTS = (
    "Large print letters",
    "Hearing loss: prefers email or text",
    "Needs breaks every 30 minutes",
    "Dyslexia: explain letters by phone first",
    "Uses a wheelchair: step-free access",
)
BUSINESSES = ("Building Supplies", "Dental Practice", "Cafe", "Motors", "Lettings")
SAFE_TIMES = ("Weekdays 10:00 to 14:00", "After 18:00 only", "Mornings only", "Not at weekends")

COURTS: dict[str, tuple[str, ...]] = {
    "london-north": (
        "Wood Green Crown Court",
        "Snaresbrook Crown Court",
        "Central Criminal Court",
        "Highbury Corner Magistrates' Court",
    ),
    "london-south": ("Southwark Crown Court", "Inner London Crown Court", "Croydon Crown Court"),
    "yorkshire-humberside": ("Leeds Crown Court", "Sheffield Crown Court", "Hull Crown Court"),
    "north-west": ("Manchester Crown Court (Minshull Street)", "Preston Crown Court"),
    "west-midlands": ("Birmingham Crown Court", "Wolverhampton Crown Court"),
    "south-west": ("Bristol Crown Court", "Exeter Crown Court"),
    "cymru-wales": ("Cardiff Crown Court", "Swansea Crown Court"),
    "thames-chiltern": ("Reading Crown Court", "Luton Crown Court"),
    "east-of-england": ("Chelmsford Crown Court", "Norwich Crown Court"),
}
FORCE_CODES = {  # two-digit police force codes used in URNs (illustrative)
    "london-north": 1,
    "london-south": 1,
    "yorkshire-humberside": 13,
    "north-west": 6,
    "west-midlands": 20,
    "south-west": 52,
    "cymru-wales": 62,
    "thames-chiltern": 43,
    "east-of-england": 42,
}


@dataclass(frozen=True, slots=True)
class Kind:
    """One type of case: offences, where it usually sits and who is in it."""

    category: str
    offences: tuple[str, ...]
    units: tuple[str, ...]
    weight: float  # share of the people
    child_share: float  # victims under 18 at the offence
    witness_share: float


KINDS: dict[str, Kind] = {
    "trafficking": Kind("trafficking", ("MSA2015-S2", "MSA2015-S1"), ("ccu",), 2.0, 0.25, 0.2),
    "cse": Kind(
        "cse", ("SOA2003-S48", "SOA2003-S49", "SOA2003-S9"), ("rasso", "ccu"), 1.0, 1.0, 0.3
    ),
    "fraud": Kind("fraud", ("FA2006-S2", "FA2006-S4"), ("seocid", "ccu"), 3.0, 0.0, 0.15),
    "drugs": Kind("drugs", ("MDA1971-S4",), ("ccu", "crown-court"), 0.6, 0.3, 0.5),
    "firearms": Kind("firearms", ("FA1968-S5",), ("ccu",), 0.5, 0.0, 0.7),
    "immigration": Kind("immigration", ("IA1971-S25",), ("ccu", "seocid"), 1.5, 0.15, 0.3),
    "cyber": Kind("cyber", ("CMA1990-S1",), ("seocid",), 1.2, 0.0, 0.2),
    "money_laundering": Kind("money_laundering", ("POCA2002-S327",), ("seocid",), 0.6, 0.0, 0.6),
    "sexual": Kind("sexual", ("SOA2003-S1", "SOA2003-S3"), ("rasso",), 0.8, 0.1, 0.4),
    "domestic_abuse": Kind(
        "domestic_abuse",
        ("SCA2015-S76", "PHA1997-S4A"),
        ("magistrates", "crown-court"),
        0.6,
        0.0,
        0.3,
    ),
    "violence": Kind("violence", ("OAPA1861-S18",), ("crown-court",), 0.6, 0.1, 0.6),
}
# The first cases cover every kind, headline categories first; then by these weights.
FIRST = (
    "trafficking",
    "cse",
    "fraud",
    "drugs",
    "firearms",
    "immigration",
    "cyber",
    "money_laundering",
    "sexual",
    "domestic_abuse",
    "violence",
)
LATER_WEIGHTS = {
    "trafficking": 4,
    "cse": 3,
    "fraud": 4,
    "drugs": 2,
    "firearms": 1,
    "immigration": 2,
    "cyber": 1,
    "money_laundering": 1,
    "sexual": 2,
    "domestic_abuse": 2,
    "violence": 1,
}
OTHER_AREAS = tuple(a for a in COURTS if a != "london-north")


@dataclass(slots=True)
class _Staff:
    wcos: list[User]
    prosecutors: list[User]


class _Faker:
    """Deterministic synthetic details."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def name(self) -> str:
        return f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(SURNAMES)}"

    def address(self) -> str:
        town, area = self.rng.choice(TOWNS)
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = (
            f"{area}{self.rng.randint(1, 20)} {self.rng.randint(1, 9)}"
            f"{self.rng.choice(letters)}{self.rng.choice(letters)}"
        )
        flat = f"Flat {self.rng.randint(1, 40)}, " if self.rng.random() < 0.2 else ""
        return f"{flat}{self.rng.randint(1, 240)} {self.rng.choice(STREETS)}, {town} {postcode}"

    def phone(self) -> str:
        if self.rng.random() < 0.7:
            return f"07700 900{self.rng.randint(0, 999):03d}"
        prefix = self.rng.choice(("0113 496", "0161 496", "0117 496", "0121 496", "020 7946"))
        return f"{prefix} {self.rng.randint(0, 999):04d}"

    def email(self, name: str) -> str:
        self.serial += 1
        local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".")
        return f"{local}{self.serial}@example.com"

    def born(self, on: date, low: int, high: int) -> date:
        """A birth date making the person ``low`` to ``high`` years old on ``on``."""
        age_days = self.rng.randint(low * 365 + 1, high * 365 + 300)
        return on - timedelta(days=age_days)


# --- the generator --------------------------------------------------------------------------


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
    fake = _Faker(rng)
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
            newcomers = [_person(rng, fake, kind, offence_date, today) for _ in range(share)]
            ids = importer.insert_people(
                db, vault, officer, case, [p for p, _ in newcomers], known_from_the_start=True
            )
            nrm, referrals = _extras(db, rng, kind, ids, [extra for _, extra in newcomers], today)
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
            while made < big_case_victims + witnesses:
                count = min(BATCH, big_case_victims + witnesses - made)
                batch = [
                    _person(
                        rng,
                        fake,
                        kind,
                        offence_date,
                        today,
                        witness=made + i >= big_case_victims,
                    )
                    for i in range(count)
                ]
                ids = importer.insert_people(
                    db, vault, officer, case, [p for p, _ in batch], known_from_the_start=True
                )
                _, referrals = _extras(db, rng, kind, ids, [e for _, e in batch], today)
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
    fake: _Faker,
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


def _person(
    rng: random.Random,
    fake: _Faker,
    kind: Kind,
    offence_date: date,
    today: date,
    *,
    witness: bool | None = None,
) -> tuple[NewPerson, dict[str, Any]]:
    is_witness_only = rng.random() < kind.witness_share if witness is None else witness
    both = not is_witness_only and rng.random() < 0.05
    is_victim = not is_witness_only
    child = is_victim and rng.random() < kind.child_share
    name = fake.name()
    business = kind.category == "fraud" and is_victim and rng.random() < 0.03
    if business:
        name = f"{rng.choice(SURNAMES)} {rng.choice(BUSINESSES)} Ltd"
    if child:
        born: date | None = fake.born(offence_date, 12, 17)
    elif kind.category == "fraud" and is_victim:
        born = fake.born(offence_date, 25, 90)
    else:
        born = fake.born(offence_date, 18, 70)
    if business or rng.random() < 0.05:
        born = None
    references: list[tuple[str, str]] = []
    if kind.category in {"fraud", "cyber"} and is_victim:
        reported = offence_date + timedelta(days=rng.randint(0, 60))
        if reported >= REPORT_FRAUD_STARTED:
            references.append(("report_fraud", f"RF{reported:%y%m}{rng.randint(0, 999_999):06d}"))
        else:
            references.append(
                ("action_fraud", f"NFRC{reported:%y%m}{rng.randint(0, 9_999_999):07d}")
            )
    if rng.random() < 0.7 or not references:
        references.append(
            (
                "police_crn",
                f"{rng.randint(1, 99):02d}/{rng.randint(10_000, 99_999)}/{offence_date:%y}",
            )
        )
    if kind.category == "trafficking" and is_victim:
        references.append(("nrm", f"NRM-{offence_date:%Y}-{rng.randint(0, 999_999):06d}"))
    needs = None
    if kind.category in {"trafficking", "immigration"} and is_victim:
        needs = CommunicationNeeds(
            language=rng.choice(LANGUAGES_TRAFFICKING), interpreter=True, intermediary=child
        )
    elif child:
        needs = CommunicationNeeds(language="English", intermediary=rng.random() < 0.5)
    elif rng.random() < 0.08:
        needs = CommunicationNeeds(language=rng.choice(LANGUAGES_OTHER), interpreter=True)
    elif kind.category == "fraud" and rng.random() < 0.1:
        needs = CommunicationNeeds(language="English", adjustments=rng.choice(ADJUSTMENTS))
    sensitive = kind.category in {"trafficking", "cse", "domestic_abuse", "sexual"}
    safe = None
    if sensitive and is_victim:
        channels = rng.sample(("phone", "text", "letter", "email", "via_representative"), 2)
        safe = SafeContact(
            channels=tuple(channels),
            safe_times=rng.choice(SAFE_TIMES),
            no_voicemail=True,
            do_not_tell="Do not leave details with anyone who answers the phone"
            if rng.random() < 0.5
            else "",
        )
    elif rng.random() < 0.2:
        safe = SafeContact(channels=("letter", "email"))
    intimidated = (
        is_victim and kind.category in {"trafficking", "domestic_abuse"} and rng.random() < 0.6
    )
    targeted = is_victim and kind.category == "fraud" and rng.random() < 0.1
    reasons = []
    if intimidated:
        reasons.append("Fear of reprisals from the defendants")
    if targeted:
        reasons.append("Targeted repeatedly over several months")
    person = NewPerson(
        full_name=name,
        is_victim=is_victim,
        is_witness=is_witness_only or both,
        date_of_birth=born,
        address=fake.address() if rng.random() < 0.9 else None,
        phone=fake.phone() if rng.random() < 0.8 else None,
        email=fake.email(name) if rng.random() < 0.7 else None,
        is_business=business,
        business_contact=fake.name() if business else None,
        references=tuple(references),
        needs=needs,
        safe_contact=safe,
        intimidated=intimidated,
        persistently_targeted=targeted,
        enhanced_reasons="; ".join(reasons) or None,
        risk_level=rng.choice(("low", "medium", "high")) if sensitive and is_victim else None,
    )
    return person, {"child": child, "victim": is_victim, "offence_date": offence_date}


def _extras(
    db: Session,
    rng: random.Random,
    kind: Kind,
    person_ids: Sequence[uuid.UUID],
    extras: Sequence[dict[str, Any]],
    today: date,
) -> tuple[int, int]:
    """NRM decisions for trafficking victims and support referrals (no personal data in them)."""
    keys: dict[uuid.UUID, int] = {}
    if person_ids:
        query = select(Person.id, Person.key_id).where(Person.id.in_(list(person_ids)))
        for person_id, key_id in db.execute(query):
            keys[person_id] = key_id
    nrm_rows: list[dict[str, Any]] = []
    referral_rows: list[dict[str, Any]] = []
    for person_id, extra in zip(person_ids, extras, strict=True):
        if not extra["victim"]:
            continue
        offence_date: date = extra["offence_date"]
        child: bool = extra["child"]
        if kind.category == "trafficking":
            referred = min(today, offence_date + timedelta(days=rng.randint(1, 30)))
            nrm_rows.append(_nrm(person_id, "referral", None, referred))
            reasonable = min(today, referred + timedelta(days=rng.randint(2, 10)))
            outcome = "positive" if rng.random() < 0.9 else "negative"
            nrm_rows.append(_nrm(person_id, "reasonable_grounds", outcome, reasonable))
            if outcome == "positive" and rng.random() < 0.6:
                conclusive = reasonable + timedelta(days=rng.randint(45, 300))
                if conclusive <= today:
                    verdict = "positive" if rng.random() < 0.85 else "negative"
                    nrm_rows.append(_nrm(person_id, "conclusive_grounds", verdict, conclusive))
        service = _support_service(kind.category, child)
        if service and rng.random() < (0.8 if kind.category != "fraud" else 0.15):
            referred_on = min(today, offence_date + timedelta(days=rng.randint(5, 90)))
            consent = child or rng.random() < 0.9
            referral_rows.append(
                {
                    "id": uuid.uuid4(),
                    "person_id": person_id,
                    "service": service,
                    "referred_on": referred_on,
                    "consent_given": consent,
                    "consent_on": referred_on if consent else None,
                    "key_id": keys[person_id],
                    "notes": None,
                }
            )
    if nrm_rows:
        db.execute(insert(NrmDecision), nrm_rows)
    if referral_rows:
        db.execute(insert(SupportReferral), referral_rows)
    return len(nrm_rows), len(referral_rows)


def _nrm(person_id: uuid.UUID, stage: str, outcome: str | None, on: date) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "person_id": person_id,
        "stage": stage,
        "outcome": outcome,
        "decided_on": on,
    }


def _support_service(category: str, child: bool) -> str | None:
    if category == "trafficking":
        return "ictg" if child else "victim_support"
    if category == "cse":
        return "chisva"
    if category == "sexual":
        return "chisva" if child else "isva"
    if category == "domestic_abuse":
        return "idva"
    if category in {"fraud", "cyber", "violence", "immigration"}:
        return "victim_support"
    return None
