"""Shared helpers for the benchmark suite: temporary databases, servers, wrk, statistics.

Nothing here is imported by the portal. Every helper cleans up after itself: temporary databases
are deleted (SQLite files with their folder, PostgreSQL databases dropped), servers are stopped by
their process group id, and ``hard_timeout`` turns a hung benchmark into an exception so the
``finally`` blocks still run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_SECRET = "ab" * 32
BENCH_KEK = "kek-bench:" + "cd" * 32


class BenchTimeout(BaseException):
    """The benchmark ran past its hard time limit (BaseException: nothing swallows it)."""


def _finite(value: Any) -> Any:
    """Strict JSON: an infinite or undefined ratio (a round with no request done) becomes a
    string."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def emit(record: Mapping[str, Any]) -> None:
    """One JSON line on stdout."""
    print(json.dumps(_finite(dict(record)), default=str, allow_nan=False), flush=True)


def note(message: str) -> None:
    """Progress goes to stderr, so stdout stays JSON lines."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def hard_timeout(seconds: int) -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise BenchTimeout(f"benchmark exceeded its hard limit of {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def load1() -> float:
    """The 1-minute load average (the machine is shared: recorded next to every round)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def wait_for_quiet(max_wait: float, threshold: float = 1.0) -> None:
    """Wait up to ``max_wait`` seconds for the 1-minute load average to drop below
    ``threshold`` (other jobs on a shared box make every figure noisier)."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline and load1() >= threshold:
        note(f"waiting for a quieter machine (load {load1():.2f})")
        time.sleep(min(15.0, max(0.0, deadline - time.monotonic())))


# --- databases ------------------------------------------------------------------------------


def pg_url(url: str) -> str:
    """The psycopg 3 dialect for a plain ``postgresql://`` URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextlib.contextmanager
def temp_database(tmp: Path, label: str, base_url: str | None) -> Iterator[str]:
    """A SQLite file in ``tmp``, or a new PostgreSQL database on ``base_url``'s server that is
    dropped afterwards."""
    if not base_url:
        yield f"sqlite:///{tmp / f'{label}.db'}"
        return
    from sqlalchemy import create_engine, make_url, text

    url = make_url(pg_url(base_url))
    name = f"bench_{label}_{secrets.token_hex(4)}".lower()
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def bench_env(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The PORTAL_* variables of a benchmark instance (fixed test keys, loopback hosts)."""
    return {
        "PORTAL_INSTANCE_DIR": str(tmp),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": BENCH_SECRET,
        "PORTAL_KEK": BENCH_KEK,
        "PORTAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Long enough that the benchmark's session never idles out between rounds.
        "PORTAL_SESSION_IDLE_MINUTES": "60",
        **extra,
    }


def bench_settings(tmp: Path, database_url: str, **extra: str) -> Any:
    from portal.settings import Settings

    return Settings.from_env(bench_env(tmp, database_url, **extra))


def db_kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


# --- statistics -----------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Sequence[float], digits: int = 3) -> dict[str, float]:
    """Median with min and max (how every ratio is reported)."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A uvicorn server on loopback, in its own process group so it can be stopped whole."""

    label: str
    factory: str
    workers: int
    env: dict[str, str]
    log_dir: Path
    ready_path: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # The same options as `portal serve` (portal/cli.py): the app factory, uvicorn's default
        # loop/http (uvloop + httptools when installed), no server header, no access log.
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-server-header",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        env = {**os.environ, **self.env, "PYTHONPATH": str(REPO)}
        log = (self.log_dir / f"{self.label}.log").open("wb")
        try:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self.wait_ready()

    def wait_ready(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        successes = 0
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited early:\n{self.log_tail()}")
            try:
                status, _ = http_get(self.base + self.ready_path, timeout=2)
                if status == 200:
                    successes += 1
                    if successes >= 20:  # with 2 workers, give both time to come up
                        time.sleep(0.5)
                        return
                    continue
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} did not become ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        path = self.log_dir / f"{self.label}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def http_get(
    url: str, *, headers: Mapping[str, str] | None = None, timeout: float = 10
) -> tuple[int, str]:
    """GET without following redirects: (status, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - loopback
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode("utf-8", "replace")


# --- wrk ------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rps is None or total is None:
        raise RuntimeError(f"wrk output not understood:\n{output}")
    latencies = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": round(float(rps.group(1)), 1),
        "requests": int(total.group(1)),
        "p50_ms": round(_ms(latencies["50"]), 3),
        "p90_ms": round(_ms(latencies["90"]), 3),
        "p99_ms": round(_ms(latencies["99"]), 3),
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


def run_wrk(
    url: str,
    *,
    connections: int,
    duration: float,
    threads: int | None = None,
    headers: Mapping[str, str] | None = None,
    script: Path | None = None,
) -> dict[str, Any]:
    """One bounded wrk run against a loopback URL."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load generators target loopback only")
    threads = threads or min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr}\n{result.stdout}")
    return parse_wrk(result.stdout)


def random_path_script(path: Path, paths: Sequence[str]) -> Path:
    """A wrk Lua script that requests a random path from ``paths`` each time."""
    body = ",\n".join(json.dumps(p) for p in paths)
    path.write_text(
        "local paths = {\n"
        + body
        + "\n}\n"
        + "local n = #paths\n"
        + "init = function(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end\n"
        + "request = function() return wrk.format(nil, paths[math.random(n)]) end\n"
    )
    return path


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import platform
    import sqlite3

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        info["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    return info
