"""``portal backup`` and ``portal restore`` (issue 19 point 3).

A backup is taken from the running portal without stopping it: SQLite's online backup API
copies a consistent snapshot page by page (copying the database file of a running portal loses
the writes still in its write-ahead log), and ``pg_dump`` takes one transaction-consistent
snapshot of PostgreSQL. The dump, a manifest and the erasure ledger go into one archive sealed
under a key derived from the instance KEK (``portal.ops.archive``).

A restore goes into a fresh instance only (an empty database), replays every erasure it knows
(the archive's ledger, the instance's own and any given) before anything can serve, and then
checks the audit chain, that every erased person is unreadable and that a sample of the other
people's values decrypts. Only then does it report success.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import make_url

from portal.audit.models import AuditEvent
from portal.audit.verify import verify
from portal.clock import utc_now
from portal.db import migrate
from portal.db.session import make_engine, unit_of_work
from portal.keys.ledger import Erasure, ErasureLedger, merged, read_lines
from portal.keys.vault import KeyCache, Vault
from portal.ops.archive import ArchiveError, open_file, seal_file
from portal.ops.erasure import replay
from portal.people.models import Person
from portal.settings import Settings, make_private_dir
from portal.wiring import session_factory

SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
SAMPLE = 25


class BackupProblem(Exception):
    """Why a backup or a restore could not be done; the message says what to do."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    checksum: str
    revision: str | None
    audit_entries: int
    people: int


@dataclass(slots=True)
class RestoreReport:
    revision: str | None
    audit: str
    replayed: int
    erased_checked: int
    sampled: int
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _keks(settings: Settings) -> dict[str, bytes]:
    return {kek_id: bytes.fromhex(kek.reveal()) for kek_id, kek in settings.keks}


def _pg_target(settings: Settings) -> tuple[str, dict[str, str]]:
    """The libpq URL without its password (never on a command line, where `ps` shows it) and
    the environment that carries the password instead."""
    url = make_url(settings.database_url).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupProblem(f"{name} is not on PATH: install the PostgreSQL client tools.")
    return path


