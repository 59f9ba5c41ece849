"""Application logging: one record is one line, whatever a request or an exception contained.

Log lines carry ids, never personal data (security.md 1.9), and request lines carry the path
without its query string. Values in a log line can still come from outside (a request path, a
header, an exception message), so escaping is done once, in the formatter, for every record of
every logger the portal configures: no log call can forget it (issue 12 point 5, ASVS 16.4.1).

Escaped: C0/C1 control characters (CR, LF, NUL, ESC...), DEL, the Unicode line and paragraph
separators, format characters (bidirectional overrides, zero-width characters) and unassigned or
surrogate code points, written as ``\\xNN``/``\\uNNNN``; a backslash is doubled so an escape
sequence that was sent literally cannot pass for one the formatter wrote. A traceback is escaped
too, so it stays on its record's line.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

# Everything but printable ASCII other than the backslash is looked at more closely.
_SUSPECT = re.compile(r"[^\x20-\x5b\x5d-\x7e]")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str) -> str:
    """``text`` with every character that could end, forge or disguise a log line escaped."""
    return _SUSPECT.sub(_escape_one, text)


class EscapingFormatter(logging.Formatter):
    """A formatter whose output is one line with nothing unescaped in it."""

    def __init__(self, fmt: str = FORMAT, datefmt: str = DATE_FORMAT, **kwargs: Any) -> None:
        super().__init__(fmt, datefmt, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return escape(super().format(record))


def configure_logging() -> None:
    """Portal logs go to stderr with time, level and logger, escaped by ``EscapingFormatter``."""
    logger = logging.getLogger("portal")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(EscapingFormatter())
        logger.addHandler(handler)
        logger.propagate = False


def server_log_config() -> dict[str, Any]:
    """uvicorn's own loggers (and anything else that reaches the root logger) formatted the
    same way. The access log stays off (``portal.access`` logs requests without query strings);
    should it be turned on, its lines are escaped too."""
    formatter = {"()": f"{__name__}.EscapingFormatter", "fmt": FORMAT, "datefmt": DATE_FORMAT}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "escaped",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"escaped": formatter},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
