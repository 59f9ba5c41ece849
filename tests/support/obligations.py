"""Bulk synthetic obligations for compliance tests and benchmarks (no personal data needed)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.cases.models import Case, CaseParty, Offence
from portal.clock import utc_now
from portal.db.encrypted import Sealed
from portal.keys.models import DataKey
from portal.people.models import Person
from portal.victims_code.models import Obligation

CATEGORIES = ["trafficking", "cse", "fraud", "sexual", "drugs", "domestic_abuse"]
AREAS = ["london-north", "wessex", "north-west", "cymru-wales"]
UNITS = ["ccu", "rasso", "crown-court"]
CODES = [
    ("R6-CPS-DISCONTINUANCE", 6, "vlu"),
    ("R8-WCU-HEARING", 8, "witness_care_unit"),
    ("R9-WCU-VERDICT", 9, "witness_care_unit"),
    ("R6-CPS-NO-CHARGE", 6, "vlu"),
]


def seed_obligations(db: Session, *, cases: int, per_case: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    now = utc_now()
    today = now.date()
    key = DataKey(
        purpose="system", kek_id="synthetic", wrapped=b"x" * 60, state="active", created_at=now
    )
    db.add(key)
    db.flush()
    case_rows, offence_rows, person_rows, party_rows, obligation_rows = [], [], [], [], []
    for c in range(cases):
        case_id = uuid.uuid4()
        case_rows.append(
            {
                "id": case_id,
                "urn": f"99ZZ{c:07d}",
                "area": rng.choice(AREAS),
                "unit": rng.choice(UNITS),
                "court_type": "crown",
                "court_name": "Test Court",
                "status": "open",
                "key_id": key.id,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        for category in rng.sample(CATEGORIES, rng.choice([1, 1, 2])):
            offence_rows.append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "code": "X",
                    "title": "Synthetic",
                    "category": category,
                    "violent_or_sexual": False,
                }
            )
        for _ in range(per_case):
            person_id, party_id = uuid.uuid4(), uuid.uuid4()
            person_rows.append(
                {
                    "id": person_id,
                    "key_id": key.id,
                    "reference": f"P-{uuid.uuid4().hex[:12]}",
                    "is_business": False,
                    "full_name": Sealed(b"\x01synthetic-not-real"),
                    "erased": False,
                    "identity_sealed": False,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            party_rows.append(
                {
                    "id": party_id,
                    "case_id": case_id,
                    "person_id": person_id,
                    "is_victim": True,
                    "is_witness": False,
                    "persistently_targeted": False,
                    "vulnerable": False,
                    "intimidated": False,
                    "key_id": key.id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            code, right, body = rng.choice(CODES)
            due = today + timedelta(days=rng.randint(-200, 30))
            state = rng.choice(
                [
                    "open",
                    "open",
                    "met",
                    "met",
                    "met",
                    "declined",
                    "not_met_good_reason",
                    "not_applicable",
                ]
            )
            met_on = due + timedelta(days=rng.randint(-3, 4)) if state == "met" else None
            obligation_rows.append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "case_party_id": party_id,
                    "event_id": None,
                    "entitlement": code,
                    "right": right,
                    "rules_version": "2020",
                    "responsible_body": body,
                    "enhanced": rng.random() < 0.4,
                    "child": rng.choice([True, False, None]),
                    "trigger_on": due - timedelta(days=5),
                    "received_on": None,
                    "due_on": due if rng.random() > 0.05 else None,
                    "state": state,
                    "met_on": met_on,
                    "key_id": key.id,
                    "changed_at": now,
                    "version": 1,
                }
            )
    for model, rows in (
        (Case, case_rows),
        (Offence, offence_rows),
        (Person, person_rows),
        (CaseParty, party_rows),
        (Obligation, obligation_rows),
    ):
        for start in range(0, len(rows), 5000):
            db.execute(insert(model), rows[start : start + 5000])
    db.flush()
