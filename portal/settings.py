"""Typed settings, read once from the environment, failing fast with a fix for each problem.

House rule 9 (architecture.md): settings are typed, read once and fail fast; secret values are
wrapped so that ``repr`` masks them (the idea of Starlette's ``config.Secret``). Everything is read
from ``PORTAL_*`` environment variables; the instance folder holds what the portal creates itself
(the SQLite database and the key file).
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
KEY_FILE_NAME: Final = "portal.key"


class SettingsError(RuntimeError):
    """A setting is missing or wrong. The message says how to fix it."""


class Secret:
    """A secret value whose ``repr`` and ``str`` never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash("Secret")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob the portal has. ``docs/configuration.md`` documents each one (a test checks)."""

    instance_dir: Path
    database_url: str
    secret_key: Secret = field(repr=True)
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    https: bool = False
    session_idle_minutes: int = 15
    session_absolute_hours: int = 8
    session_warning_seconds: int = 120
    login_max_failures: int = 10
    login_window_minutes: int = 5
    login_ip_max_failures: int = 30
    max_body_bytes: int = 1024 * 1024
    max_form_fields: int = 200
    db_threads: int = 4
    assets_dir: Path = REPO_ROOT / "node_modules"
    environment: str = "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default ``os.environ``); raise ``SettingsError`` on a problem."""
        env = os.environ if env is None else env
        instance_dir = Path(env.get("PORTAL_INSTANCE_DIR", "instance")).resolve()
        database_url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{instance_dir / 'portal.db'}"
        if database_url.startswith("postgresql://"):
            # psycopg 3 is the PostgreSQL driver; accept the plain URL form people paste.
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
        if not database_url.startswith(("sqlite", "postgresql+psycopg")):
            raise SettingsError(
                "PORTAL_DATABASE_URL must be a SQLite URL (sqlite:///path) or a PostgreSQL URL "
                "(postgresql+psycopg://user@host:5432/name). Unset it to use SQLite in the "
                "instance folder."
            )
        hosts = tuple(
            h.strip()
            for h in env.get("PORTAL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
            if h.strip()
        )
        if not hosts or "*" in hosts:
            raise SettingsError(
                "PORTAL_ALLOWED_HOSTS must list the exact host names the portal answers to "
                "(comma-separated); '*' is not allowed."
            )
        assets_dir = Path(env.get("PORTAL_ASSETS_DIR", str(REPO_ROOT / "node_modules")))
        return cls(
            instance_dir=instance_dir,
            database_url=database_url,
            secret_key=_read_secret_key(env, instance_dir),
            allowed_hosts=hosts,
            https=_bool(env, "PORTAL_HTTPS", False),
            session_idle_minutes=_int(env, "PORTAL_SESSION_IDLE_MINUTES", 15, 1, 60),
            session_absolute_hours=_int(env, "PORTAL_SESSION_ABSOLUTE_HOURS", 8, 1, 12),
            login_max_failures=_int(env, "PORTAL_LOGIN_MAX_FAILURES", 10, 1, 10),
            db_threads=_int(env, "PORTAL_DB_THREADS", 4, 1, 64),
            assets_dir=assets_dir,
            environment=env.get("PORTAL_ENV", "development"),
        )


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false (got an unrecognised value).")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number between {low} and {high}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}.")
    return value


def _read_secret_key(env: Mapping[str, str], instance_dir: Path) -> Secret:
    raw = env.get("PORTAL_SECRET_KEY")
    source = "PORTAL_SECRET_KEY"
    if not raw:
        key_file = instance_dir / KEY_FILE_NAME
        if not key_file.exists():
            raise SettingsError(
                f"No secret key: set PORTAL_SECRET_KEY to 64 hex characters, or run "
                f"`portal keys init` (or `portal demo`) to create {key_file} with 0600 permissions."
            )
        mode = stat.S_IMODE(key_file.stat().st_mode)
        if mode & 0o077:
            raise SettingsError(
                f"{key_file} is readable by other users (mode {mode:o}); "
                f"run `chmod 600 {key_file}`."
            )
        try:
            raw = str(json.loads(key_file.read_text())["secret_key"])
        except (ValueError, KeyError, TypeError):
            raise SettingsError(
                f"{key_file} is not a valid key file; move it aside and run `portal keys init`."
            ) from None
        source = str(key_file)
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise SettingsError(f"The secret key in {source} must be hex.") from None
    if len(key) < 32:
        raise SettingsError(f"The secret key in {source} must be at least 256 bits (64 hex chars).")
    return Secret(raw)


def write_key_file(instance_dir: Path) -> Path:
    """Create the instance key file with 0600 permissions, unless it already exists."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = instance_dir / KEY_FILE_NAME
    if key_file.exists():
        return key_file
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"version": 1, "secret_key": secrets.token_hex(32)}, handle)
    return key_file
