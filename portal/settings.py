"""Typed settings, read once from the environment, failing fast with a fix for each problem.

House rule 9 (architecture.md): settings are typed, read once and fail fast; secret values are
wrapped so that ``repr`` masks them (the idea of Starlette's ``config.Secret``). Everything is read
from ``PORTAL_*`` environment variables; the instance folder holds what the portal creates itself
(the SQLite database and the key file).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from portal.security.crypto import LocalKeyProvider

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
KEY_FILE_NAME: Final = "portal.key"
# The files SQLite keeps beside a database: write-ahead log, shared memory, rollback journal.
SQLITE_SUFFIXES: Final = ("", "-wal", "-shm", "-journal")


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
    keks: tuple[tuple[str, Secret], ...] = ()
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
    blind_index_bits: int = 14
    anonymity_approver_role: str = "prosecutor"
    break_glass_minutes: int = 60
    unmask_minutes: int = 15
    wcu_unmask_approver_role: str = "prosecutor"
    account_setup_hours: int = 24
    # TOTP: how many time-steps before the current one are still accepted (0 or 1), and how
    # recent a second factor must be for the actions that ask for it again (step-up).
    totp_previous_steps: int = 0
    step_up_minutes: int = 5
    # Passkeys (WebAuthn): whether the high-risk actions ask for one (on unless turned off), and
    # the portal's public URL, whose host is the WebAuthn relying party id and whose origin the
    # browser's answer must name. Empty: the origin the request came to (its host is one of
    # ``allowed_hosts``, checked before any route runs).
    require_passkey: bool = True
    base_url: str = ""
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks).
    # Empty: none, so the address the portal sees is the address that connected.
    trusted_proxies: tuple[str, ...] = ()
    assets_dir: Path = REPO_ROOT / "node_modules"
    environment: str = "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None (PostgreSQL, or an in-memory database)."""
        if not self.is_sqlite:
            return None
        database = make_url(self.database_url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).resolve()

    @property
    def active_kek_id(self) -> str:
        return self.keks[0][0]

    def key_provider(self) -> LocalKeyProvider:
        """The KEKs, first one active. A KMS/HSM provider would be chosen here."""
        return _provider(self.keks)

    def current_key_provider(self) -> LocalKeyProvider:
        """The KEKs as the key file lists them *now* (``portal keys rotate`` may have added one
        since start-up); the start-up ones if they came from the environment."""
        key_file = self.instance_dir / KEY_FILE_NAME
        if not key_file.exists():
            return self.key_provider()
        keks = _read_keks({}, self.instance_dir, _read_key_file({}, self.instance_dir))
        if self.active_kek_id not in dict(keks):
            return self.key_provider()  # configured from PORTAL_KEK, not from this file
        return _provider(keks)

    def key_file_stamp(self) -> float | None:
        """When the key file last changed (None: there is none)."""
        try:
            return (self.instance_dir / KEY_FILE_NAME).stat().st_mtime
        except OSError:
            return None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default ``os.environ``); raise ``SettingsError`` if wrong."""
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
        key_file = _read_key_file(env, instance_dir)
        settings = cls(
            instance_dir=instance_dir,
            database_url=database_url,
            secret_key=_read_secret_key(env, instance_dir, key_file),
            keks=_read_keks(env, instance_dir, key_file),
            allowed_hosts=hosts,
            https=_bool(env, "PORTAL_HTTPS", False),
            session_idle_minutes=_int(env, "PORTAL_SESSION_IDLE_MINUTES", 15, 1, 60),
            session_absolute_hours=_int(env, "PORTAL_SESSION_ABSOLUTE_HOURS", 8, 1, 12),
            login_max_failures=_int(env, "PORTAL_LOGIN_MAX_FAILURES", 10, 1, 10),
            db_threads=_int(env, "PORTAL_DB_THREADS", 4, 1, 64),
            blind_index_bits=_int(env, "PORTAL_BLIND_INDEX_BITS", 14, 8, 32),
            break_glass_minutes=_int(env, "PORTAL_BREAK_GLASS_MINUTES", 60, 5, 240),
            anonymity_approver_role=_choice(
                env, "PORTAL_ANONYMITY_APPROVER_ROLE", "prosecutor", ("prosecutor", "vlu_officer")
            ),
            unmask_minutes=_int(env, "PORTAL_UNMASK_MINUTES", 15, 1, 60),
            wcu_unmask_approver_role=_choice(
                env,
                "PORTAL_WCU_UNMASK_APPROVER_ROLE",
                "prosecutor",
                ("prosecutor", "witness_care_officer"),
            ),
            account_setup_hours=_int(env, "PORTAL_ACCOUNT_SETUP_HOURS", 24, 1, 72),
            totp_previous_steps=_int(env, "PORTAL_TOTP_PREVIOUS_STEPS", 0, 0, 1),
            step_up_minutes=_int(env, "PORTAL_STEP_UP_MINUTES", 5, 1, 15),
            require_passkey=_bool(env, "PORTAL_REQUIRE_PASSKEY", True),
            base_url=_base_url(env),
            trusted_proxies=_networks(env, "PORTAL_TRUSTED_PROXIES"),
            assets_dir=assets_dir,
            environment=env.get("PORTAL_ENV", "development"),
        )
        check_database_files(settings)
        return settings


def _base_url(env: Mapping[str, str]) -> str:
    raw = env.get("PORTAL_BASE_URL", "").strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query:
        raise SettingsError(
            "PORTAL_BASE_URL must be the portal's public origin, such as "
            "https://portal.example.gov.uk (a scheme and a host, no path)."
        )
    return raw


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false (got an unrecognised value).")


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in allowed:
        raise SettingsError(f"{name} must be one of: {', '.join(allowed)}.")
    return value


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (CIDR), normalised; empty means none."""
    found: list[str] = []
    for item in (part.strip() for part in env.get(name, "").split(",")):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks (like 10.0.0.5 or 10.0.0.0/24), "
                "comma-separated; '*' and host names are not allowed."
            ) from None
        found.append(str(network.network_address) if network.num_addresses == 1 else str(network))
    return tuple(found)


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


