"""One formula-injection guard for every CSV export (portal.kit.csvsafe, portal.web.downloads)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from portal.kit.csvsafe import CsvTable, defuse, is_dangerous
from portal.web.downloads import attachment, csv_response

OWASP = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd"]
STRICTER = ["\ncmd", "\0cmd", "＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "﹢1", "﹣1", "﹫x"]
HARMLESS = ["", "Right 6", "P-ABC123", "a=b", "1-2", " =1", "'quoted", "−1 (a minus sign)"]


@pytest.mark.parametrize("text", OWASP + STRICTER)
def test_text_that_could_start_a_formula_is_defused(text: str) -> None:
    assert is_dangerous(text)
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text: str) -> None:
    assert not is_dangerous(text)
    assert defuse(text) == text


def test_numbers_dates_and_none() -> None:
    assert defuse(-5) == -5
    assert defuse(-0.5) == -0.5
    assert defuse(Decimal("-1.50")) == Decimal("-1.50")
    assert defuse(True) == "True"
    assert defuse(None) == ""
    assert defuse(date(2026, 3, 1)) == "2026-03-01"
    assert defuse(datetime(2026, 3, 1, 9, 30, tzinfo=UTC)) == "2026-03-01T09:30:00+00:00"
    identifier = uuid.UUID(int=1)
    assert defuse(identifier) == str(identifier)


def test_the_table_quotes_every_cell_and_reads_back() -> None:
    table = CsvTable(["name", "count"])
    table.add(['=HYPERLINK("http://x")', 3])
    table.add(["a;=1+1, b", -2])
    assert table.rows == 2
    lines = table.text.split("\r\n")
    assert lines[0] == '"name","count"'
    assert lines[1] == '"\'=HYPERLINK(""http://x"")","3"'
    assert lines[2] == '"a;=1+1, b","-2"'
    assert list(csv.reader(io.StringIO(table.text)))[1] == ['\'=HYPERLINK("http://x")', "3"]


def test_a_row_must_fit_the_header() -> None:
    table = CsvTable(["a", "b"])
    with pytest.raises(ValueError, match="2"):
        table.add([1])
    table.extend([[1, 2], [3, 4]])
    assert table.rows == 2


def test_the_header_is_defused_too() -> None:
    assert CsvTable(["-minus"]).text == '"\'-minus"\r\n'


def test_csv_response_is_an_uncached_attachment() -> None:
    table = CsvTable(["a"])
    table.add(["x"])
    response = csv_response(table, "access-log.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="access-log.csv"'
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-row-count"] == "1"
    assert response.body == b'"a"\r\n"x"\r\n'


@pytest.mark.parametrize(
    "name", ["", "../etc.csv", 'a".csv', "a b.csv", "naïve.csv", "a\r\nSet-Cookie: x.csv"]
)
def test_download_names_are_plain(name: str) -> None:
    with pytest.raises(ValueError, match="safe download name"):
        attachment(name)


def test_a_csv_download_ends_in_csv() -> None:
    with pytest.raises(ValueError, match=".csv"):
        csv_response(CsvTable(["a"]), "report.txt")
