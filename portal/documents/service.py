"""Uploading and downloading documents: type and size checked, sealed, every access logged;
the disclosure check on every upload (portal.documents.disclosure), redacted versions, the
second prosecutor's override, the manual check of a document with no text, and readiness to
serve, refused while anything found is unresolved."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, NotPermitted, ValidationFailed
from portal.cases.models import Case
from portal.clock import utc_now
from portal.documents import disclosure, repository
from portal.documents.extract import parts_of
from portal.documents.models import KINDS, Document, DocumentMatch
from portal.documents.recording import add_match, on_document
from portal.keys.vault import Vault
from portal.kit.errors import GuardRefused
from portal.people.models import Person

MAX_REASON = 2000

MAX_BYTES = 5 * 1024 * 1024
# Checked by content, not by the name or the browser's claim. Images are refused until their
# metadata (EXIF: places, devices, times) can be stripped (ASVS 14.2.8).
ALLOWED = {
    "application/pdf": (b"%PDF-",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "text/plain": (),
}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
}


def sniff(filename: str, data: bytes) -> str | None:
    """The content type, if the file is one we accept and its bytes agree with its name."""
    lowered = filename.lower()
    extension = lowered[lowered.rfind(".") :] if "." in lowered else ""
    content_type = EXTENSIONS.get(extension)
    if content_type is None:
        return None
    signatures = ALLOWED[content_type]
    if signatures:
        return content_type if any(data.startswith(s) for s in signatures) else None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return content_type if b"\x00" not in data else None


def upload(
    unit: Unit,
    case: Case,
    person: Person,
    *,
    kind: str,
    filename: str,
    data: bytes,
    replaces: Document | None = None,
) -> Document:
    db, vault, actor = unit.db, unit.vault, unit.actor
    if not actor.can(Permission.UPLOAD_DOCUMENTS):
        raise NotPermitted("only witness care officers and prosecutors upload documents")
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = "Select what kind of document this is"
    if not data:
        errors["file"] = "Select a file"
    elif len(data) > MAX_BYTES:
        errors["file"] = "The file must be smaller than 5 MB"
    elif sniff(filename, data) is None:
        errors["file"] = "The file must be a PDF, a Word document (.docx) or a text file"
    if errors:
        raise ValidationFailed(errors)
    document = Document(
        case_id=case.id,
        person_id=person.id,
        key_id=person.key_id,
        kind=kind,
        content_type=sniff(filename, data) or "application/octet-stream",
        size=len(data),
        uploaded_by_id=actor.user_id,
        uploaded_at=utc_now(),
        replaces_id=replaces.id if replaces is not None else None,
        superseded=False,
    )
    safe_name = "".join(
        ch for ch in filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if ch.isprintable()
    )
    vault.put(document, "filename", safe_name[:200] or "document")
    document.content = vault.seal_bytes(document, "content", data)
    db.add(document)
    if replaces is not None:
        replaces.superseded = True
        replaces.ready_at, replaces.ready_by_id = None, None
    db.flush()
    found = _check(db, vault, case, document, data)
    on_document(
        db,
        actor,
        document,
        person,
        category="collection",
        action=f"document.{'upload' if replaces is None else 'new_version'}",
        fields=(f"disclosure:{document.disclosure}", f"matches:{found}"),
    )
    return document


def _check(db: Session, vault: Vault, case: Case, document: Document, data: bytes) -> int:
    """Run the disclosure check on a new document; record what it found. How many matches."""
    parts = parts_of(document.content_type, data)
    if parts is None:
        document.disclosure = "unreadable"
        return 0
    found = disclosure.check(disclosure.protected(db, vault, case.id), parts)
    document.disclosure = "matches" if found else "clear"
    for item in found:
        add_match(
            db,
            document,
            item.person_id,
            kind=item.kind,
            sealed_identity=item.sealed_identity,
            location=item.location,
        )
    db.flush()
    return len(found)


@dataclass(frozen=True, slots=True)
class DocumentOf:
    """One document of a person in a case, by the id the URL names it with."""

    case: Case
    person: Person
    document_id: uuid.UUID


def _document(db: Session, of: DocumentOf) -> Document:
    document = repository.document_in(db, of.case.id, of.person.id, of.document_id)
    if document is None:
        raise CaseNotFound(of.document_id)
    return document


def document_to_serve(unit: Unit, of: DocumentOf) -> Document:
    """The document a prosecutor clears for service (refused to anyone else first)."""
    if not unit.actor.can(Permission.SERVE_DOCUMENTS):
        raise NotPermitted("only prosecutors clear documents for service")
    return _document(unit.db, of)


def upload_version(unit: Unit, of: DocumentOf, *, filename: str, data: bytes) -> Document:
    """A redacted version of a document: checked afresh; the old one can no longer be served."""
    old = _document(unit.db, of)
    if old.superseded:
        raise GuardRefused("upload a new version", "A newer version of this document exists")
    return upload(
        unit, of.case, of.person, kind=old.kind, filename=filename, data=data, replaces=old
    )


def blockers(db: Session, document: Document) -> list[str]:
    """Why the document cannot be marked ready to serve yet (empty when it can)."""
    reasons = []
    if document.superseded:
        reasons.append("A newer version of this document has been uploaded")
    if document.disclosure == "unreadable" and document.checked_at is None:
        reasons.append("No text could be read from it: a prosecutor must check it by eye")
    open_matches = [
        m for m, _ in repository.matches_of(db, [document.id]) if m.overridden_at is None
    ]
    if open_matches:
        count = len(open_matches)
        reasons.append(
            f"{count} {'match' if count == 1 else 'matches'} of protected information: upload "
            "a redacted version, or a second prosecutor must override each with a reason"
        )
    return reasons


def is_ready(db: Session, document: Document) -> bool:
    """Marked ready to serve, and nothing has been found in it since."""
    return document.ready_at is not None and not blockers(db, document)


def found_after_ready(db: Session, document: Document) -> bool:
    """Marked ready to serve before protected information was found in it (a person's identity
    sealed since, portal.documents.sealing): it may already have been served."""
    return (
        document.ready_at is not None and not document.superseded and bool(blockers(db, document))
    )


def override(unit: Unit, of: DocumentOf, match_id: uuid.UUID, *, reason: str) -> DocumentMatch:
    """A second prosecutor decides a match may stay (the value is already known to the court,
    or is not the protected person's). Never the prosecutor who uploaded the document."""
    db, vault, actor, case = unit.db, unit.vault, unit.actor, of.case
    document = document_to_serve(unit, of)
    match = repository.match_of(db, document.id, match_id)
    if match is None:
        raise CaseNotFound(match_id)
    if document.uploaded_by_id == actor.user_id:
        raise GuardRefused(
            "override a match",
            "You uploaded this document: a second prosecutor must decide on the override",
        )
    if match.overridden_at is not None:
        raise GuardRefused("override a match", "This match has already been overridden")
    if match.declined_as == "refused":
        raise GuardRefused("override a match", "A second prosecutor refused this override")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "Enter why this information may stay in the document"})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": f"The reason must be {MAX_REASON} characters or fewer"})
    errors = case_text_errors(db, vault, case.id, {"reason": ("The reason", reason)})
    if errors:
        raise ValidationFailed(errors)
    match.overridden_by_id = actor.user_id
    match.overridden_at = utc_now()
    vault.put(match, "override_reason", reason)
    db.flush()
    if document.ready_at is not None and not blockers(db, document):
        # Found after it was marked ready (portal.documents.sealing): now resolved, it is marked
        # ready to serve again only by a prosecutor's decision.
        document.ready_at, document.ready_by_id = None, None
        db.flush()
    audit.record_in_case(
        db,
        actor,
        "disclosure",
        "document.match.override",
        ("document_match", match.id, case.id),
        *(f"document:{document.id}", f"kind:{match.kind}"),
        person=audit.Someone(match.person_id),
    )
    return match


