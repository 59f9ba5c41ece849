"""CSV for spreadsheets, with one formula-injection guard for every export.

    table = CsvTable(["seq", "recipient"])
    table.add([1, '=HYPERLINK("x")'])       # written as 1, "'=HYPERLINK(""x"")"
    table.text, table.rows                 # the file's text, and how many data rows it has

A spreadsheet treats a cell that starts with a formula character as a formula, so text typed by
one person can run in another's spreadsheet (OWASP "CSV Injection"). The guard is OWASP's set,
made a little stricter:

* a text cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR (OWASP's list) gets a leading
  ``'``, which spreadsheets read as "this is text" and do not show;
* so does one starting with LF or NUL: neither belongs at the start of a value, and the old
  audit exporter already defused NUL, so nothing it guarded is guarded less;
* the check is made on the NFKC form of the first character, so full-width and small forms
  (``＝``, ``＋``, ``﹣``, ``＠``...) are caught too. Spreadsheets in East Asian locales and some
  import paths fold these to their ASCII forms; defusing them costs an apostrophe on text that
  has no business starting with them;
* numbers (``int``, ``float``, ``Decimal``, not ``bool``) are written as they are, so ``-5``
  stays a number: they cannot carry a formula, and they are never typed in by a user;
* every cell is quoted (``QUOTE_ALL``), so a separator inside a value (``,`` or the ``;`` some
  locales use) can never start a new cell that then begins with a formula character.

``defusedcsv`` was considered: it does not defuse TAB or CR (OWASP's list) and rewrites ``|``
inside values, so one small, tested function is kept here instead.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0")


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as the start of a formula."""
    if not text:
        return False
    first = text[0]
    return first in FORMULA_TRIGGERS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_TRIGGERS


def defuse(value: object) -> str | int | float | Decimal:
    """One cell, safe to open in a spreadsheet: ``None`` is empty, numbers stay numbers, dates
    are ISO 8601, and text that could start a formula is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "'" + text if is_dangerous(text) else text


class CsvTable:
    """A CSV file built in memory: a header row, then data rows, every cell defused."""

    def __init__(self, header: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        self._writer.writerow([defuse(name) for name in header])
        self.columns = len(header)
        self.rows = 0

    def add(self, row: Sequence[object]) -> None:
        if len(row) != self.columns:
            raise ValueError(f"a row of {len(row)} cells under a header of {self.columns}")
        self._writer.writerow([defuse(value) for value in row])
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.add(row)

    @property
    def text(self) -> str:
        return self._buffer.getvalue()
