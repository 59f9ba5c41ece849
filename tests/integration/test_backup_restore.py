"""Backup, erasure and restore (issue 19 points 2 and 3), on the test engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portal import cli
from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.keys.ledger import ErasureLedger
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person
from portal.people.service import erase_person
from portal.wiring import session_factory
from tests.conftest import TEST_KEK, TEST_SECRET, make_settings
from tests.support.database import fresh_database
from tests.support.factories import add_person, make_case, make_user

NAMES = ("Backupcanary Erased", "Backupcanary Kept", "Backupcanary Third")


def _env(url: str, instance: Path) -> dict[str, str]:
    return {
        "PORTAL_DATABASE_URL": url,
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_KEK": TEST_KEK,
    }


def _portal(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), env=env)


def _names(url: str, instance: Path) -> dict[str, str | None]:
    """Every person's name as the restored instance opens it, by reference."""
    settings = make_settings(url, instance)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as session:
            vault = Vault(session, settings.key_provider(), KeyCache())
            return {
                p.reference: (
                    None if (raw := vault.open_internal(p, "full_name")) is None else raw.decode()
                )
                for p in session.query(Person)
            }
    finally:
        engine.dispose()


@pytest.fixture
def source(tmp_path: Path):
    instance = tmp_path / "source"
    with fresh_database(tmp_path, "source") as url:
        settings = make_settings(url, instance)
        engine = make_engine(settings)
        upgrade(engine)
        with unit_of_work(session_factory(engine)) as session:
            prosecutor = make_user(session, role=Role.PROSECUTOR)
            case = make_case(session, settings, prosecutor=prosecutor)
            people = [
                add_person(session, settings, case, name=name, actor_user=prosecutor)[0]
                for name in NAMES
            ]
            ids = [p.id for p in people]
            references = {p.reference: name for p, name in zip(people, NAMES, strict=True)}
        yield {
            "url": url,
            "instance": instance,
            "engine": engine,
            "settings": settings,
            "ids": ids,
            "references": references,
            "prosecutor": prosecutor,
        }
        engine.dispose()


def _erase_first(source) -> str:
    """Erase the first person the way the web does it: a vault that writes the ledger."""
    settings = source["settings"]
    with unit_of_work(session_factory(source["engine"])) as session:
        vault = Vault(
            session,
            settings.key_provider(),
            KeyCache(),
            ledger=ErasureLedger.in_instance(settings.instance_dir),
        )
        person = session.get(Person, source["ids"][0])
        prosecutor = source["prosecutor"]
        actor = Actor(prosecutor.id, Role.PROSECUTOR, prosecutor.area, prosecutor.unit)
        erase_person(session, vault, actor, person)
        return person.reference


