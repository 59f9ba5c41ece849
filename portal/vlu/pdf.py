"""The letter as a PDF, with no new dependency: the portal's small text-only PDF writer
(portal.special_measures.pdf: standard Helvetica, nothing embedded, no metadata, so no personal
data in the file's properties). Same text as the printable page."""

from __future__ import annotations

from portal.special_measures.pdf import _Writer


def letter_pdf(*, unit_name: str, dated: str, text: str) -> bytes:
    writer = _Writer()
    writer.text("OFFICIAL-SENSITIVE", size=9, bold=True, after=8)
    writer.text(unit_name, size=11, bold=True, after=2)
    writer.text(dated, after=14)
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            writer.text(paragraph.strip(), after=8)
    return writer.render()
