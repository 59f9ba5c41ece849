"""A person's documents as use cases for the edge: each takes the request's ``Unit``, loads the
case and person in the actor's scope, writes the audit row, and returns what the page shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity.recording import consulted, person_in_case
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case
from portal.cases.repository import staff_names
from portal.db.encrypted import Sensitive
from portal.documents import repository, second_prosecutor, service
from portal.documents.models import KINDS, MATCH_KINDS, Document
from portal.documents.service import Download
from portal.keys.vault import pseudonym
from portal.kit.pages import AboutPerson
from portal.people.models import Person


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentsPage(AboutPerson[Case, Person]):
    documents: list[Document]
    filenames: dict[uuid.UUID, Sensitive | None]
    open_matches: dict[uuid.UUID, int]
    may_upload: bool
    may_download: bool


def documents_page(unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID) -> DocumentsPage:
    case, person = person_in_case(unit, case_id, person_id)
    documents = service.list_for(unit.db, case, person)
    consulted(unit, "document.list", "person", person.id, case, person)
    names = {d.id: unit.vault.open(d, "filename") for d in documents}
    counts: dict[uuid.UUID, int] = {}  # open matches: a document marked ready with any was
    # marked before they were found (portal.documents.sealing)
    for match, _ in repository.matches_of(unit.db, [d.id for d in documents]):
        if match.overridden_at is None:
            counts[match.document_id] = counts.get(match.document_id, 0) + 1
    return DocumentsPage(
        case=case,
        person=person,
        name=unit.vault.open(person, "full_name"),
        documents=documents,
        filenames=names,
        open_matches=counts,
        may_upload=unit.actor.can(Permission.UPLOAD_DOCUMENTS),
        may_download=unit.actor.can(Permission.DOWNLOAD_DOCUMENTS),
    )


def upload(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, *, kind: str, filename: str, data: bytes
) -> Document:
    case, person = person_in_case(unit, case_id, person_id)
    return service.upload(unit, case, person, kind=kind, filename=filename, data=data)


# --- the disclosure check of one document -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckPage:
    case: Case
    person: Person
    document: Document
    filename: Sensitive | None
    kind_label: str
    matches: list[dict[str, Any]]
    blockers: list[str]
    ready: bool
    found_after_ready: bool
    may_serve: bool
    may_upload: bool
    uploaded_by_me: bool
    uploaded_by: str  # who asked for the document to be served: the override's requester
    decisions: list[tuple[str, str]]  # the second prosecutor's choices, none pre-selected


def check_page(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, document_id: uuid.UUID
) -> CheckPage:
    db = unit.db
    case, person = person_in_case(unit, case_id, person_id)
    document = repository.document_in(db, case.id, person.id, document_id)
    if document is None:
        raise CaseNotFound(document_id)
    consulted(unit, "document.check.view", "document", document.id, case, person)
    found = repository.matches_of(db, [document.id])
    # Who overrode a match, when and why: for prosecutors, who decide on service.
    may_serve = unit.actor.can(Permission.SERVE_DOCUMENTS)
    deciders = (
        staff_names(
            db,
            {match.overridden_by_id for match, _ in found}
            | {match.declined_by_id for match, _ in found}
            | {document.uploaded_by_id},
        )
        if may_serve
        else {}
    )
    matches = [
        {
            "match": match,
            # Whose: the pseudonym for a protected identity, the reference for a victim's
            # address. Never the matched value.
            "whose": pseudonym(reference) if match.sealed_identity else f"victim {reference}",
            "what": MATCH_KINDS[match.kind],
            "by": deciders.get(match.overridden_by_id) if match.overridden_by_id else None,
            "reason": (
                unit.vault.open(match, "override_reason")
                if may_serve and match.overridden_at is not None
                else None
            ),
            # A refusal or a question from the second prosecutor, and the uploader's answer.
            "declined_by": deciders.get(match.declined_by_id) if match.declined_by_id else None,
            "comment": (
                unit.vault.open(match, "decline_comment")
                if may_serve and match.declined_at is not None
                else None
            ),
            "answer": unit.vault.open(match, "answer") if may_serve else None,
        }
        for match, reference in found
    ]
    return CheckPage(
        case=case,
        person=person,
        document=document,
        filename=unit.vault.open(document, "filename"),
        kind_label=KINDS[document.kind],
        matches=matches,
        blockers=service.blockers(db, document),
        ready=service.is_ready(db, document),
        found_after_ready=service.found_after_ready(db, document),
        may_serve=may_serve,
        may_upload=unit.actor.can(Permission.UPLOAD_DOCUMENTS),
        uploaded_by_me=document.uploaded_by_id == unit.actor.user_id,
        uploaded_by=deciders.get(document.uploaded_by_id, "A colleague"),
        decisions=list(second_prosecutor.DECISIONS.items()),
    )


def _of(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, document_id: uuid.UUID
) -> service.DocumentOf:
    """The person's document named by the URL, once the person is found in the case."""
    case, person = person_in_case(unit, case_id, person_id)
    return service.DocumentOf(case, person, document_id)


def override(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    document_id: uuid.UUID,
    match_id: uuid.UUID,
    *,
    decision: str,
    comment: str,
) -> None:
    of = _of(unit, case_id, person_id, document_id)
    second_prosecutor.decide(unit, of, match_id, decision=decision, comment=comment)


def answer(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    document_id: uuid.UUID,
    match_id: uuid.UUID,
    *,
    answer: str,
) -> None:
    of = _of(unit, case_id, person_id, document_id)
    second_prosecutor.answer_returned(unit, of, match_id, answer=answer)


def manual_check(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    service.record_manual_check(unit, _of(unit, case_id, person_id, document_id))


def mark_ready(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    service.mark_ready(unit, _of(unit, case_id, person_id, document_id))


def new_version(
    unit: Unit,
    case_id: uuid.UUID,
    person_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    filename: str,
    data: bytes,
) -> Document:
    of = _of(unit, case_id, person_id, document_id)
    return service.upload_version(unit, of, filename=filename, data=data)


def download(
    unit: Unit, case_id: uuid.UUID, person_id: uuid.UUID, document_id: uuid.UUID
) -> Download:
    return service.download(unit, _of(unit, case_id, person_id, document_id))


@dataclass(frozen=True, slots=True)
class OverrideWaiting:
    """A document whose matches wait for a second prosecutor (ids, URN and uploader only)."""

    case_id: uuid.UUID
    person_id: uuid.UUID
    document_id: uuid.UUID
    urn: str
    uploaded_by: str


def overrides_waiting(unit: Unit) -> list[OverrideWaiting]:
    """For My work: documents another prosecutor uploaded whose matches wait for this one."""
    if not unit.actor.can(Permission.SERVE_DOCUMENTS):
        return []
    rows = repository.overrides_waiting(unit.db, unit.actor)
    names = staff_names(unit.db, {row[4] for row in rows})
    return [
        OverrideWaiting(case_id, person_id, document_id, urn, names.get(by, "A colleague"))
        for case_id, person_id, document_id, urn, by in rows
    ]


@dataclass(frozen=True, slots=True)
class QuestionWaiting:
    """A document of this prosecutor's with a question from a second prosecutor (ids, URN)."""

    case_id: uuid.UUID
    person_id: uuid.UUID
    document_id: uuid.UUID
    urn: str


def questions_waiting(unit: Unit) -> list[QuestionWaiting]:
    """For My work: this prosecutor's documents whose matches came back with a question."""
    if not unit.actor.can(Permission.SERVE_DOCUMENTS):
        return []
    return [QuestionWaiting(*row) for row in repository.questions_for_uploader(unit.db, unit.actor)]