def test_a_restored_pre_erasure_backup_does_not_bring_the_person_back(
    tmp_path: Path, source
) -> None:
    archive = tmp_path / "before-erasure.portal-backup"
    made = _portal(_env(source["url"], source["instance"]), "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert Path(str(archive) + ".sha256").exists()
    assert NAMES[0].encode() not in archive.read_bytes()  # sealed, not a plain dump
    erased_ref = _erase_first(source)

    # A fresh instance on a new database, given the old instance's erasure ledger.
    target = tmp_path / "target"
    with fresh_database(tmp_path, "target") as url:
        restored = _portal(
            _env(url, target),
            "restore",
            str(archive),
            "--ledger",
            str(source["instance"] / "erasures.jsonl"),
        )
        assert restored.exit_code == 0, restored.output
        assert "chain intact" in restored.output and "Erasures replayed: 1" in restored.output
        names = _names(url, target)
        assert names[erased_ref] is None  # unreadable: the key is destroyed again
        for reference, name in source["references"].items():
            if reference != erased_ref:
                assert names[reference] == name
        # The new instance remembers the erasure too.
        assert ErasureLedger.in_instance(target).entries()[0].owner_id == source["ids"][0]


def test_without_the_ledger_the_backup_would_resurrect_the_person(tmp_path: Path, source) -> None:
    """The control: the same restore with no ledger brings the erased person back in full,
    so the test above proves the ledger is what keeps them erased."""
    archive = tmp_path / "before.portal-backup"
    assert _portal(_env(source["url"], source["instance"]), "backup", str(archive)).exit_code == 0
    erased_ref = _erase_first(source)
    with fresh_database(tmp_path, "bare") as url:
        restored = _portal(_env(url, tmp_path / "bare"), "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        assert _names(url, tmp_path / "bare")[erased_ref] == NAMES[0]


def test_an_archive_taken_after_the_erasure_carries_its_ledger(tmp_path: Path, source) -> None:
    erased_ref = _erase_first(source)
    archive = tmp_path / "after.portal-backup"
    assert _portal(_env(source["url"], source["instance"]), "backup", str(archive)).exit_code == 0
    with fresh_database(tmp_path, "after") as url:
        restored = _portal(_env(url, tmp_path / "after"), "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        assert _names(url, tmp_path / "after")[erased_ref] is None


def test_a_changed_archive_or_a_used_instance_is_refused(tmp_path: Path, source) -> None:
    archive = tmp_path / "b.portal-backup"
    assert _portal(_env(source["url"], source["instance"]), "backup", str(archive)).exit_code == 0
    tampered = tmp_path / "t.portal-backup"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 1
    tampered.write_bytes(bytes(data))
    with fresh_database(tmp_path, "tampered") as url:
        refused = _portal(_env(url, tmp_path / "tampered"), "restore", str(tampered))
        assert refused.exit_code == 1 and "damaged or was changed" in refused.output
        assert "Traceback" not in refused.output
    # A truncated copy whose checksum file came along is caught before decryption.
    shutil.copy(Path(str(archive) + ".sha256"), Path(str(tampered) + ".sha256"))
    with fresh_database(tmp_path, "tampered2") as url:
        refused = _portal(_env(url, tmp_path / "tampered2"), "restore", str(tampered))
        assert refused.exit_code == 1 and "checksum" in refused.output
    # The source instance is not fresh: restoring over it is refused.
    over = _portal(_env(source["url"], source["instance"]), "restore", str(archive))
    assert over.exit_code == 1 and "fresh instance" in over.output


def test_replay_erasures_after_a_restore_by_other_means(tmp_path: Path, source) -> None:
    """E.g. a Litestream or point-in-time restore: the database comes back from before the
    erasure, and `portal db replay-erasures` erases the person again before serving."""
    archive = tmp_path / "pitr.portal-backup"
    env = _env(source["url"], source["instance"])
    assert _portal(env, "backup", str(archive)).exit_code == 0
    erased_ref = _erase_first(source)
    with fresh_database(tmp_path, "pitr") as url:
        assert _portal(_env(url, tmp_path / "pitr"), "restore", str(archive)).exit_code == 0
        assert _names(url, tmp_path / "pitr")[erased_ref] == NAMES[0]  # resurrected
        ledger = str(source["instance"] / "erasures.jsonl")
        replayed = _portal(
            _env(url, tmp_path / "pitr"), "db", "replay-erasures", "--ledger", ledger
        )
        assert replayed.exit_code == 0 and "1 had to be redone" in replayed.output
        assert _names(url, tmp_path / "pitr")[erased_ref] is None
        again = _portal(_env(url, tmp_path / "pitr"), "db", "replay-erasures", "--ledger", ledger)
        assert "0 had to be redone" in again.output


def test_a_backup_under_writes_keeps_every_write_acknowledged_before_it(
    tmp_path: Path, source
) -> None:
    """Copying a live database file loses what is still in its write-ahead log; the online
    backup holds every commit acknowledged before it started (and its audit chain verifies)."""
    import threading

    from portal.audit import service as audit

    stop = threading.Event()
    acknowledged = [0]

    def write() -> None:
        while not stop.is_set():
            with unit_of_work(session_factory(source["engine"])) as session:
                audit.record(
                    session,
                    actor=None,
                    category="security",
                    action="drill.write",
                    object_type="drill",
                )
            acknowledged[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while acknowledged[0] < 20:
            threading.Event().wait(0.01)
        before = acknowledged[0]
        archive = tmp_path / "live.portal-backup"
        made = _portal(_env(source["url"], source["instance"]), "backup", str(archive))
    finally:
        stop.set()
        writer.join()
    assert made.exit_code == 0, made.output
    with fresh_database(tmp_path, "live") as url:
        restored = _portal(_env(url, tmp_path / "live"), "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        engine = make_engine(make_settings(url, tmp_path / "live"))
        try:
            with engine.connect() as connection:
                from sqlalchemy import text

                kept = connection.execute(
                    text("SELECT count(*) FROM audit_event WHERE action = 'drill.write'")
                ).scalar_one()
        finally:
            engine.dispose()
        assert kept >= before


def test_serve_erases_again_whoever_a_restore_by_other_means_brought_back(
    tmp_path: Path, source, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database restored from a copy taken before an erasure (file copy, Litestream, PITR)
    into the same instance: `portal serve` replays the instance's own ledger before serving."""
    import uvicorn

    archive = tmp_path / "copy.portal-backup"
    assert _portal(_env(source["url"], source["instance"]), "backup", str(archive)).exit_code == 0
    erased_ref = _erase_first(source)
    with fresh_database(tmp_path, "copy") as url:
        target = tmp_path / "copy"
        assert _portal(_env(url, target), "restore", str(archive)).exit_code == 0
        assert _names(url, target)[erased_ref] == NAMES[0]  # brought back by the copy
        # The instance that erased them serves from this database now (its ledger comes along).
        target.mkdir(mode=0o700, exist_ok=True)
        shutil.copy(source["instance"] / "erasures.jsonl", target / "erasures.jsonl")
        served: list[str] = []
        monkeypatch.setattr(uvicorn, "run", lambda *a, **k: served.append("ran"))
        started = _portal(_env(url, target), "serve", "--no-worker")
        assert started.exit_code == 0, started.output
        assert served == ["ran"]
        assert "1 erased person was readable" in " ".join(started.output.split())
        assert _names(url, target)[erased_ref] is None
        again = _portal(_env(url, target), "serve", "--no-worker")
        assert "erased again" not in again.output  # an ordinary start says nothing
