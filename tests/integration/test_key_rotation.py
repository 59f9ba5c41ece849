"""Key rotation: KEK re-wrap and data re-encryption, interrupted and resumed with no loss (T36)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from portal.db.migrate import upgrade
from portal.db.session import make_engine, make_session_factory, unit_of_work
from portal.keys import rotation
from portal.keys.models import DataKey
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.security.crypto import LocalKeyProvider
from portal.settings import Settings, write_key_file
from tests.support.database import fresh_database

FIELDS = ("full_name", "date_of_birth", "address", "phone", "email")


def seed(factory, provider, people: int) -> dict[uuid.UUID, dict[str, str]]:
    expected: dict[uuid.UUID, dict[str, str]] = {}
    with unit_of_work(factory) as db:
        vault = Vault(db, provider, KeyCache())
        for n in range(people):
            person = Person(id=uuid.uuid4(), reference=f"P-{n:06d}")
            person.key_id = vault.new_key("person", owner_id=person.id)
            values = {
                "full_name": f"Canary Person {n}",
                "date_of_birth": f"19{n % 90 + 10}-01-01",
                "address": f"{n} Rotation Road",
                "phone": f"0700{n:07d}",
                "email": f"p{n}@example.test",
            }
            for column, value in values.items():
                vault.put(person, column, value)
            db.add(person)
            expected[person.id] = values
            if n % 500 == 499:
                db.flush()
    return expected


def check_all(factory, provider, expected) -> None:
    failures = 0
    with unit_of_work(factory) as db:
        vault = Vault(db, provider, KeyCache())
        people = db.scalars(select(Person)).all()
        vault.load({p.key_id for p in people})
        for person in people:
            for column in FIELDS:
                if vault.open_text(person, column) != expected[person.id][column]:
                    failures += 1
        assert rotation.values_left_on_retired_keys(db) == 0
    assert failures == 0
    assert len(people) == len(expected)


def test_kek_rotation_rewraps_every_key(tmp_path: Path) -> None:
    old = LocalKeyProvider({"k1": b"\x01" * 32}, "k1")
    both = LocalKeyProvider({"k2": b"\x02" * 32, "k1": b"\x01" * 32}, "k2")
    new_only = LocalKeyProvider({"k2": b"\x02" * 32}, "k2")
    with fresh_database(tmp_path, "kek") as url:
        engine = make_engine(_settings(url, tmp_path))
        try:
            upgrade(engine)
            factory = make_session_factory(engine)
            expected = seed(factory, old, 300)
            rewrapped = rotation.rewrap_all(factory, both, batch=64)
            assert rewrapped == 300
            with unit_of_work(factory) as db:
                assert rotation.keys_off_active_kek(db, both) == 0
                assert rotation.check_keks(db, new_only) is None
                assert "not configured" in rotation.check_keks(db, old)
            check_all(factory, new_only, expected)  # the old KEK is no longer needed
        finally:
            engine.dispose()


def test_data_rotation_interrupted_and_resumed(tmp_path: Path) -> None:
    provider = LocalKeyProvider({"k1": b"\x03" * 32}, "k1")
    with fresh_database(tmp_path, "datarot") as url:
        engine = make_engine(_settings(url, tmp_path))
        try:
            upgrade(engine)
            factory = make_session_factory(engine)
            expected = seed(factory, provider, 400)  # 2,000 values
            first = rotation.rotate_data(factory, provider, stop_after=150)
            assert first == 150
            with unit_of_work(factory) as db:
                assert rotation.values_left_on_retired_keys(db) == 0  # rotated keys are empty
            rest = rotation.rotate_data(factory, provider)
            assert rest == 250  # the keys it created are not rotated again
            check_all(factory, provider, expected)
            with unit_of_work(factory) as db:
                retired = db.scalar(
                    select(func.count()).select_from(DataKey).where(DataKey.state == "retired")
                )
                assert retired == 400
        finally:
            engine.dispose()


def test_kill_9_during_cli_rotation_then_resume(tmp_path: Path) -> None:
    portal_cli = str(Path(sys.executable).parent / "portal")
    with fresh_database(tmp_path, "kill9") as url:
        instance = tmp_path / "instance"
        write_key_file(instance)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
            "PORTAL_INSTANCE_DIR": str(instance),
            "PORTAL_DATABASE_URL": url,
        }
        settings = Settings.from_env(env)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            factory = make_session_factory(engine)
            provider = settings.key_provider()
            expected = seed(factory, provider, 2000)  # 10,000 values
            process = subprocess.Popen(
                [portal_cli, "keys", "rotate", "--data", "--batch", "25"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Poll with a plain engine: its reads take no write lock, so they never hold up
            # the rotation (the portal's engine starts every transaction with BEGIN IMMEDIATE).
            watcher = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            deadline = time.monotonic() + 60
            retired = 0
            while time.monotonic() < deadline:
                with watcher.connect() as conn:
                    retired = conn.execute(
                        select(func.count()).select_from(DataKey).where(DataKey.state == "retired")
                    ).scalar_one()
                if retired > 200:
                    break
                time.sleep(0.05)
            watcher.dispose()
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert 200 < retired < 2000, "the kill must land part-way"
            finished = subprocess.run(
                [portal_cli, "keys", "rotate", "--data"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert finished.returncode == 0, finished.stderr
            assert "0 values left on old keys" in finished.stdout + finished.stderr
            check_all(factory, provider, expected)
        finally:
            engine.dispose()


def test_cli_kek_rotation_adds_a_key_and_keeps_data_readable(tmp_path: Path) -> None:
    portal_cli = str(Path(sys.executable).parent / "portal")
    with fresh_database(tmp_path, "clikek") as url:
        instance = tmp_path / "instance"
        write_key_file(instance)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
            "PORTAL_INSTANCE_DIR": str(instance),
            "PORTAL_DATABASE_URL": url,
        }
        engine = make_engine(Settings.from_env(env))
        try:
            upgrade(engine)
            factory = make_session_factory(engine)
            expected = seed(factory, Settings.from_env(env).key_provider(), 50)
            result = subprocess.run(
                [portal_cli, "keys", "rotate"], env=env, capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, result.stderr
            key_file = json.loads((instance / "portal.key").read_text())
            assert key_file["active_kek"] == "kek-2"
            assert oct((instance / "portal.key").stat().st_mode & 0o777) == "0o600"
            new_provider = Settings.from_env(env).key_provider()
            with unit_of_work(factory) as db:
                assert rotation.keys_off_active_kek(db, new_provider) == 0
            check_all(factory, new_provider, expected)
        finally:
            engine.dispose()


@pytest.mark.parametrize("problem", ["wrong", "missing"])
def test_wrong_or_missing_kek_stops_start_up_with_a_message(tmp_path: Path, problem: str) -> None:
    portal_cli = str(Path(sys.executable).parent / "portal")
    with fresh_database(tmp_path, f"badkek{problem}") as url:
        instance = tmp_path / "instance"
        write_key_file(instance)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
            "PORTAL_INSTANCE_DIR": str(instance),
            "PORTAL_DATABASE_URL": url,
        }
        engine = make_engine(Settings.from_env(env))
        try:
            upgrade(engine)
            seed(make_session_factory(engine), Settings.from_env(env).key_provider(), 3)
        finally:
            engine.dispose()
        data = json.loads((instance / "portal.key").read_text())
        if problem == "wrong":
            data["keys_wrong"] = True
            data["keks"]["kek-1"] = "00" * 32
        else:
            data["keks"] = {"kek-9": "11" * 32}
            data["active_kek"] = "kek-9"
        (instance / "portal.key").write_text(json.dumps(data))
        result = subprocess.run(
            [portal_cli, "serve", "--port", "1"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 2
        assert "Key problem" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_DATABASE_URL": url,
            "PORTAL_SECRET_KEY": "ab" * 32,
            "PORTAL_KEK": "k1:" + "01" * 32,
        }
    )