def record_manual_check(unit: Unit, of: DocumentOf) -> Document:
    """A prosecutor has read a document with no extractable text and found nothing protected."""
    db, actor, person = unit.db, unit.actor, of.person
    document = document_to_serve(unit, of)
    if document.disclosure != "unreadable":
        raise GuardRefused("record a manual check", "This document's text was checked already")
    if document.checked_at is not None:
        raise GuardRefused("record a manual check", "A manual check is already recorded")
    document.checked_by_id, document.checked_at = actor.user_id, utc_now()
    if document.ready_at is not None:
        # Marked ready before an identity was sealed (portal.documents.sealing): marked ready to
        # serve again only by a prosecutor's decision.
        document.ready_at, document.ready_by_id = None, None
    db.flush()
    on_document(db, actor, document, person, category="collection", action="document.manual_check")
    return document


def mark_ready(unit: Unit, of: DocumentOf) -> Document:
    """Ready to serve: refused while any match is unresolved or a scan is unchecked."""
    db, actor, person = unit.db, unit.actor, of.person
    document = document_to_serve(unit, of)
    reasons = blockers(db, document)
    if reasons:
        raise GuardRefused("mark ready to serve", reasons[0])
    if document.ready_at is None:
        document.ready_by_id, document.ready_at = actor.user_id, utc_now()
        db.flush()
    on_document(
        db, actor, document, person, category="disclosure", action="document.ready_to_serve"
    )
    return document


def list_for(db: Session, case: Case, person: Person) -> list[Document]:
    return list(
        db.scalars(
            select(Document)
            .where(Document.case_id == case.id, Document.person_id == person.id)
            .order_by(Document.uploaded_at.desc())
        )
    )


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def download(unit: Unit, of: DocumentOf) -> Download:
    db, vault, actor, person = unit.db, unit.vault, unit.actor, of.person
    if not actor.can(Permission.DOWNLOAD_DOCUMENTS):
        raise NotPermitted("auditors see that documents exist, not their contents")
    document = _document(db, of)
    data = vault.open_bytes(document, "content") or b""
    name = vault.open_text(document, "filename") or "document"
    on_document(
        db,
        actor,
        document,
        person,
        category="disclosure",
        action="document.download",
        recipient=f"user:{actor.user_id}",
    )
    return Download(name, document.content_type, data)
