"""The decision letter as a PDF: the same letter as the printable page (``vlu/letter.html``),
laid out from the same ``LetterLayout`` (letterhead, the unit's contact details, the address
block, the date and the reference), through the document engine (``portal.rendering``: tagged
PDF/UA-1, names exactly as written). The victim's copy carries no protective marking. The
file's title names the case, never the person."""

from __future__ import annotations

from portal.rendering import Document, render
from portal.vlu.letter_layout import LetterLayout


def letter_document(layout: LetterLayout, *, text: str, urn: str) -> Document:
    doc = Document(title=f"Decision letter, case {urn}", marking=layout.marking)
    doc.heading(layout.letterhead, level=1)
    sender = "\n".join((*layout.unit.address, *layout.contact_lines))
    doc.paragraph(sender, where="The unit's contact details")
    if layout.recipient.lines:
        doc.paragraph("\n".join(layout.recipient.lines), where="The address")
    doc.paragraph(layout.dated)
    doc.paragraph(f"Our reference: {layout.reference}", where="The reference")
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            doc.paragraph(paragraph.strip(), where="The letter")
    return doc


def letter_pdf(layout: LetterLayout, *, text: str, urn: str) -> bytes:
    """Raises ``portal.rendering.Unprintable`` for a character the fonts cannot draw."""
    return render(letter_document(layout, text=text, urn=urn))