def _provider(keks: tuple[tuple[str, Secret], ...]) -> LocalKeyProvider:
    return LocalKeyProvider(
        {kek_id: bytes.fromhex(kek.reveal()) for kek_id, kek in keks}, active=keks[0][0]
    )


def _read_key_file(env: Mapping[str, str], instance_dir: Path) -> dict[str, object] | None:
    """The instance key file, if the environment does not supply every key itself."""
    if env.get("PORTAL_SECRET_KEY") and env.get("PORTAL_KEK"):
        return None
    key_file = instance_dir / KEY_FILE_NAME
    if not key_file.exists():
        raise SettingsError(
            "No keys: set PORTAL_SECRET_KEY and PORTAL_KEK, or run `portal keys init` (or "
            f"`portal demo`) to create {key_file} with 0600 permissions."
        )
    require_private(instance_dir)
    require_private(key_file)
    try:
        data = json.loads(key_file.read_text())
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SettingsError(
            f"{key_file} is not a valid key file; move it aside and run `portal keys init`."
        )
    data["_path"] = str(key_file)
    return data


def _hex_key(raw: object, source: str, what: str) -> str:
    if not isinstance(raw, str):
        raise SettingsError(f"{source} has no {what}; run `portal keys init` or set it.")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise SettingsError(f"The {what} in {source} must be hex.") from None
    if len(key) != 32:
        raise SettingsError(f"The {what} in {source} must be 256 bits (64 hex characters).")
    return raw


def _read_secret_key(
    env: Mapping[str, str], instance_dir: Path, key_file: dict[str, object] | None
) -> Secret:
    raw = env.get("PORTAL_SECRET_KEY")
    if raw:
        return Secret(_hex_key(raw, "PORTAL_SECRET_KEY", "secret key"))
    assert key_file is not None
    return Secret(_hex_key(key_file.get("secret_key"), str(key_file["_path"]), "secret key"))


def _read_keks(
    env: Mapping[str, str], instance_dir: Path, key_file: dict[str, object] | None
) -> tuple[tuple[str, Secret], ...]:
    """KEKs as ``id:hex`` pairs, comma-separated, the first one active (PORTAL_KEK), or the
    key file's ``keks`` with its ``active_kek`` first."""
    raw = env.get("PORTAL_KEK")
    pairs: list[tuple[str, Secret]] = []
    if raw:
        for item in raw.split(","):
            kek_id, _, value = item.strip().partition(":")
            if not kek_id or not value:
                raise SettingsError("PORTAL_KEK must be `id:64-hex-chars`, comma-separated.")
            pairs.append((kek_id, Secret(_hex_key(value, "PORTAL_KEK", "KEK"))))
        return tuple(pairs)
    assert key_file is not None
    source = str(key_file["_path"])
    keks = key_file.get("keks")
    active = key_file.get("active_kek")
    if not isinstance(keks, dict) or not keks or active not in keks:
        raise SettingsError(
            f"{source} has no key-encryption key (KEK); run `portal keys init` to add one."
        )
    pairs.append((str(active), Secret(_hex_key(keks[active], source, "KEK"))))
    for kek_id, value in keks.items():
        if kek_id != active:
            pairs.append((str(kek_id), Secret(_hex_key(value, source, "KEK"))))
    return tuple(pairs)


