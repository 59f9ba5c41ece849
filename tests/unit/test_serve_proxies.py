"""``portal serve`` believes X-Forwarded-For only from PORTAL_TRUSTED_PROXIES (none by default).

The server is uvicorn; the test runs ``portal serve`` with ``uvicorn.run`` captured, then builds
uvicorn's own ``Config`` from exactly what ``serve`` passed, and sends it a request with a
forwarded header. What the application sees as the client is what the sign-in throttle counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from click.testing import CliRunner

from portal import cli

FORGED = "203.0.113.7"


def served_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    monkeypatch.setattr(cli, "_require_current_schema", lambda settings: None)
    monkeypatch.setattr(cli, "_require_working_keys", lambda settings: None)
    environment = {
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "cd" * 32,
        "PORTAL_KEK": "kek-a:" + "ef" * 32,
        "FORWARDED_ALLOW_IPS": "",  # uvicorn's own variable must not matter
        **env,
    }
    result = CliRunner().invoke(cli.main, ["serve", "--no-worker"], env=environment)
    assert result.exit_code == 0, result.output
    return captured


def client_seen(options: dict[str, Any], *, connected_from: str) -> str:
    """The client address an app behind uvicorn configured with ``options`` is given."""
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    proxy = {k: options[k] for k in ("proxy_headers", "forwarded_allow_ips") if k in options}
    config = uvicorn.Config(app, **proxy)
    config.load()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/login",
        "headers": [(b"x-forwarded-for", FORGED.encode())],
        "client": (connected_from, 50000),
        "scheme": "http",
    }

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            pass

        await config.loaded_app(scope, receive, send)

    anyio.run(run)
    return seen[0]


def test_by_default_no_forwarded_header_is_believed_not_even_from_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    options = served_options(monkeypatch, tmp_path)
    assert client_seen(options, connected_from="127.0.0.1") == "127.0.0.1"
    assert client_seen(options, connected_from="::1") == "::1"


def test_forwarded_headers_are_believed_only_from_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    options = served_options(monkeypatch, tmp_path, PORTAL_TRUSTED_PROXIES="10.0.0.0/24")
    assert client_seen(options, connected_from="10.0.0.9") == FORGED
    assert client_seen(options, connected_from="127.0.0.1") == "127.0.0.1"
    assert client_seen(options, connected_from="10.0.1.9") == "10.0.1.9"
