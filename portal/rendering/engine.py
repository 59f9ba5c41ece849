"""Every PDF the portal makes, through one function: ``render(document)``.

Why typst: a self-contained wheel (no system libraries, fonts inside it), and it writes tagged
PDF/UA-1 itself (structure tree, ``/Lang``, the title shown in the window), so a screen reader
can read a letter sent to a blind victim. WeasyPrint would need Pango and system fonts that each
server installs differently.

* **Data, never markup.** A document is a list of blocks (headings, fields, paragraphs, lists)
  sent to one fixed template (``document.typ``) as JSON in ``sys.inputs``. The template inserts
  each string as text, so a name or a reason containing ``#``, ``*``, ``$`` or ``=`` prints as
  typed and can run nothing.
* **No name is lost.** Text is NFC-normalised and every character is checked against the fonts'
  coverage (``portal.rendering.fonts``) before anything is drawn; a character the fonts cannot
  draw stops the document with a message naming it (``Unprintable``), never a ``?`` or an empty
  box. typst's own PDF/UA-1 check refuses the same thing, as a second line.
* **Nothing from outside.** Only the fonts in the wheel (``ignore_system_fonts``), the template
  folder as typst's root, and no typst packages (a test fails if a template imports one).
* **No personal data in the file's properties.** The title is the caller's (a document kind and
  a case reference); no author is set.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import typst

from portal.kit.errors import GuardRefused
from portal.rendering.fonts import describe, unprintable

TEMPLATE = "document.typ"
LANGUAGE = "en-GB"
STANDARD: Final = "ua-1"


class Unprintable(GuardRefused):
    """A character of the document's text that its fonts cannot draw."""

    def __init__(self, char: str, where: str) -> None:
        self.char = char
        self.where = where
        super().__init__(
            "make the document",
            f"{where} contains {describe(char)}, which the document fonts cannot print, so the "
            "document was not made. The fonts cover Latin (with Welsh, Polish, Czech, Romanian "
            "and Turkish letters), Greek and Cyrillic. Correct the text, or record the name "
            "as the person writes it in one of those scripts, then try again.",
        )


class RenderingFailed(RuntimeError):
    """typst could not make the document for another reason: a bug in the template. The
    message never carries typst's own text, which may quote the document."""


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass
class Document:
    """A document being built: add blocks in reading order, then ``render`` it."""

    title: str
    marking: str = "OFFICIAL-SENSITIVE"
    blocks: list[dict[str, Any]] = dataclass_field(default_factory=list)
    _checks: list[tuple[str, str]] = dataclass_field(default_factory=list, repr=False)

    def _text(self, text: str, where: str) -> str:
        text = _clean(text)
        self._checks.append((text, where))
        return text

    def heading(self, text: str, *, level: int = 2) -> Document:
        self.blocks.append({"kind": "heading", "level": level, "text": self._text(text, text)})
        return self

    def field(self, label: str, value: str, *, empty: str = "None given.") -> Document:
        self.blocks.append(
            {
                "kind": "field",
                "label": self._text(label, label),
                "value": self._text(value or empty, f'"{label}"'),
            }
        )
        return self

    def paragraph(self, text: str, *, where: str = "The document", small: bool = False) -> Document:
        kind = "small" if small else "paragraph"
        self.blocks.append({"kind": kind, "text": self._text(text, where)})
        return self

    def items(self, items: list[str], *, where: str = "A list") -> Document:
        self.blocks.append({"kind": "list", "items": [self._text(i, where) for i in items]})
        return self

    def payload(self) -> dict[str, Any]:
        return {
            "title": self._text(self.title, "The title"),
            "marking": self._text(self.marking, "The protective marking"),
            "blocks": self.blocks,
        }


_TYPST_GLYPH = re.compile(r"the text `\"(.+?)\"` could not be displayed")


def _template_folder() -> Path:
    return Path(str(resources.files(__package__)))


def render(document: Document) -> bytes:
    """The document as a tagged PDF/UA-1 file in British English. Raises ``Unprintable``."""
    payload = document.payload()
    for text, where in document._checks:
        char = unprintable(text)
        if char is not None:
            raise Unprintable(char, where)
    folder = _template_folder()
    try:
        pdf = typst.compile(
            folder / TEMPLATE,
            root=folder,
            ignore_system_fonts=True,
            sys_inputs={"data": json.dumps(payload, ensure_ascii=False)},
            pdf_standards=[STANDARD],
            pdf_tags=True,
        )
    except typst.TypstError as exc:
        found = _TYPST_GLYPH.search(exc.message or "")
        if found:
            raise Unprintable(found.group(1)[0], "The document") from None
        raise RenderingFailed("typst could not make the document") from None
    return pdf