# --- files only the portal's own user may read (issue 12 point 8) ---------------------------


def require_private(path: Path) -> None:
    """Refuse a folder or file that anyone but its owner can read, write or enter."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        wanted = "700" if path.is_dir() else "600"
        raise SettingsError(
            f"{path} is open to other users (mode {mode:o}); run `chmod {wanted} {path}`."
        )


def make_private_dir(path: Path) -> None:
    """Create ``path`` (0700) if it does not exist; an existing folder is left as it is."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened; be exact


def check_database_files(settings: Settings) -> None:
    """A SQLite database, its WAL, shared-memory and journal files and its folder must be
    private to the portal's user: refuse to start otherwise."""
    database = settings.sqlite_path
    if database is None:
        return
    if database.parent.exists():
        require_private(database.parent)
    for suffix in SQLITE_SUFFIXES:
        path = Path(f"{database}{suffix}")
        if path.exists():
            require_private(path)


def prepare_database_files(settings: Settings) -> None:
    """Before SQLite opens the database: its folder 0700 and the database file 0600.

    The file is created empty (a valid, empty SQLite database) with mode 0600 rather than left
    to SQLite, which would create it 0644 less the umask; SQLite then gives the WAL, shared-memory
    and journal files it creates the database file's own mode. No process-wide umask change, so
    no race with other threads creating files.
    """
    database = settings.sqlite_path
    if database is None:
        return
    make_private_dir(database.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    check_database_files(settings)


def write_key_file(instance_dir: Path) -> Path:
    """Create the instance key file with 0600 permissions, unless it already exists."""
    make_private_dir(instance_dir)
    require_private(instance_dir)
    key_file = instance_dir / KEY_FILE_NAME
    if key_file.exists():
        return key_file
    content = {
        "version": 1,
        "secret_key": secrets.token_hex(32),
        "keks": {"kek-1": secrets.token_hex(32)},
        "active_kek": "kek-1",
        # Signs audit checkpoints. The database never sees it, so a DB administrator who
        # rewrites the log cannot forge a checkpoint already exported elsewhere.
        "audit_signing_key": _new_signing_key(),
    }
    _write_private(key_file, content, exclusive=True)
    return key_file


def _new_signing_key() -> str:
    from portal.audit.verify import new_signing_key

    return new_signing_key()


def audit_signing_key(instance_dir: Path) -> str:
    """The audit checkpoint signing key from the key file, created there if missing."""
    key_file = instance_dir / KEY_FILE_NAME
    data = json.loads(key_file.read_text())
    if not data.get("audit_signing_key"):
        data["audit_signing_key"] = _new_signing_key()
        _write_private(key_file, data, exclusive=False)
    return str(data["audit_signing_key"])


def add_kek(instance_dir: Path) -> str:
    """Add a new KEK to the key file and make it active; the old ones stay for unwrapping."""
    key_file = instance_dir / KEY_FILE_NAME
    data = json.loads(key_file.read_text())
    keks: dict[str, str] = data["keks"]
    number = 1 + max(int(k.rsplit("-", 1)[-1]) for k in keks if k.rsplit("-", 1)[-1].isdigit())
    kek_id = f"kek-{number}"
    keks[kek_id] = secrets.token_hex(32)
    data["active_kek"] = kek_id
    _write_private(key_file, data, exclusive=False)
    return kek_id


def remove_keks_except(instance_dir: Path, keep: str) -> None:
    key_file = instance_dir / KEY_FILE_NAME
    data = json.loads(key_file.read_text())
    data["keks"] = {keep: data["keks"][keep]}
    data["active_kek"] = keep
    _write_private(key_file, data, exclusive=False)


def _write_private(path: Path, content: dict[str, object], *, exclusive: bool) -> None:
    """Write atomically (temp file + rename) with 0600 permissions from the start."""
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle)
            handle.flush()
            os.fsync(handle.fileno())
        return
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
