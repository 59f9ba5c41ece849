"""The application document (CrimPR Part 18): the printable page and the same content as a
PDF (``portal.special_measures.printing``), with the pseudonym rule for sealed identities."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from portal.accounts.unit import Unit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound
from portal.cases.reference import CourtType
from portal.rendering import Unprintable
from portal.special_measures.eligibility import MEASURES
from portal.special_measures.printing import application_pdf
from portal.special_measures.service import lookup
from portal.special_measures.service.reading import born_on, late_now
from portal.special_measures.states import Outcome, State


def document_context(unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID) -> dict[str, Any]:
    """Everything the document shows: the names the template and the PDF writer read."""
    application, case, party, person = lookup.application(unit, case_id, application_id)
    if person.erased:
        raise CaseNotFound(case.id)
    vault = unit.vault
    today = lookup.today()
    plea_on, due = lookup.deadline_of(unit.db, case)
    eligibility = lookup.witness_eligibility(
        unit, case, party, person, on=today, hearing_on=application.decided_on
    )
    sealed = person.identity_sealed
    born = None if sealed else born_on(vault, person)
    defendants = cases_repo.defendants_of(unit.db, case)
    late = (
        application.served_on is not None
        and application.due_on is not None
        and application.served_on > application.due_on
    ) or (application.served_on is None and late_now(due, today))
    return {
        "case": case,
        "court": CourtType(case.court_type).label,
        "measure_labels": MEASURES,
        "states": State.labels(),
        "outcomes": Outcome.labels(),
        "application": application,
        "person": person,
        "witness": f"Witness {person.reference}" if sealed else vault.open(person, "full_name"),
        "sealed": sealed,
        "born": born,
        "texts": lookup.texts_of(vault, application),
        "eligibility": eligibility,
        "plea_on": plea_on,
        "due": due,
        "late": late,
        "defendants": [vault.open(d, "full_name") for d in defendants],
        "prosecutor": lookup.staff(unit.db, {case.prosecutor_id}).get(case.prosecutor_id),
        "today": today,
    }


def document_page(unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID) -> dict[str, Any]:
    """The printable page (logged)."""
    context = document_context(unit, case_id, application_id)
    _viewed(unit, context)
    return context


@dataclass(frozen=True, slots=True)
class PrintedApplication:
    """The PDF, or why it cannot be printed (a character the fonts cannot draw)."""

    case_id: uuid.UUID
    application_id: uuid.UUID
    filename: str
    body: bytes | None = None
    refused: str | None = None


def document_pdf(unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID) -> PrintedApplication:
    """The application as tagged PDF/UA-1 (logged, with the field ``pdf``)."""
    context = document_context(unit, case_id, application_id)
    _viewed(unit, context, fields=("pdf",))
    case, person, application = context["case"], context["person"], context["application"]
    name = f"special-measures-{case.urn}-{person.reference}.pdf"
    try:
        body = application_pdf(context)
    except Unprintable as exc:
        return PrintedApplication(case.id, application.id, name, refused=exc.reason)
    return PrintedApplication(case.id, application.id, name, body=body)


def _viewed(unit: Unit, context: dict[str, Any], *, fields: tuple[str, ...] = ()) -> None:
    lookup.form_viewed(
        unit, "document", context["application"], context["case"], context["person"], fields=fields
    )
