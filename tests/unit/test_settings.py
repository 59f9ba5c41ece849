from __future__ import annotations

import os
from pathlib import Path

import pytest

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
