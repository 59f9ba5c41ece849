"""No personal data at rest: 1,000 canary people leave no trace in the database files (T33)."""

from __future__ import annotations

import base64
import random
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import make_url

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.keys.vault import KeyCache, Vault
from portal.people.service import PersonDetails, SafeContact, add_person_to_case
from portal.wiring import session_factory as make_session_factory
from tests.conftest import make_settings
from tests.support.database import backend, fresh_database
from tests.support.factories import make_case, make_user


def canaries(count: int) -> list[dict[str, str]]:
    rng = random.Random(2026)
    people = []
    for n in range(count):
        token = uuid.UUID(int=rng.getrandbits(128)).hex[:10].upper()
        born = date(1950 + rng.randrange(55), 1 + rng.randrange(12), 1 + rng.randrange(28))
        people.append(
            {
                "name": f"Canary{token} Zephyrine",
                "address": f"{n} Canary{token} Mews, Larkfield",
                "dob": born.isoformat(),
            }
        )
    return people


def encodings(value: str) -> list[bytes]:
    raw = value.encode()
    return [
        raw,
        value.lower().encode(),
        value.upper().encode(),
        value.encode("utf-16-le"),
        base64.b64encode(raw),
    ]


def assert_absent(blob: bytes, people: list[dict[str, str]], where: str) -> None:
    found = []
    for person in people:
        for field in ("name", "address"):
            for needle in encodings(person[field]):
                if needle in blob:
                    found.append((field, where))
        # A DOB alone is a short string; search it in its stored ISO form.
        if person["dob"].encode() in blob:
            found.append(("dob", where))
    assert found == [], f"{len(found)} canary occurrences, e.g. {found[:3]}"


def test_a_thousand_canaries_leave_no_plaintext_in_the_database(tmp_path: Path) -> None:
    people = canaries(1000)
    with fresh_database(tmp_path, "canary") as url:
        settings = make_settings(url, tmp_path)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            factory = make_session_factory(engine)
            with unit_of_work(factory) as db:
                prosecutor = make_user(db, role=Role.PROSECUTOR)
                case = make_case(db, settings, prosecutor=prosecutor, defendants=())
                actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
                vault = Vault(db, settings.key_provider(), KeyCache())
                for person in people:
                    add_person_to_case(
                        db,
                        vault,
                        actor,
                        case,
                        PersonDetails(
                            full_name=person["name"],
                            date_of_birth=date.fromisoformat(person["dob"]),
                            address=person["address"],
                        ),
                        is_victim=True,
                        is_witness=False,
                        safe_contact=SafeContact(channels=("letter",), do_not_tell=person["name"]),
                    )
            if backend() == "sqlite":
                db_file = Path(make_url(url).database or "")
                # Read the file and its WAL while the engine is still open (no checkpoint yet).
                blob = b"".join(
                    p.read_bytes()
                    for p in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"))
                    if p.exists()
                )
                assert len(blob) > 100_000
                assert_absent(blob, people, "sqlite file + WAL")
            else:
                pg_dump = shutil.which("pg_dump")
                assert pg_dump, "pg_dump is needed for this test on PostgreSQL"
                plain = (
                    make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
                )
                dump = subprocess.run(
                    [pg_dump, "--no-owner", plain], capture_output=True, check=True
                ).stdout
                assert b"COPY public.person" in dump
                assert_absent(dump, people, "pg_dump")
        finally:
            engine.dispose()
