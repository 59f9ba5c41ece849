"""Issue 12 point 5: nothing a request sends can write a forged line into the log."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from portal.logs import EscapingFormatter, escape, server_log_config

FORGED = "2026-01-01T00:00:00+0000 INFO portal.access POST /admin/users/new 303 request_id=x"


@pytest.fixture
def portal_log(app) -> Iterator[io.StringIO]:
    """What the portal's own log handler writes (as `portal serve` would on stderr)."""
    handlers = logging.getLogger("portal").handlers
    assert handlers, "create_app configures the portal log handler"
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers if isinstance(h, logging.StreamHandler)]
    try:
        yield stream
    finally:
        for handler, old in zip(handlers, previous, strict=False):
            if isinstance(handler, logging.StreamHandler) and old is not None:
                handler.setStream(old)


@pytest.mark.parametrize(
    "path",
    [
        f"/nowhere%0D%0A{FORGED}",
        f"/nowhere%0A{FORGED}",
        f"/nowhere%0D{FORGED}",
        f"/nowhere%00%1B[2K%E2%80%A8{FORGED}",
    ],
)
def test_a_request_path_cannot_forge_a_log_line(
    client: TestClient, portal_log: io.StringIO, path: str
) -> None:
    response = client.get(path, follow_redirects=False)  # nobody signed in
    assert response.status_code in {303, 404}
    written = portal_log.getvalue()
    lines = written.splitlines()
    access = [line for line in lines if " portal.access " in line]
    assert len(access) == 1, written  # one request, one line
    assert access[0].split(" portal.access ", 1)[1].startswith("GET /nowhere")
    assert FORGED in access[0]  # the forged text is there, but inside the real line
    assert not any(line.startswith("2026-01-01") for line in lines)
    for char in "\r\x00\x1b\u2028\x85":
        assert char not in written


def test_escape_keeps_text_readable_and_unambiguous() -> None:
    assert escape("GET /cases 200") == "GET /cases 200"
    assert escape("a\r\nb\x00c\x7fd") == "a\\x0d\\x0ab\\x00c\\x7fd"
    assert escape("\u2028\u202e\u200b\x85") == "\\u2028\\u202e\\u200b\\x85"
    assert escape("already\\x0a") == "already\\\\x0a"  # a sent escape cannot pass for ours
    assert escape("Zoë Ødegaard 日本") == "Zoë Ødegaard 日本"  # printable text is left alone


def test_every_part_of_a_record_is_escaped_tracebacks_included() -> None:
    formatter = EscapingFormatter()
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "portal.x", logging.ERROR, __file__, 1, "got %s", ("one\r\ntwo",), sys.exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line
    assert "got one\\x0d\\x0atwo" in line
    assert "ValueError: bad\\x0avalue" in line


def test_uvicorn_and_root_loggers_use_the_escaping_formatter() -> None:
    """`portal serve` hands this to uvicorn: its own loggers (and its access log, were it ever
    turned on) and the root logger write through the same formatter."""
    config = server_log_config()
    assert {f["()"] for f in config["formatters"].values()} == {"portal.logs.EscapingFormatter"}
    assert all(h["formatter"] in config["formatters"] for h in config["handlers"].values())
    for name in ("uvicorn", "uvicorn.access"):
        assert config["loggers"][name]["handlers"]
    assert config["root"]["handlers"]
