"""Serving the application on the court and every other party (prosecutors); after the
deadline a reason is required (CrimPR: a late application must explain why it is late)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.cases.errors import ValidationFailed
from portal.people.models import Person
from portal.special_measures.models import SpecialMeasuresApplication
from portal.special_measures.service import lookup
from portal.special_measures.service.reading import is_late
from portal.special_measures.service.recording import (
    TEXT_LIMIT,
    check_text,
    check_version,
    move,
)
from portal.special_measures.states import Action, State, TransitionRefused, check
from portal.victims_code.deadlines import DueDate


def serve(
    unit: Unit,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    served_on: date | None,
    due: DueDate | None,
    late_reason: str,
    today: date,
    expected_version: int | None = None,
) -> None:
    """Serve on the court and every other party. After the deadline, a reason is required
    (CrimPR: a late application must explain why it is late)."""
    db, vault, actor = unit.db, unit.vault, unit.actor
    check(Action.SERVE, State(application.state), actor)
    errors: dict[str, str] = {}
    if served_on is None:
        errors["served_on"] = "Enter the date the application was served"
    elif served_on > today:
        errors["served_on"] = "The date served must be today or in the past"
    reason = late_reason.strip() or (vault.open_text(application, "late_reason") or "").strip()
    if served_on is not None and is_late(served_on, due) and not reason:
        assert due is not None
        assert due.due is not None
        errors["late_reason"] = (
            f"Explain why the application is late: it was due by {due.due.day} {due.due:%B %Y}"
        )
    check_text(errors, "late_reason", late_reason, "The reason", TEXT_LIMIT)
    errors |= case_text_errors(
        db, vault, application.case_id, {"late_reason": ("The reason", late_reason)}
    )
    if errors:
        raise ValidationFailed(errors)
    check_version(application, expected_version)
    application.served_on = served_on
    application.due_on = due.due if due else None
    if late_reason.strip():
        vault.put(application, "late_reason", late_reason.strip())
    move(db, actor, application, Action.SERVE, person, fields=("served_on", "due_on"))


# --- the page and its save (through the request's unit) -------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ServePage(lookup.DeadlineFormPage):
    """The serve form: the application and its deadline, nothing more."""


def serve_page(
    unit: Unit, case_id: uuid.UUID, application_id: uuid.UUID, *, first: bool = True
) -> ServePage:
    """The serve form; ``first``: its first showing (only a draft can be served; logged)."""
    application, case, _, person = lookup.application(unit, case_id, application_id)
    today = lookup.today()
    initial: dict[str, Any] = {}
    if first:
        if application.state != State.DRAFTED:
            raise TransitionRefused(Action.SERVE, State(application.state))
        initial = {
            "late_reason": unit.vault.open_text(application, "late_reason") or "",
            "version": application.version,
            "served_on": today,
        }
        lookup.form_viewed(unit, "serve_view", application, case, person)
    return lookup.form_page(
        ServePage,
        unit,
        case,
        person,
        initial,
        application=application,
        **lookup.deadline_shown(unit.db, case, today),
    )


def serve_application(
    unit: Unit,
    case_id: uuid.UUID,
    application_id: uuid.UUID,
    *,
    served_on: date | None,
    late_reason: str,
    expected_version: int | None,
) -> None:
    application, case, _, person = lookup.application(unit, case_id, application_id)
    _, due = lookup.deadline_of(unit.db, case)
    serve(
        unit,
        application,
        person,
        served_on=served_on,
        due=due,
        late_reason=late_reason,
        today=lookup.today(),
        expected_version=expected_version,
    )
