"""A second prosecutor's decision on a match found in a document: approve the override (it may
stay, ``service.override``), refuse it (it must be redacted) or return it to the uploader with
a question; and the uploader's answer, which puts a returned match before a second prosecutor
again. Never the uploader's own decision; every step audited."""

from __future__ import annotations

import uuid

from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, NotPermitted, ValidationFailed
from portal.clock import utc_now
from portal.documents import repository, service
from portal.documents.models import Document, DocumentMatch
from portal.kit.errors import GuardRefused

# The second prosecutor's choices, none pre-selected: what each means for the document.
DECISIONS = {
    "approve": "Approve the override: it may stay in the served document",
    "refuse": "Refuse: it must be redacted before the document is served",
    "return": "Return to the uploader with a question",
}
MAX_COMMENT = service.MAX_REASON

__all__ = ["DECISIONS", "answer_returned", "decide"]


def decide(
    unit: Unit, of: service.DocumentOf, match_id: uuid.UUID, *, decision: str, comment: str
) -> DocumentMatch:
    """Record the second prosecutor's decision on one match (a reason or question is needed)."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": "Select whether you approve, refuse or return it"})
    if decision == "approve":
        return service.override(unit, of, match_id, reason=comment)
    db, actor = unit.db, unit.actor
    document, match = _match(unit, of, match_id)
    if document.uploaded_by_id == actor.user_id:
        raise GuardRefused(
            "decide on a match",
            "You uploaded this document: a second prosecutor must decide on the override",
        )
    if match.overridden_at is not None or match.declined_at is not None:
        raise GuardRefused("decide on a match", "This match has already been decided")
    comment = _text(unit, of, comment, "reason", "Enter your reason or question for the uploader")
    match.declined_by_id, match.declined_at = actor.user_id, utc_now()
    match.declined_as = "refused" if decision == "refuse" else "returned"
    unit.vault.put(match, "decline_comment", comment)
    db.flush()
    _audit(unit, of, match, f"document.match.{decision}", "decline_comment")
    return match


def answer_returned(
    unit: Unit, of: service.DocumentOf, match_id: uuid.UUID, *, answer: str
) -> DocumentMatch:
    """The uploader answers a returned match: it waits for a second prosecutor again."""
    document, match = _match(unit, of, match_id)
    if document.uploaded_by_id != unit.actor.user_id:
        raise NotPermitted("only the prosecutor who uploaded the document answers its questions")
    if match.declined_as != "returned":
        raise GuardRefused("answer a question", "This match is not waiting for your answer")
    answer = _text(unit, of, answer, "answer", "Enter your answer for the second prosecutor")
    unit.vault.put(match, "answer", answer)
    match.declined_by_id, match.declined_at, match.declined_as = None, None, None
    unit.vault.put(match, "decline_comment", None)
    unit.db.flush()
    _audit(unit, of, match, "document.match.answer", "answer")
    return match


def _match(
    unit: Unit, of: service.DocumentOf, match_id: uuid.UUID
) -> tuple[Document, DocumentMatch]:
    document = service.document_to_serve(unit, of)
    if document.superseded:
        raise GuardRefused("decide on a match", "A newer version of this document exists")
    match = repository.match_of(unit.db, document.id, match_id)
    if match is None:
        raise CaseNotFound(match_id)
    return document, match


def _text(unit: Unit, of: service.DocumentOf, text: str, field: str, missing: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed({field: missing})
    if len(text) > MAX_COMMENT:
        raise ValidationFailed({field: f"Keep it to {MAX_COMMENT:,} characters or fewer"})
    errors = case_text_errors(unit.db, unit.vault, of.case.id, {field: ("The text", text)})
    if errors:
        raise ValidationFailed(errors)
    return text


def _audit(
    unit: Unit, of: service.DocumentOf, match: DocumentMatch, action: str, field: str
) -> None:
    audit.record_in_case(
        unit.db,
        unit.actor,
        "alteration",
        action,
        ("document_match", match.id, of.case.id),
        f"document:{match.document_id}",
        f"kind:{match.kind}",
        field,
        person=audit.Someone(match.person_id),
    )
