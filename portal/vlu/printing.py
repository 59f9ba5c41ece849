"""The decision letter as a PDF: the same text as the printable page (``vlu/letter.html``),
through the document engine (``portal.rendering``: tagged PDF/UA-1, names exactly as written).
The file's title names the case, never the person."""

from __future__ import annotations

from portal.rendering import Document, render


def letter_document(*, unit_name: str, dated: str, text: str, urn: str) -> Document:
    doc = Document(title=f"Decision letter, case {urn}")
    doc.heading(unit_name, level=1)
    doc.paragraph(dated)
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            doc.paragraph(paragraph.strip(), where="The letter")
    return doc


def letter_pdf(*, unit_name: str, dated: str, text: str, urn: str) -> bytes:
    """Raises ``portal.rendering.Unprintable`` for a character the fonts cannot draw."""
    return render(letter_document(unit_name=unit_name, dated=dated, text=text, urn=urn))
