"""Safeguards for a person in a case: needs assessments, actions, referrals and their timeline.

People absorbed safeguards (issue 13): a person's safeguards are only ever reached through the
person, on the person's pages, under the person's key, so they are one domain. The use cases
live in ``portal.people`` by what they do (``safeguarding`` the vocabulary and the shared
timeline and audit rows, ``needs``, ``actions``, ``support``, ``overview``); this module keeps
every old name importable for other domains and tests (the changes that now take the unit of
work and the person in the case, also in their older form).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.keys.vault import Vault
from portal.kit.errors import NotPermitted, StaleEdit, ValidationFailed
from portal.people import actions, needs, support
from portal.people.actions import (
    ActionView,
    action_views,
    complete_action,
    owner_choices,
)
from portal.people.needs import (
    AssessmentView,
    Need,
    NeedsInput,
    NeedView,
    assessment_history,
    needs_summary,
    open_assessment,
    validate_needs,
)
from portal.people.overview import (
    AgeStatus,
    PersonOverview,
    ReferenceView,
    TimelineItem,
    age_statuses,
    person_overview,
    timeline,
)
from portal.people.repository import staff_names
from portal.people.safeguarding import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    HEARING_KINDS,
    MAX_ACTION,
    MAX_DETAILS,
    MAX_NOTES,
    MAX_REFERENCE,
    NEED_KINDS,
    NEED_QUESTIONS,
    NRM_OUTCOMES,
    NRM_STAGES,
    REFERENCE_KINDS,
    REFERRAL_SERVICES,
    RISK_LEVELS,
    InCase,
    contact_rules_changed,
    current_details,
    details_changed,
    record_consultation,
    record_event,
)
from portal.people.support import (
    add_nrm_decision,
    add_person,
    add_referral,
    is_trafficking_case,
)

R = TypeVar("R")


def _by_parts(change: Callable[..., R]) -> Callable[..., R]:
    """``change(unit, InCase(case, party, person), ...)`` as callers written before the unit
    of work call it: ``(db, vault, actor, case, party, person, ...)``."""

    def call(db: Session, vault: Vault, actor: Actor, *rest: Any, **given: Any) -> R:
        case, party, person, *more = rest
        unit = Unit(db, actor, lambda: vault)
        return change(unit, InCase(case, party, person), *more, **given)

    return call


add_action = _by_parts(actions.add_action)
record_needs_assessment = _by_parts(needs.record_needs_assessment)
add_reference = _by_parts(support.add_reference)

__all__ = [
    "CHANNEL_LABELS",
    "EVENT_LABELS",
    "HEARING_KINDS",
    "MAX_ACTION",
    "MAX_DETAILS",
    "MAX_NOTES",
    "MAX_REFERENCE",
    "NEED_KINDS",
    "NEED_QUESTIONS",
    "NRM_OUTCOMES",
    "NRM_STAGES",
    "REFERENCE_KINDS",
    "REFERRAL_SERVICES",
    "RISK_LEVELS",
    "ActionView",
    "AgeStatus",
    "AssessmentView",
    "InCase",
    "Need",
    "NeedView",
    "NeedsInput",
    "NotPermitted",
    "PersonOverview",
    "ReferenceView",
    "StaleEdit",
    "TimelineItem",
    "ValidationFailed",
    "action_views",
    "add_action",
    "add_nrm_decision",
    "add_person",
    "add_reference",
    "add_referral",
    "age_statuses",
    "assessment_history",
    "complete_action",
    "contact_rules_changed",
    "current_details",
    "details_changed",
    "is_trafficking_case",
    "needs_summary",
    "open_assessment",
    "owner_choices",
    "person_overview",
    "record_consultation",
    "record_event",
    "record_needs_assessment",
    "staff_names",
    "timeline",
    "validate_needs",
]
