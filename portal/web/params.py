"""Numbers from a request, parsed in one place (issue 12 point 7).

A number is ASCII digits only (``str.isdigit`` accepts ``²`` and other characters ``int()``
refuses, and ``\\d`` matches every script's digits), at most 18 of them (below SQLite's and
PostgreSQL's 64-bit limit), and within the bounds the caller gives.

* A parameter the portal itself put in a link or a hidden field (``page``, ``before``,
  ``version``) that is not such a number was not made by the portal: ``int_param`` answers
  400, rendered as the GOV.UK "there is a problem" page by the error handlers.
* A number a user types (a sample size, months of custody, the parts of a date) is checked
  with ``whole_number``, and a wrong one gets the form's own error message.

Text is checked once too, at the edge (``refuse_unstorable``): a query string or form holding
NUL (PostgreSQL cannot store or even compare it), a lone surrogate or a non-character was not
typed by anyone; the request answers 400 before any handler sees it.

``RequestContext.query_int``, ``form_int``, ``page_number`` and ``version`` are the handlers'
way in; nothing else in a route calls ``int()`` on what a request sent (a test checks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, overload

from starlette.exceptions import HTTPException

_DIGITS: Final = re.compile(r"[0-9]{1,18}")

MAX_PAGE: Final = 100_000
MAX_INTEGER: Final = 2**31 - 1  # an INTEGER column on PostgreSQL (versions, right numbers)
MAX_SEQUENCE: Final = 2**63 - 1  # a BIGINT (and SQLite's INTEGER)


class BadParameter(HTTPException):
    """A number in a link or hidden field that the portal could not have written."""

    def __init__(self) -> None:
        super().__init__(status_code=400)


def whole_number(text: str, *, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high``, or None if it is anything else."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


@overload
def int_param(raw: str | None, default: int, *, low: int, high: int) -> int: ...


@overload
def int_param(raw: str | None, default: None, *, low: int, high: int) -> int | None: ...


def int_param(raw: str | None, default: int | None, *, low: int, high: int) -> int | None:
    """A number the portal wrote into a link or form: ``default`` if absent or empty, the
    number if it is one within bounds, else ``BadParameter`` (400)."""
    if raw is None or raw == "":
        return default
    value = whole_number(raw, low=low, high=high)
    if value is None:
        raise BadParameter
    return value


_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")


def refuse_unstorable(items: Iterable[tuple[str, object]]) -> None:
    """``BadParameter`` (400) if any name or text value holds NUL, a lone surrogate or the
    non-characters U+FFFE and U+FFFF (uploaded files are not text and are not checked)."""
    for name, value in items:
        if _UNSTORABLE.search(name) or (isinstance(value, str) and _UNSTORABLE.search(value)):
            raise BadParameter
