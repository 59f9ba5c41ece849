"""Uploading and downloading documents: type and size checked, sealed, every access logged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, NotPermitted, ValidationFailed
from portal.cases.models import Case
from portal.clock import utc_now
from portal.documents.models import KINDS, Document
from portal.keys.vault import Vault
from portal.people.models import Person

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
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    person: Person,
    *,
    kind: str,
    filename: str,
    data: bytes,
) -> Document:
    if actor.role not in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR}:
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
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=person.id,
        key_id=person.key_id,
        kind=kind,
        content_type=sniff(filename, data) or "application/octet-stream",
        size=len(data),
        uploaded_by_id=actor.user_id,
        uploaded_at=utc_now(),
    )
    safe_name = "".join(
        ch for ch in filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if ch.isprintable()
    )
    vault.put(document, "filename", safe_name[:200] or "document")
    document.content = vault.seal_bytes(document, "content", data)
    db.add(document)
    db.flush()
    audit.record(
        db,
        actor=actor,
        category="collection",
        action="document.upload",
        object_type="document",
        object_id=document.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
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


def download(
    db: Session, vault: Vault, actor: Actor, case: Case, person: Person, document_id: uuid.UUID
) -> Download:
    if actor.role is Role.AUDITOR:
        raise NotPermitted("auditors see that documents exist, not their contents")
    document = db.scalars(
        select(Document).where(
            Document.id == document_id,
            Document.case_id == case.id,
            Document.person_id == person.id,
        )
    ).one_or_none()
    if document is None:
        raise CaseNotFound(document_id)
    data = vault.open_bytes(document, "content") or b""
    name = vault.open_text(document, "filename") or "document"
    audit.record(
        db,
        actor=actor,
        category="disclosure",
        action="document.download",
        object_type="document",
        object_id=document.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
        recipient=f"user:{actor.user_id}",
    )
    return Download(name, document.content_type, data)
