"""The application as a PDF, with no new dependency: a small, text-only PDF 1.4 writer.

Standard Type 1 fonts (Helvetica, Helvetica-Bold) in WinAnsiEncoding, so nothing is embedded;
characters outside Windows-1252 print as "?". No document information dictionary is written, so
no personal data ends up in the file's metadata. Same content, and the same pseudonym rule, as
the printable page (``special_measures/document.html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.db.encrypted import Sensitive

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

# Helvetica advance widths (1/1000 em) for printable ASCII, from the standard AFM metrics.
_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]  # fmt: skip


def _width(text: str, size: float, bold: bool) -> float:
    units = sum(_WIDTHS[ord(c) - 32] if 32 <= ord(c) < 127 else 556 for c in text)
    return units * size / 1000 * (1.06 if bold else 1.0)


def _wrap(text: str, size: float, bold: bool) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if _width(candidate, size, bold) <= TEXT_WIDTH:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _width(word, size, bold) > TEXT_WIDTH:  # a very long word: break it
                cut = len(word)
                while cut > 1 and _width(word[:cut], size, bold) > TEXT_WIDTH:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


class _Writer:
    def __init__(self) -> None:
        self.pages: list[list[bytes]] = [[]]
        self.y: float = PAGE_HEIGHT - MARGIN

    def _line(self, text: str, size: float, bold: bool) -> None:
        leading = size * 1.35
        if self.y - leading < MARGIN:
            self.pages.append([])
            self.y = PAGE_HEIGHT - MARGIN
        self.y -= leading
        font = b"/F2" if bold else b"/F1"
        self.pages[-1].append(
            b"BT "
            + font
            + f" {size:g} Tf {MARGIN} {self.y:.2f} Td (".encode()
            + _escape(text)
            + b") Tj ET"
        )

    def text(self, text: str, *, size: float = 10.5, bold: bool = False, after: float = 4) -> None:
        for line in _wrap(text, size, bold):
            self._line(line, size, bold)
        self.y -= after

    def heading(self, text: str) -> None:
        self.y -= 6
        self.text(text, size=12.5, bold=True, after=2)

    def field(self, label: str, value: str) -> None:
        self.text(label, bold=True, after=0)
        self.text(value or "None given.")

    def render(self) -> bytes:
        objects: list[bytes] = []
        page_ids = []
        first_page = 5
        for index, _ in enumerate(self.pages):
            page_ids.append(first_page + 2 * index)
        objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
        kids = " ".join(f"{i} 0 R" for i in page_ids)
        objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
        for name in ("Helvetica", "Helvetica-Bold"):
            objects.append(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} "
                "/Encoding /WinAnsiEncoding >>".encode()
            )
        for index, commands in enumerate(self.pages):
            stream = b"\n".join(commands)
            objects.append(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                f"/Contents {page_ids[index] + 1} 0 R >>".encode()
            )
            objects.append(
                f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
            )
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode()
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Sensitive):
        return value.reveal()
    return str(value)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "Not recorded"


def application_pdf(context: Mapping[str, Any]) -> bytes:
    """The CrimPR Part 18 application, from the same context as the printable page."""
    app = context["application"]
    case = context["case"]
    texts = context["texts"]
    labels = context["measure_labels"]
    due = context["due"]
    w = _Writer()
    w.text("OFFICIAL-SENSITIVE", size=9, bold=True, after=8)
    w.text("Application for a special measures direction", size=16, bold=True, after=2)
    w.text(
        "Criminal Procedure Rules Part 18; Youth Justice and Criminal Evidence Act 1999 s19",
        size=9.5,
        after=10,
    )
    w.field("Court", f"{context['court']}: {case.court_name}")
    w.field("Case reference (URN)", case.urn)
    w.field("Defendants", ", ".join(_plain(d) for d in context["defendants"]) or "None recorded")
    w.field("Applicant", f"The prosecution ({context['prosecutor'] or 'prosecutor not recorded'})")

    w.heading("1. Hearing")
    w.text(
        "A hearing is wanted." if app.hearing_wanted else "The court may decide without a hearing."
    )

    w.heading("2. Time limit")
    if due is not None and due.due is not None:
        w.text(
            f"Not-guilty plea: {_day(context['plea_on'])}. "
            f"Due by {_day(due.due)} ({due.limit} business days)."
        )
    else:
        w.text("No not-guilty plea recorded.")
    if app.served_on:
        w.text(f"Served on {_day(app.served_on)}.")
    if context["late"]:
        w.field("This application is late. Why", _plain(texts["late_reason"]))

    w.heading("3. Previous applications and what has changed")
    w.text(_plain(texts["previous_applications"]) or "None.")

    w.heading("4. The witness")
    w.field("Witness", _plain(context["witness"]))
    if context["sealed"]:
        w.text(
            "Identity withheld: an anonymity restriction applies. Details are for the court only."
        )
    else:
        w.field("Date of birth", _day(context["born"]))

    w.heading("5. Eligibility")
    eligibility = context["eligibility"]
    for finding in eligibility.grounds:
        w.text(f"- {finding.text}: {finding.explanation}")
    if not eligibility.grounds:
        w.text("No ground is recorded.")
    w.field("Why the witness is eligible", _plain(texts["grounds"]))

    w.heading("6. Measures sought")
    for code in app.measure_codes:
        w.text(f"- {labels[code]}")
    if "s24" in app.measure_codes:
        w.field("Live link: where the witness will be", _plain(texts["live_link_location"]))
    if "s28" in app.measure_codes:
        w.field("Section 28 recording date", _day(app.cross_examination_on))
    if "s29" in app.measure_codes:
        w.field(
            "Intermediary (Witness Intermediary Scheme)",
            f"Requested {_day(app.intermediary_requested_on)}; needed by "
            f"{_day(app.intermediary_needed_by)}; matched {_day(app.intermediary_matched_on)}; "
            f"reference {_plain(texts['wis_reference']) or 'not recorded'}.",
        )
    if "s30" in app.measure_codes:
        w.field("Aids to communication", _plain(texts["communication_aids"]))

    w.heading("7. Why the measures would improve the quality of the witness's evidence")
    w.text(_plain(texts["quality_reasons"]))

    w.heading("8. The witness's views")
    w.text(_plain(texts["witness_views"]))

    if app.decision:
        w.heading("The court's decision")
        w.text(f"{context['outcomes'][app.decision]} on {_day(app.decided_on)}.")
        granted = [labels[c] for c in app.granted_codes]
        if granted:
            w.text("Directed: " + "; ".join(granted) + ".")
    return w.render()
