"""The passkeys' relying party (issue 18 point 2): from PORTAL_BASE_URL when set, else the
origin the request came to; PORTAL_REQUIRE_PASSKEY defaults on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from portal.accounts.factor_passkeys import relying_party
from portal.settings import Settings, SettingsError


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "cd" * 32,
        "PORTAL_KEK": "kek-a:" + "ef" * 32,
        **extra,
    }


def test_passkeys_are_required_unless_turned_off(tmp_path: Path) -> None:
    assert Settings.from_env(env(tmp_path)).require_passkey is True
    off = Settings.from_env(env(tmp_path, PORTAL_REQUIRE_PASSKEY="false"))
    assert off.require_passkey is False


def test_the_base_url_is_an_origin(tmp_path: Path) -> None:
    chosen = Settings.from_env(env(tmp_path, PORTAL_BASE_URL="https://portal.example.gov.uk/"))
    assert chosen.base_url == "https://portal.example.gov.uk"
    for wrong in ("portal.example.gov.uk", "https://portal.example.gov.uk/app", "ftp://x"):
        with pytest.raises(SettingsError):
            Settings.from_env(env(tmp_path, PORTAL_BASE_URL=wrong))


def test_the_relying_party_comes_from_the_setting_else_the_request(tmp_path: Path) -> None:
    settings = Settings.from_env(env(tmp_path))
    local = relying_party(settings, "http://localhost:8000")
    assert (local.id, local.origin) == ("localhost", "http://localhost:8000")
    public = relying_party(
        replace(settings, base_url="https://portal.example.gov.uk"), "http://10.0.0.5:8000"
    )
    assert (public.id, public.origin) == ("portal.example.gov.uk", "https://portal.example.gov.uk")
