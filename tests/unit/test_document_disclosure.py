"""The disclosure check's reading and matching, without a database: names split over lines, in
capitals, with and without accents, in Word tables and in PDF text, located by page and line,
never returning the value."""

from __future__ import annotations

import io
import uuid
from datetime import date

import docx
import pypdf

from portal.anonymity.identity import build_matcher
from portal.documents.disclosure import check
from portal.documents.extract import DOCX, PDF, TEXT, parts_of
from portal.rendering import Document, render

SEALED = build_matcher(
    uuid.uuid4(),
    "W-7XD4",
    {
        "full_name": "Zoë Łukasiewicz-Brennan",
        "address": "14 Larch Close\nLeeds LS6 2AB",
        "phone": "07700 900456",
        "date_of_birth": date(1994, 3, 7).isoformat(),
    },
)
ADDRESS_ONLY = build_matcher(uuid.uuid4(), "V-1234", {"address": "9 Quiet Lane, Hideaway HX1 1AA"})
MATCHERS = [(SEALED, True), (ADDRESS_ONLY, False)]


def _found(content_type: str, data: bytes) -> list[tuple[str, str, bool]]:
    parts = parts_of(content_type, data)
    assert parts is not None
    return [(f.kind, f.location, f.sealed_identity) for f in check(MATCHERS, parts)]


def test_a_name_split_over_lines_in_capitals_without_accents_is_found() -> None:
    text = "Statement of witness\nI saw ZOE\nLUKASIEWICZ-BRENNAN at the door.\n"
    assert _found(TEXT, text.encode()) == [("name", "line 2", True)]


def test_accents_and_the_surname_alone_are_found_but_the_value_is_never_returned() -> None:
    text = "line one\nline two\nMs Łukasiewicz rang from 07700900456 on 7th March 1994.\n"
    found = check(MATCHERS, parts_of(TEXT, text.encode()) or [])
    assert {(f.kind, f.location) for f in found} == {
        ("name", "line 3"),
        ("phone", "line 3"),
        ("date_of_birth", "line 3"),
    }
    assert "Łukasiewicz" not in repr(found) and "07700" not in repr(found)


def test_a_name_hyphenated_over_a_line_break_is_found_where_it_starts() -> None:
    text = "Statement\nI saw Łukasie-\nwicz there.\nAnd Brennan-\nlater too.\n"
    assert _found(TEXT, text.encode()) == [("name", "line 2", True), ("name", "line 4", True)]


def test_a_victims_address_is_found_but_not_their_name() -> None:
    text = "The victim lives at 9 quiet lane,\nHideaway.\n"
    assert _found(TEXT, text.encode()) == [("address", "line 1", False)]


def test_text_without_protected_information_is_clear() -> None:
    # A name part alone counts only when capitalised (names such as Hope or Brown are words).
    text = "The larch tree near the close; zoe and brennan in lower case are words, not names."
    assert _found(TEXT, text.encode()) == []


def test_word_tables_headers_and_paragraphs_are_read() -> None:
    document = docx.Document()
    document.add_paragraph("Witness statement (MG11)")
    document.add_paragraph("Nothing to see here.")
    document.add_paragraph("The caller gave the postcode ls62ab.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Name"
    table.cell(0, 1).text = "Zoe Lukasiewicz"
    table.cell(1, 0).text = "Address"
    table.cell(1, 1).text = "14 Larch Close"
    document.sections[0].header.paragraphs[0].text = "Tel 07700 900 456"
    out = io.BytesIO()
    document.save(out)
    found = _found(DOCX, out.getvalue())
    assert ("address", "paragraph 3", True) in found
    assert ("name", "table 1, row 1, cell 2", True) in found
    assert ("address", "table 1, row 2, cell 2", True) in found
    assert ("phone", "section 1 header", True) in found


def test_pdf_text_is_found_on_its_page_and_line() -> None:
    doc = Document(title="Witness statement")
    doc.heading("Witness statement", level=1)
    doc.paragraph("First page.")
    doc.paragraph("Filler. " * 1500)  # pushes what follows onto page 2
    doc.paragraph("Signed by\nZoë Łukasiewicz-Brennan")
    found = _found(PDF, render(doc))
    assert len(found) == 1
    kind, location, _ = found[0]
    assert kind == "name" and location.startswith("page 2, line ")


def test_a_scan_with_no_text_and_a_damaged_file_are_unreadable() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    assert parts_of(PDF, out.getvalue()) is None
    assert parts_of(PDF, b"%PDF-1.7\nnot really") is None
    assert parts_of(DOCX, b"PK\x03\x04 broken zip") is None
    assert parts_of(TEXT, b"   \n ") is None