def _run(command: list[str], what: str, env: dict[str, str]) -> None:
    # The command is the PostgreSQL client tool found on PATH and arguments built here.
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, timeout=3600, env=env
    )
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupProblem(f"{what} failed: {first}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup ---------------------------------------------------------------------------------


def create_backup(settings: Settings, out: Path) -> BackupSummary:
    out = out.resolve()
    if out.exists():
        raise BackupProblem(f"{out} already exists; choose a new file name.")
    make_private_dir(out.parent)
    engine = make_engine(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
            folder = Path(work)
            member = _dump(settings, folder)
            manifest = _manifest(engine, folder / member, member)
            ledger = ErasureLedger.in_instance(settings.instance_dir)
            (folder / "erasures.jsonl").write_text(
                "".join(e.line() + "\n" for e in ledger.entries())
            )
            (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
            bundle = folder / "backup.tar"
            with tarfile.open(bundle, "w") as tar:
                for name in ("manifest.json", "erasures.jsonl", member):
                    tar.add(folder / name, arcname=name)
            checksum = seal_file(
                bundle,
                out,
                kek_id=settings.active_kek_id,
                kek=_keks(settings)[settings.active_kek_id],
            )
    finally:
        engine.dispose()
    return BackupSummary(
        out,
        checksum,
        revision=None if manifest["revision"] is None else str(manifest["revision"]),
        audit_entries=int(str(manifest["audit_entries"])),
        people=int(str(manifest["people"])),
    )


def _dump(settings: Settings, folder: Path) -> str:
    if settings.is_sqlite:
        source_path = settings.sqlite_path
        if source_path is None or not source_path.exists():
            raise BackupProblem("There is no SQLite database file to back up.")
        target = folder / SQLITE_MEMBER
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(target)
        try:
            # One step under one read transaction: a consistent snapshot, and in WAL mode the
            # portal's writers carry on meanwhile (copying the file itself would lose writes).
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    target = folder / PG_MEMBER
    url, env = _pg_target(settings)
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={url}",
        ],
        "pg_dump",
        env,
    )
    return PG_MEMBER


def _manifest(engine: Engine, dump: Path, member: str) -> dict[str, object]:
    with unit_of_work(session_factory(engine)) as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
        people = session.scalar(select(func.count()).select_from(Person)) or 0
    return {
        "format": 1,
        "engine": engine.dialect.name,
        "database": member,
        "database_sha256": _sha256(dump),
        "revision": migrate.current_revision(engine),
        "created_at": utc_now().isoformat(),
        "audit_entries": last.seq if last else 0,
        "audit_head": last.entry_hash if last else None,
        "people": people,
    }


# --- restore --------------------------------------------------------------------------------


def restore_backup(
    settings: Settings, archive: Path, *, ledgers: Iterable[Path] = ()
) -> RestoreReport:
    if not archive.exists():
        raise BackupProblem(f"{archive} does not exist.")
    _require_fresh(settings)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        folder = Path(work)
        bundle = folder / "backup.tar"
        try:
            open_file(archive, bundle, keks=_keks(settings))
        except ArchiveError as exc:
            raise BackupProblem(f"The archive cannot be used: {exc}.") from None
        manifest, archived_ledger, dump = _unpack(bundle, folder)
        if _sha256(dump) != manifest.get("database_sha256"):
            raise BackupProblem("The database in the archive does not match its checksum.")
        engine_name = "sqlite" if settings.is_sqlite else "postgresql"
        if manifest.get("engine") != engine_name:
            raise BackupProblem(
                f"The archive holds a {manifest.get('engine')} database; this instance uses "
                f"{engine_name}."
            )
        _load(settings, dump)
    instance_ledger = ErasureLedger.in_instance(settings.instance_dir)
    given = [read_lines(Path(p).read_text().splitlines()) for p in ledgers]
    erasures = merged(archived_ledger, instance_ledger.entries(), *given)
    known = {e.owner_id for e in instance_ledger.entries()}
    for erasure in erasures:
        if erasure.owner_id not in known:
            instance_ledger.append(erasure)  # the new instance remembers them too
    engine = make_engine(settings)
    try:
        replayed = replay(session_factory(engine), erasures)
        return _check(settings, engine, erasures, replayed)
    finally:
        engine.dispose()


def _require_fresh(settings: Settings) -> None:
    path = settings.sqlite_path
    if settings.is_sqlite and (path is None or (path.exists() and path.stat().st_size > 0)):
        raise BackupProblem(
            "Restore into a fresh instance: this one already has a database. Point "
            "PORTAL_INSTANCE_DIR at a new folder (copy the key file into it)."
        )
    if not settings.is_sqlite:
        engine = make_engine(settings)
        try:
            if inspect(engine).get_table_names():
                raise BackupProblem(
                    "Restore into a fresh instance: this PostgreSQL database is not empty. "
                    "Create a new database and point PORTAL_DATABASE_URL at it."
                )
        finally:
            engine.dispose()


def _unpack(bundle: Path, folder: Path) -> tuple[dict[str, object], list[Erasure], Path]:
    wanted = {"manifest.json", "erasures.jsonl", SQLITE_MEMBER, PG_MEMBER}
    with tarfile.open(bundle, "r") as tar:
        for member in tar.getmembers():
            if member.name not in wanted or not member.isfile():
                raise BackupProblem(f"The archive holds an unexpected entry {member.name!r}.")
            tar.extract(member, folder, filter="data")
    manifest = json.loads((folder / "manifest.json").read_text())
    ledger = read_lines((folder / "erasures.jsonl").read_text().splitlines())
    dump = folder / str(manifest.get("database"))
    if dump.name not in {SQLITE_MEMBER, PG_MEMBER} or not dump.exists():
        raise BackupProblem("The archive has no database in it.")
    return manifest, ledger, dump


def _load(settings: Settings, dump: Path) -> None:
    if settings.is_sqlite:
        path = settings.sqlite_path
        assert path is not None
        make_private_dir(path.parent)
        staged = path.with_name(path.name + ".restoring")
        shutil.copyfile(dump, staged)
        staged.chmod(0o600)
        staged.replace(path)
        return
    url, env = _pg_target(settings)
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url}",
            str(dump),
        ],
        "pg_restore",
        env,
    )


def _check(
    settings: Settings, engine: Engine, erasures: list[Erasure], replayed: int
) -> RestoreReport:
    revision = migrate.current_revision(engine)
    report = RestoreReport(
        revision=revision, audit="", replayed=replayed, erased_checked=0, sampled=0
    )
    if revision != migrate.head_revision():
        report.failures.append(
            f"the database is at {revision}, this portal needs {migrate.head_revision()}: run "
            "`portal db upgrade`, then check again"
        )
    erased_ids = {e.owner_id for e in erasures}
    with unit_of_work(session_factory(engine)) as session:
        verdict = verify(
            session.scalars(
                select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
            )
        )
        report.audit = verdict.describe()
        if not verdict.ok:
            report.failures.append(f"audit log: {report.audit}")
        vault = Vault(session, settings.key_provider(), KeyCache())
        for person in session.scalars(select(Person).where(Person.id.in_(erased_ids))):
            report.erased_checked += 1
            if vault.open_internal(person, "full_name") is not None or not person.erased:
                report.failures.append(f"erased person {person.reference} is readable")
        ids = list(session.scalars(select(Person.id).where(Person.erased.is_(False))))
        for person_id in random.sample(ids, min(SAMPLE, len(ids))):
            sampled = session.get(Person, person_id)
            assert sampled is not None
            try:
                if vault.open_internal(sampled, "full_name") is None:
                    raise ValueError("no value")
            except Exception as exc:  # any failure to decrypt is a failed restore
                report.failures.append(
                    f"person {sampled.reference} does not decrypt ({type(exc).__name__})"
                )
            report.sampled += 1
    return report
