"""A real ``portal serve`` in a subprocess, on a fresh database, with its output kept in a file."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e.support import authenticator

STARTUP_TIMEOUT_SECONDS = 30.0
DEMO_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 10.0

# urllib would otherwise honour http_proxy/HTTP_PROXY, even for 127.0.0.1.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def portal_command() -> Path:
    """The ``portal`` script next to the running interpreter, so any virtual environment works."""
    script = Path(sys.executable).parent / "portal"
    if not script.exists():
        pytest.fail(
            f"The `portal` command is not installed next to {sys.executable}. "
            "Run `pip install -e .[dev]` in this virtual environment."
        )
    return script


def demo_password() -> str:
    """A fresh password for the demo users: long, random, and not on any common-password list."""
    return f"e2e-{secrets.token_hex(6)}-{secrets.token_hex(6)}"


@dataclass(frozen=True)
class PortalServer:
    """A running portal. ``log_path`` holds everything the server wrote to stdout and stderr."""

    url: str
    instance_dir: Path
    database_url: str
    password: str
    log_path: Path
    demo_log_path: Path
    process: subprocess.Popen[bytes]

    def log_size(self) -> int:
        """Where the log ends now: pass it to ``log_text(since=...)`` to read only what follows."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since: int = 0) -> str:
        with self.log_path.open("rb") as handle:
            handle.seek(since)
            return handle.read().decode("utf-8", errors="replace")


def server_env(instance_dir: Path, database_url: str) -> dict[str, str]:
    """The environment for ``portal demo`` and ``portal serve``: no PORTAL_* setting leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        {
            "PORTAL_INSTANCE_DIR": str(instance_dir),
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
    )
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with _NO_PROXY_OPENER.open(f"{url}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def run_demo(instance_dir: Path, database_url: str, password: str, log_path: Path) -> None:
    """``portal demo``: key file, migrations and one demo user per entry of DEMO_USERS."""
    with log_path.open("wb") as log:
        try:
            result = subprocess.run(
                [str(portal_command()), "demo", "--password", password],
                env=server_env(instance_dir, database_url),
                cwd=instance_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=DEMO_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"`portal demo` did not finish in {DEMO_TIMEOUT_SECONDS:.0f} s. Output:\n"
                + _read(log_path).replace(password, "<demo password>")
            )
    if result.returncode != 0:
        pytest.fail(
            f"`portal demo` failed with exit code {result.returncode}. Output:\n"
            + _read(log_path).replace(password, "<demo password>")
        )


def _start_once(
    instance_dir: Path, database_url: str, log_path: Path
) -> tuple[subprocess.Popen[bytes], str, str | None]:
    """Start ``portal serve``; return the process, its URL and a problem (None if it is up)."""
    port = _free_port()
    # The browser opens it as localhost (it listens on 127.0.0.1): passkeys need a host name
    # for their relying party id, and browsers refuse IP addresses (and treat localhost as a
    # secure context, as WebAuthn needs).
    url = f"http://localhost:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                str(portal_command()),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=server_env(instance_dir, database_url),
            cwd=instance_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return process, url, f"`portal serve` exited with code {process.returncode}"
        if _healthy(url):
            return process, url, None
        time.sleep(0.1)
    _stop(process)
    return process, url, f"GET {url}/healthz did not answer 200 within {STARTUP_TIMEOUT_SECONDS} s"


@contextmanager
def running_portal(tmp_dir: Path, database_url: str) -> Iterator[PortalServer]:
    """Build a demo instance on ``database_url`` and serve it until the block ends."""
    instance_dir = tmp_dir / "instance"
    instance_dir.mkdir(mode=0o700)  # the portal refuses a folder others can read
    log_path = tmp_dir / "server.log"
    demo_log_path = tmp_dir / "demo.log"
    password = demo_password()
    run_demo(instance_dir, database_url, password, demo_log_path)
    if authenticator.learn_from_demo_log(demo_log_path) == 0:
        pytest.fail("`portal demo` printed no authenticator keys:\n" + _read(demo_log_path))
    from portal.cli import DEMO_USERS

    authenticator.give_recovery_codes(database_url, [user.username for user in DEMO_USERS])

    problem: str | None = None
    for _attempt in range(3):  # another program may take the free port before the server does
        before = log_path.stat().st_size if log_path.exists() else 0
        process, url, problem = _start_once(instance_dir, database_url, log_path)
        if problem is None:
            break
        with log_path.open("rb") as handle:
            handle.seek(before)
            latest = handle.read().decode("utf-8", errors="replace")
        if "address already in use" not in latest.lower():
            break
    if problem is not None:
        pytest.fail(f"The portal did not start: {problem}.\nServer output:\n{_read(log_path)}")

    server = PortalServer(
        url=url,
        instance_dir=instance_dir,
        database_url=database_url,
        password=password,
        log_path=log_path,
        demo_log_path=demo_log_path,
        process=process,
    )
    try:
        yield server
    finally:
        _stop(process)
