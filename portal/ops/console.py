"""What every ``portal`` command shares: its consoles, settings read or one clear line, and the
progress bar (rich)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import rich_click as click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from portal.settings import Settings, SettingsError, write_key_file

console = Console(stderr=True)
out = Console()


def count_option(
    *names: str, default: int | None, least: int, most: int, help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A whole-number option from ``least`` to ``most`` (its default shown when it has one)."""
    return click.option(
        *names,
        default=default,
        show_default=default is not None,
        type=click.IntRange(least, most),
        help=help,
    )


def settings_or_stop() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        configuration_problem(exc)


def key_file(instance_dir: Path) -> Path:
    try:
        return write_key_file(instance_dir)
    except SettingsError as exc:
        configuration_problem(exc)


def configuration_problem(exc: SettingsError) -> NoReturn:
    console.print(f"[bold red]Configuration problem:[/] {exc}", soft_wrap=True)  # one line
    sys.exit(2)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
