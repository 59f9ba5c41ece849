from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.db.session import make_engine
from portal.settings import Secret, Settings, SettingsError, write_key_file


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "cd" * 32,
        "PORTAL_KEK": "kek-a:" + "ef" * 32,
        **extra,
    }


def test_defaults_are_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env(base_env(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert settings.is_sqlite
    assert settings.session_idle_minutes == 15
    assert settings.session_absolute_hours == 8


def test_postgres_url_uses_psycopg3(tmp_path: Path) -> None:
    env = base_env(tmp_path, PORTAL_DATABASE_URL="postgresql://u@db:5432/portal")
    assert Settings.from_env(env).database_url == "postgresql+psycopg://u@db:5432/portal"


def test_missing_secret_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="portal keys init"):
        Settings.from_env({"PORTAL_INSTANCE_DIR": str(tmp_path)})


def test_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="256 bits"):
        Settings.from_env(base_env(tmp_path, PORTAL_SECRET_KEY="ab" * 16))


def test_key_file_is_created_private_and_read(tmp_path: Path) -> None:
    path = write_key_file(tmp_path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    settings = Settings.from_env({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert len(settings.secret_key.reveal()) == 64
    assert settings.active_kek_id == "kek-1"
    assert settings.key_provider().known_kek_ids() == {"kek-1"}
    assert write_key_file(tmp_path).read_text() == path.read_text()  # never overwritten


def test_readable_key_file_is_refused(tmp_path: Path) -> None:
    path = write_key_file(tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        Settings.from_env({"PORTAL_INSTANCE_DIR": str(tmp_path)})


def test_kek_list_from_environment_first_is_active(tmp_path: Path) -> None:
    env = base_env(tmp_path, PORTAL_KEK=f"new:{'01' * 32}, old:{'02' * 32}")
    settings = Settings.from_env(env)
    assert settings.active_kek_id == "new"
    assert settings.key_provider().known_kek_ids() == {"new", "old"}


@pytest.mark.parametrize("value", ["nocolon", "k:abc", f"k:{'zz' * 32}", f"k:{'ab' * 16}"])
def test_bad_kek_is_refused_with_a_message(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="PORTAL_KEK"):
        Settings.from_env(base_env(tmp_path, PORTAL_KEK=value))


def test_key_file_without_kek_is_refused(tmp_path: Path) -> None:
    (tmp_path / "portal.key").write_text('{"secret_key": "' + "ab" * 32 + '"}')
    os.chmod(tmp_path / "portal.key", 0o600)
    with pytest.raises(SettingsError, match="KEK"):
        Settings.from_env({"PORTAL_INSTANCE_DIR": str(tmp_path)})


def test_secrets_never_print(tmp_path: Path) -> None:
    settings = Settings.from_env(base_env(tmp_path))
    assert "cd" * 32 not in repr(settings)
    assert "ef" * 32 not in repr(settings)
    assert "cd" * 32 not in str(settings.secret_key)
    assert repr(Secret("hunter2")) == "Secret('**********')"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORTAL_ALLOWED_HOSTS", "*", "exact host names"),
        ("PORTAL_DATABASE_URL", "mysql://x", "SQLite URL"),
        ("PORTAL_HTTPS", "maybe", "true or false"),
        ("PORTAL_SESSION_IDLE_MINUTES", "abc", "whole number"),
        ("PORTAL_SESSION_IDLE_MINUTES", "600", "between 1 and 60"),
    ],
)
def test_bad_values_fail_fast(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(base_env(tmp_path, **{name: value}))


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    import re

    source = (Path(__file__).parents[2] / "portal" / "settings.py").read_text()
    names = set(re.findall(r'"(PORTAL_[A-Z_]+)"', source))
    assert names, "no settings found"
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert not missing, f"undocumented settings: {missing}"


# --- issue 12 point 8: the database and its folder are private to the portal's user ----------


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """A umask that leaves new files readable by everyone (0644), as on most systems."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_database_wal_and_shm_are_created_private(tmp_path: Path, usual_umask) -> None:
    instance = tmp_path / "instance"
    settings = Settings.from_env(base_env(instance))
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:  # WAL and shared memory exist while it is open
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            database = instance / "portal.db"
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(p.exists() for p in files)
            assert {p.name: mode_of(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        engine.dispose()
    assert mode_of(instance) == 0o700
    Settings.from_env(base_env(instance))  # and it starts again


def test_key_file_folder_is_created_private(tmp_path: Path, usual_umask) -> None:
    instance = tmp_path / "new" / "instance"
    write_key_file(instance)
    assert mode_of(instance) == 0o700


@pytest.mark.parametrize(
    ("name", "mode", "fix"),
    [
        ("", 0o755, "chmod 700"),
        ("", 0o750, "chmod 700"),
        ("portal.db", 0o644, "chmod 600"),
        ("portal.db", 0o640, "chmod 600"),
        ("portal.db-wal", 0o644, "chmod 600"),
        ("portal.db-shm", 0o604, "chmod 600"),
    ],
    ids=lambda value: f"{value:o}" if isinstance(value, int) else str(value or "folder"),
)
def test_a_database_others_can_read_is_refused_with_the_fix(
    tmp_path: Path, name: str, mode: int, fix: str
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{instance / 'portal.db'}{suffix}").touch(mode=0o600)
    target = instance / name if name else instance
    os.chmod(target, mode)
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(base_env(instance))
    message = str(refused.value)
    assert f"{fix} {target}" in message and "\n" not in message
    os.chmod(target, 0o700 if not name else 0o600)
    Settings.from_env(base_env(instance))  # fixed as the message says: it starts


def test_key_file_in_a_folder_others_can_read_is_refused(tmp_path: Path) -> None:
    write_key_file(tmp_path / "instance")
    os.chmod(tmp_path / "instance", 0o755)  # noqa: S103 (the mistake under test)
    with pytest.raises(SettingsError, match="chmod 700"):
        Settings.from_env({"PORTAL_INSTANCE_DIR": str(tmp_path / "instance")})


def test_commands_refuse_in_one_line_not_a_traceback(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    os.chmod(instance, 0o755)  # noqa: S103 (the mistake under test)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(base_env(instance), COLUMNS="80", NO_COLOR="1")
    portal = Path(sys.executable).parent / "portal"
    for command in (["db", "upgrade"], ["keys", "init"], ["serve", "--port", "1"]):
        result = subprocess.run(
            [str(portal), *command], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr
        [line] = result.stderr.strip().splitlines()  # one line, whatever the terminal width
        assert f"run `chmod 700 {instance}`" in line
    assert not (instance / "portal.db").exists() and not (instance / "portal.key").exists()


def test_no_proxy_is_trusted_unless_configured(tmp_path: Path) -> None:
    assert Settings.from_env(base_env(tmp_path)).trusted_proxies == ()
    env = base_env(tmp_path, PORTAL_TRUSTED_PROXIES=" 10.0.0.5, 10.1.0.0/16 ,::1,192.0.2.7/32")
    assert Settings.from_env(env).trusted_proxies == ("10.0.0.5", "10.1.0.0/16", "::1", "192.0.2.7")


@pytest.mark.parametrize("value", ["*", "proxy.internal", "10.0.0.0/33", "10.0.0.1;10.0.0.2"])
def test_a_trusted_proxy_must_be_an_address_or_network(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="PORTAL_TRUSTED_PROXIES"):
        Settings.from_env(base_env(tmp_path, PORTAL_TRUSTED_PROXIES=value))


def test_set_up_codes_expire_after_a_configurable_short_time(tmp_path: Path) -> None:
    assert Settings.from_env(base_env(tmp_path)).account_setup_hours == 24
    env = base_env(tmp_path, PORTAL_ACCOUNT_SETUP_HOURS="4")
    assert Settings.from_env(env).account_setup_hours == 4
    with pytest.raises(SettingsError, match="PORTAL_ACCOUNT_SETUP_HOURS"):
        Settings.from_env(base_env(tmp_path, PORTAL_ACCOUNT_SETUP_HOURS="200"))
