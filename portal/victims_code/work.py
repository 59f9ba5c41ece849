"""The Victims' Code pages as use cases, one call per request (My work: portal.home.work, on
the queries of portal.victims_code.work_queue; the victim's rights page:
portal.victims_code.rights): an obligation's page and its changes (told, closed without meeting
it, reopened) and the auditor's data check of "told" records. Each loads through the case scope,
audits what it shows, and returns what the template renders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.cases.models import Case
from portal.people.models import Person
from portal.victims_code import lifecycle, repository, told_check
from portal.victims_code.calendar import ENGLAND_AND_WALES, today_in_england_and_wales
from portal.victims_code.lifecycle import CHANNELS, Status, status
from portal.victims_code.models import Obligation
from portal.victims_code.rules import Entitlement, RulesVersion
from portal.victims_code.service import entitlement_of, explain, rules_version


def today_and_soon() -> tuple[date, date]:
    """Today in England and Wales, and five working days from it."""
    today = today_in_england_and_wales()
    return today, ENGLAND_AND_WALES.add_working_days(today, 5)


def _consulted(
    unit: Unit, action: str, shown: tuple[str, uuid.UUID], case: Case, person: Person
) -> None:
    """A page about one person was shown: ``shown`` is (object type, id)."""
    where = (*shown, case.id)
    audit.record_in_case(unit.db, unit.actor, "consultation", action, where, person=person)


# --- one obligation -------------------------------------------------------------------------


def _reasons(rules: RulesVersion, use: str) -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in rules.reasons_for(use)]


@dataclass(frozen=True, slots=True)
class ObligationPage:
    obligation: Obligation
    entitlement: Entitlement
    explanation: str
    status: Status
    case: Case
    person: Person
    name: Any
    evidence: Any
    reason: Any
    met_by_name: str | None
    channels: list[tuple[str, str]]
    channel_labels: dict[str, str]
    met_by: str | None
    late_reasons: list[tuple[str, str]]
    not_met_reasons: list[tuple[str, str]]
    reason_labels: dict[str, str]
    may_change: bool

    def context(self) -> dict[str, Any]:
        """The template's variables, one per field."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def obligation_view(unit: Unit, obligation_id: uuid.UUID) -> ObligationPage:
    """What the obligation page shows (no audit entry: the page after a refused change)."""
    obligation, _, person, case = repository.get_obligation(unit.db, unit.actor, obligation_id)
    today, _ = today_and_soon()
    met_by = None
    if obligation.met_by_id:
        met_by = repository.display_name(unit.db, obligation.met_by_id)
    rules = rules_version(obligation.rules_version)
    vault = unit.vault
    return ObligationPage(
        obligation=obligation,
        entitlement=entitlement_of(obligation),
        explanation=explain(obligation),
        status=status(obligation, today),
        case=case,
        person=person,
        name=vault.open(person, "full_name"),
        evidence=vault.open(obligation, "evidence"),
        reason=vault.open(obligation, "reason"),
        met_by_name=met_by,
        channels=lifecycle.told_options(vault, obligation, person),
        channel_labels=CHANNELS,
        met_by=entitlement_of(obligation).met_by,
        late_reasons=_reasons(rules, "late"),
        not_met_reasons=_reasons(rules, "not_met"),
        reason_labels={r.code: r.label for r in rules.good_reasons},
        may_change=lifecycle.may_change(unit.actor, obligation),
    )


def obligation_page(unit: Unit, obligation_id: uuid.UUID) -> ObligationPage:
    """The obligation page, audited as a consultation of the person it is owed to."""
    page = obligation_view(unit, obligation_id)
    _consulted(unit, "obligation.view", ("obligation", page.obligation.id), page.case, page.person)
    return page


@dataclass(frozen=True, slots=True)
class Met:
    obligation: Obligation
    status_now: Status


def mark_met(
    unit: Unit,
    obligation_id: uuid.UUID,
    *,
    met_on: date | None,
    date_problem: str,
    channel: str,
    evidence: str,
    expected_version: int,
    late_reason: str,
    late_detail: str,
) -> Met:
    """Told: refused with every error of the form at once (``date_problem``: the form's own
    message for a date it could not read)."""
    obligation = repository.get_obligation(unit.db, unit.actor, obligation_id)[0]
    errors: dict[str, str] = {"met_on": date_problem} if date_problem else {}
    checked = lifecycle.validate_met(obligation, met_on=met_on, channel=channel, evidence=evidence)
    for name, message in checked.items():
        if not (name == "met_on" and date_problem):
            errors[name] = message
    if errors:
        raise ValidationFailed(errors)
    lifecycle.mark_met(
        unit.db,
        unit.vault,
        unit.actor,
        obligation,
        met_on=met_on,
        channel=channel,
        evidence=evidence,
        expected_version=expected_version,
        late_reason=late_reason,
        late_detail=late_detail,
    )
    today, _ = today_and_soon()
    return Met(obligation, status(obligation, today))


def close(
    unit: Unit,
    obligation_id: uuid.UUID,
    *,
    state: str,
    reason_code: str,
    reason: str,
    expected_version: int,
) -> None:
    obligation = repository.get_obligation(unit.db, unit.actor, obligation_id)[0]
    lifecycle.close_without_meeting(
        unit.db,
        unit.vault,
        unit.actor,
        obligation,
        state=state,
        reason=reason,
        expected_version=expected_version,
        reason_code=reason_code,
    )


def reopen(unit: Unit, obligation_id: uuid.UUID, *, expected_version: int) -> bool:
    """Owed again; False (and nothing changed) if someone else changed it first."""
    obligation = repository.get_obligation(unit.db, unit.actor, obligation_id)[0]
    try:
        lifecycle.reopen(unit.db, unit.actor, obligation, expected_version=expected_version)
    except StaleEdit:  # checked before anything is written
        return False
    return True


# --- the data check -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToldCheckPage:
    rows: list[told_check.FindingRow]
    checked_at: Any


def told_check_page(unit: Unit) -> ToldCheckPage:
    rows = told_check.findings(unit.db, unit.actor)
    return ToldCheckPage(rows, max((r.checked_at for r in rows), default=None))
