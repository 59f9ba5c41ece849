"""Start-up checks that end in one clear line, never a traceback (issue 19 point 4).

``portal serve``, ``portal worker`` and ``portal db upgrade`` call ``stop_if_unusable`` first: an
instance folder that cannot be written (the SQLite database, its write-ahead log, the erasure
ledger and the key file live there) or a database that cannot be reached stops the command with
one line saying what to fix, and exit status 2.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from rich.console import Console
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal.settings import Settings, SettingsError

console = Console(stderr=True)


def problem_with(settings: Settings) -> str | None:
    """What stops this instance from working, in one line, or None."""
    folder = settings.instance_dir
    writable = _unwritable(folder)
    if writable:
        return (
            f"The instance folder {folder} cannot be written ({writable}). Create it, make it "
            "writable by this user only (chmod 700), or point PORTAL_INSTANCE_DIR elsewhere."
        )
    from portal.db.session import make_engine

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        engine = make_engine(settings)
    except SettingsError as exc:
        return str(exc)
    except OSError as exc:
        return f"The database file cannot be created ({exc.strerror}). Check {where}."
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return (
            f"Cannot use the database at {where}: {reason}. Start the database, or fix "
            "PORTAL_DATABASE_URL."
        )
    finally:
        engine.dispose()
    return None


def _unwritable(folder: Path) -> str | None:
    """Why ``folder`` cannot be created or written, or None. Tries for real (a root user passes
    every permission check, a read-only file system fails them all)."""
    try:
        existing = folder
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            return f"{existing} is not a folder"
        probe_dir = folder if folder.exists() else existing
        probe = probe_dir / f".portal-write-check-{secrets.token_hex(4)}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def stop_if_unusable(settings: Settings) -> None:
    found = problem_with(settings)
    if found:
        console.print(f"[bold red]Cannot start:[/] {found}", soft_wrap=True)  # one line
        sys.exit(2)
