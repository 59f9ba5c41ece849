"""``portal db downgrade``, ``portal backup`` and ``portal restore`` (registered by portal.cli)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import rich_click as click
from alembic.util import CommandError

from portal.ops.console import console, settings_or_stop


def register(main: click.Group, db: click.Group) -> None:
    db.add_command(downgrade)
    db.add_command(replay_erasures)
    main.add_command(backup)
    main.add_command(restore)


def _ledgers(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--ledger FILE``, any number of times: more erasure ledgers to replay."""
    return click.option(
        "--ledger",
        "ledgers",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=help,
    )


def _stop(message: str, code: int = 2) -> NoReturn:
    console.print(message, soft_wrap=True)  # one line, no traceback
    sys.exit(code)


@click.command(
    help="Undo migrations down to REVISION (a migration id such as 0011, or `base`). Tables "
    "and columns the later migrations added are dropped with their data: take a `portal "
    "backup` first."
)
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def downgrade(revision: str, yes: bool) -> None:
    from portal.db import migrate
    from portal.db.session import make_engine

    if not migrate.known_revision(revision):
        _stop(f"[bold red]No migration {revision!r}.[/] Run `alembic history` to list them.")
    settings = settings_or_stop()
    engine = make_engine(settings)
    try:
        current = migrate.current_revision(engine)
        if current == revision:
            console.print(f"The database is already at {revision}.")
            return
        if not yes:
            click.confirm(
                f"Downgrade the database from {current or 'no revision'} to {revision}? Data "
                "held only by the later migrations is dropped",
                abort=True,
            )
        with console.status(f"Downgrading to {revision}"):
            migrate.downgrade(engine, revision)
    except migrate.MigrationProblem as exc:
        _stop(f"[bold red]Downgrade rolled back:[/] {exc}", 1)
    except CommandError as exc:  # e.g. REVISION is later than the database
        _stop(f"[bold red]Cannot downgrade to {revision}:[/] {exc}", 1)
    finally:
        engine.dispose()
    console.print(
        f"[green]Database is at {revision}.[/] Run the matching version of the portal, or "
        "`portal db upgrade` to return."
    )


@click.command(
    help="Back up the running portal into OUT: a consistent snapshot (SQLite online backup, "
    "or pg_dump), a manifest and the erasure ledger, encrypted under a key derived from the "
    "active KEK, with OUT.sha256 beside it. Keep the key file elsewhere: the archive is "
    "useless without it."
)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    from portal.ops.backup import BackupProblem, create_backup

    settings = settings_or_stop()
    try:
        with console.status("Backing up"):
            summary = create_backup(settings, out)
    except BackupProblem as exc:
        _stop(f"[bold red]Backup failed:[/] {exc}", 1)
    console.print(
        f"[green]Backup written to {summary.path}[/] (schema {summary.revision}, "
        f"{summary.audit_entries} audit entries, {summary.people} people; SHA-256 "
        f"{summary.checksum})."
    )


@click.command(
    help="Restore ARCHIVE into a fresh instance (an empty database, with the key file that "
    "made the backup). Replays every erasure first, then checks the audit chain and a sample "
    "of decryptions; exits non-zero unless every check passes."
)
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_ledgers("Another erasure ledger to replay (e.g. the old instance's erasures.jsonl).")
def restore(archive: Path, ledgers: tuple[Path, ...]) -> None:
    from portal.ops.backup import BackupProblem, restore_backup

    settings = settings_or_stop()
    try:
        with console.status("Restoring"):
            report = restore_backup(settings, archive, ledgers=ledgers)
    except BackupProblem as exc:
        _stop(f"[bold red]Restore failed:[/] {exc}", 1)
    console.print(f"Audit log: {report.audit}")
    console.print(
        f"Erasures replayed: {report.replayed}; erased people checked unreadable: "
        f"{report.erased_checked}; people sampled and decrypted: {report.sampled}."
    )
    if not report.ok:
        for failure in report.failures:
            console.print(f"[bold red]Check failed:[/] {failure}", soft_wrap=True)
        sys.exit(1)
    console.print(f"[green]Restore verified[/] (schema {report.revision}). The portal may serve.")


@click.command(
    name="replay-erasures",
    help="Erase again everyone in the erasure ledger (the instance's erasures.jsonl and any "
    "--ledger file). Run it after restoring by other means (Litestream, PostgreSQL "
    "point-in-time recovery) and before the portal serves. Safe to run any time.",
)
@_ledgers("Another erasure ledger to replay.")
def replay_erasures(ledgers: tuple[Path, ...]) -> None:
    from portal.db.session import make_engine
    from portal.keys.ledger import ErasureLedger, merged, read_lines
    from portal.ops.erasure import replay
    from portal.wiring import session_factory

    settings = settings_or_stop()
    erasures = merged(
        ErasureLedger.in_instance(settings.instance_dir).entries(),
        *(read_lines(path.read_text().splitlines()) for path in ledgers),
    )
    engine = make_engine(settings)
    try:
        again = replay(session_factory(engine), erasures)
    finally:
        engine.dispose()
    console.print(f"[green]{len(erasures)} erasures in the ledger; {again} had to be redone.[/]")
