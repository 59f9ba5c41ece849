"""The text of an uploaded document, in parts that say where they are ("page 3", "table 1, row
2, cell 1"), for the disclosure check. PDF through pypdf (page by page), Word through
python-docx (paragraphs, tables, headers and footers), plain text as it is.

A document whose text cannot be read (a scan, an encrypted PDF, a damaged file) gives
``None``: the caller records that it needs a manual check, never that it is clear. Limits keep a
hostile file from exhausting the server: a Word file whose parts would unpack to more than
``MAX_UNPACKED`` is treated as unreadable, and at most ``MAX_PAGES`` pages are read (a longer
PDF is unreadable too, so nothing goes unchecked silently).
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

log = logging.getLogger("portal.documents")

MAX_PAGES = 500
MAX_UNPACKED = 60 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the document's text. ``where`` names it; ``unit`` is what its lines are called
    ("line" on a page, "paragraph" in a Word body; None in a table cell: the cell is enough)."""

    where: str
    text: str
    unit: str | None = "line"

    def locate(self, offset: int) -> str:
        if self.unit is None:
            return self.where
        number = self.text.count("\n", 0, offset) + 1
        return f"{self.where}, {self.unit} {number}" if self.where else f"{self.unit} {number}"


def _pdf(data: bytes) -> list[Part] | None:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted or len(reader.pages) > MAX_PAGES:
        return None
    parts = [
        Part(f"page {number}", page.extract_text() or "")
        for number, page in enumerate(reader.pages, start=1)
    ]
    return parts if any(p.text.strip() for p in parts) else None


def _docx(data: bytes) -> list[Part] | None:
    import docx

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            return None
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)
    parts = [Part("", body, unit="paragraph")] if body.strip() else []
    for t, table in enumerate(document.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            seen: set[int] = set()
            for c, cell in enumerate(row.cells, start=1):
                if id(cell._tc) in seen:  # a merged cell appears once per column it spans
                    continue
                seen.add(id(cell._tc))
                if cell.text.strip():
                    parts.append(Part(f"table {t}, row {r}, cell {c}", cell.text, unit=None))
    for s, section in enumerate(document.sections, start=1):
        for label, block in (("header", section.header), ("footer", section.footer)):
            text = "\n".join(p.text for p in block.paragraphs)
            if text.strip():
                parts.append(Part(f"section {s} {label}", text, unit=None))
    return parts if parts else None


def parts_of(content_type: str, data: bytes) -> list[Part] | None:
    """The document's text in parts, or None when none can be read."""
    try:
        if content_type == PDF:
            return _pdf(data)
        if content_type == DOCX:
            return _docx(data)
        if content_type == TEXT:
            text = data.decode("utf-8")
            return [Part("", text)] if text.strip() else None
    except Exception as exc:  # a damaged or hostile file: unreadable, not an error page
        log.info("document text could not be read (%s)", type(exc).__name__)
        return None
    return None
