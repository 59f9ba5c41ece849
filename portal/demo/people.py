"""The demo's synthetic victims and witnesses: a name, details, needs and safe-contact rules
for each (``new_person``), then their NRM decisions and support referrals (``person_extras``).
No real people: everything is drawn from portal.demo.vocabulary."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.cases.importer import NewPerson
from portal.demo.vocabulary import (
    ADJUSTMENTS,
    BUSINESSES,
    GIVEN_NAMES,
    LANGUAGES_OTHER,
    LANGUAGES_TRAFFICKING,
    SAFE_TIMES,
    STREETS,
    SURNAMES,
    TOWNS,
    Kind,
)
from portal.people.models import NrmDecision, Person, SupportReferral
from portal.people.service import CommunicationNeeds, SafeContact

REPORT_FRAUD_STARTED = date(2025, 12, 4)  # Report Fraud replaced Action Fraud (domain-rules 6.3)


class Faker:
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


def new_person(
    rng: random.Random,
    fake: Faker,
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


def person_extras(
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
