"""Reading the portal's PDFs back as a person's tools would: the text a screen reader or a copy
and paste gets (pypdf), and the marks that make a file accessible.

No veraPDF here: it is a Java program distributed from its own site, not from PyPI, npm or
Debian, so it cannot be installed on these machines. ``assert_accessible`` checks what veraPDF's
PDF/UA-1 profile would check first and what typst controls (the structure tree, marked content,
the language, the displayed title, the PDF/UA identification in the XMP metadata); typst itself
refuses to write a PDF/UA-1 file that breaks its rules (an undrawable character, a missing title).
"""

from __future__ import annotations

import io
import re
import unicodedata

import pypdf
from pypdf.generic import DictionaryObject


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All pages' text, NFC, with runs of white space as one space (lines joined)."""
    pages = [page.extract_text() or "" for page in reader(data).pages]
    text = unicodedata.normalize("NFC", "\n".join(pages))
    return re.sub(r"\s+", " ", text)


def assert_accessible(data: bytes, title: str) -> None:
    pdf = reader(data)
    root = pdf.trailer["/Root"]
    assert isinstance(root, DictionaryObject)
    assert root.get("/Lang") == "en-GB"
    tree = root.get("/StructTreeRoot")
    assert tree is not None and tree.get_object().get("/K"), "no structure tree"
    mark = root.get("/MarkInfo")
    assert mark is not None and mark.get_object().get("/Marked") == True  # noqa: E712 (a pypdf BooleanObject), "not marked as tagged"
    preferences = root.get("/ViewerPreferences")
    assert preferences is not None and preferences.get_object().get("/DisplayDocTitle") == True  # noqa: E712
    assert pdf.metadata is not None and pdf.metadata.title == title
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp and re.search(r"pdfuaid:part(>|=\")1", xmp), "not PDF/UA-1"
    assert pdf.metadata.author is None
