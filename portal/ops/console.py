"""What every ``portal`` command shares: its consoles, settings read or one clear line, and the
progress bar (rich)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from portal.settings import Settings, SettingsError, write_key_file

console = Console(stderr=True)
out = Console()


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
