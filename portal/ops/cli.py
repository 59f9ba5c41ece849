"""``portal db downgrade``, ``portal backup`` and ``portal restore`` (registered by portal.cli)."""

from __future__ import annotations

import sys
from typing import NoReturn

import rich_click as click
from alembic.util import CommandError
from rich.console import Console

from portal.settings import Settings, SettingsError

console = Console(stderr=True)


def register(main: click.Group, db: click.Group) -> None:
    db.add_command(downgrade)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        _stop(f"[bold red]Configuration problem:[/] {exc}")


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
    settings = _settings()
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
