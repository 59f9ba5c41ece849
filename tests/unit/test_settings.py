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
