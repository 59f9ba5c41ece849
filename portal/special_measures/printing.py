"""The application as a PDF: the same content, and the same pseudonym rule, as the printable
page (``special_measures/document.html``), as blocks for the document engine
(``portal.rendering``: tagged PDF/UA-1, the names exactly as recorded)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.db.encrypted import Sensitive
from portal.rendering import Document, render


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Sensitive):
        return value.reveal()
    return str(value)


def _day(value: date | None, missing: str = "Not recorded") -> str:
    return f"{value.day} {value:%B %Y}" if value else missing


def _paragraphs(doc: Document, text: str, where: str, empty: str = "None given.") -> None:
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    for part in parts or [empty]:
        doc.paragraph(part, where=where)


def application_document(context: Mapping[str, Any]) -> Document:
    """The CrimPR Part 18 application, from the same context as the printable page."""
    app = context["application"]
    case = context["case"]
    texts = context["texts"]
    labels = context["measure_labels"]
    due = context["due"]
    doc = Document(title=f"Application for a special measures direction, case {case.urn}")
    doc.heading("Application for a special measures direction", level=1)
    doc.paragraph(
        "Criminal Procedure Rules Part 18; Youth Justice and Criminal Evidence Act 1999 s19",
        small=True,
    )
    doc.field("Court", f"{context['court']}: {case.court_name}")
    doc.field("Case reference (URN)", case.urn)
    doc.field("Defendants", ", ".join(_plain(d) for d in context["defendants"]) or "None recorded")
    prosecutor = context["prosecutor"]
    doc.field("Applicant", "The prosecution" + (f" ({prosecutor})" if prosecutor else ""))

    doc.heading("1. Hearing")
    doc.paragraph(
        "A hearing is wanted." if app.hearing_wanted else "The court may decide without a hearing."
    )

    doc.heading("2. Time limit")
    if due is not None and due.due is not None:
        doc.paragraph(
            f"Not-guilty plea: {_day(context['plea_on'])}. "
            f"Due by {_day(due.due)} ({due.limit} business days, {due.basis})."
        )
    else:
        doc.paragraph("No not-guilty plea is recorded.")
    if app.served_on:
        doc.paragraph(f"Served on {_day(app.served_on)}.")
    if context["late"]:
        doc.heading("This application is late. Why:", level=3)
        _paragraphs(
            doc, _plain(texts["late_reason"]), "The reason it is late", "No reason given yet."
        )

    doc.heading("3. Previous applications and what has changed")
    _paragraphs(doc, _plain(texts["previous_applications"]), "Previous applications", "None.")

    doc.heading("4. The witness")
    doc.field("Witness", _plain(context["witness"]))
    if context["sealed"]:
        doc.field(
            "Identity",
            "Withheld: an anonymity restriction applies. Details are for the court only.",
        )
    else:
        doc.field("Date of birth", _day(context["born"]))

    doc.heading("5. Eligibility")
    eligibility = context["eligibility"]
    if eligibility.grounds:
        doc.items([f"{f.text}: {f.explanation}" for f in eligibility.grounds], where="Eligibility")
    else:
        doc.paragraph("No ground is recorded.")
    rule = getattr(eligibility, "primary_rule", None)
    if rule is not None:
        doc.paragraph(f"{rule.label}: {rule.explanation}")
    doc.heading("Why the witness is eligible", level=3)
    _paragraphs(doc, _plain(texts["grounds"]), "Why the witness is eligible")

    doc.heading("6. Measures sought")
    doc.items([labels[code] for code in app.measure_codes], where="Measures sought")
    if "s24" in app.measure_codes:
        doc.field(
            "Live link: where the witness will be",
            _plain(texts["live_link_location"]),
            empty="Not recorded",
        )
    if "s28" in app.measure_codes:
        doc.field("Section 28 recording date", _day(app.cross_examination_on))
    if "s29" in app.measure_codes:
        doc.field(
            "Intermediary (Witness Intermediary Scheme)",
            f"Requested {_day(app.intermediary_requested_on)}; needed by "
            f"{_day(app.intermediary_needed_by)}; matched "
            f"{_day(app.intermediary_matched_on, 'not yet')}; "
            f"reference {_plain(texts['wis_reference']) or 'not recorded'}",
        )
    if "s30" in app.measure_codes:
        doc.field(
            "Aids to communication", _plain(texts["communication_aids"]), empty="Not recorded"
        )

    doc.heading("7. Why the measures would improve the quality of the witness's evidence")
    _paragraphs(doc, _plain(texts["quality_reasons"]), "Why the measures would help")

    doc.heading("8. The witness's views")
    _paragraphs(doc, _plain(texts["witness_views"]), "The witness's views")

    if app.decision:
        doc.heading("The court's decision")
        decided = f"{context['outcomes'][app.decision]} on {_day(app.decided_on)}."
        granted = [labels[c] for c in app.granted_codes]
        if granted:
            decided += " Directed: " + "; ".join(granted) + "."
        doc.paragraph(decided)
    doc.paragraph(f"Produced {_day(context['today'])}. OFFICIAL-SENSITIVE.", small=True)
    return doc


def application_pdf(context: Mapping[str, Any]) -> bytes:
    """The application as tagged PDF/UA-1. Raises ``portal.rendering.Unprintable``."""
    return render(application_document(context))
