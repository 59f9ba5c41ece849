"""Special measures, by use case: ``reading`` (the assessment's details, eligibility, the
deadline), ``recording`` (transitions, audit), ``lookup`` (loading in scope), ``assessing``,
``identifying``, ``drafting``, ``serving``, ``deciding``, ``document``, ``worklist`` and
``pages`` (the reading pages). Services flush, never commit, and know nothing of HTTP.
The names below are the ones callers used before the
split (``from portal.special_measures import service as sm``)."""

from portal.special_measures.service.assessing import (
    AssessmentCommand,
    save_assessment,
    validate_assessment,
)
from portal.special_measures.service.drafting import Draft, save_draft, validate_draft
from portal.special_measures.service.identifying import identify, request
from portal.special_measures.service.reading import (
    AssessmentDetails,
    DeadlineStatus,
    born_on,
    court_for_deadline,
    deadline,
    deadline_status,
    details_of,
    eligibility_of,
    is_late,
)
from portal.special_measures.service.recording import (
    SHORT_LIMIT,
    TEXT_LIMIT,
    TRIGGER,
)
from portal.special_measures.service.serving import serve
from portal.special_measures.service.worklist import NEXT_STEP, WORK_STATES, WorkItem, work

__all__ = [
    "NEXT_STEP",
    "SHORT_LIMIT",
    "TEXT_LIMIT",
    "TRIGGER",
    "WORK_STATES",
    "AssessmentCommand",
    "AssessmentDetails",
    "DeadlineStatus",
    "Draft",
    "WorkItem",
    "born_on",
    "court_for_deadline",
    "deadline",
    "deadline_status",
    "details_of",
    "eligibility_of",
    "identify",
    "is_late",
    "request",
    "save_assessment",
    "save_draft",
    "serve",
    "validate_assessment",
    "validate_draft",
    "work",
]
