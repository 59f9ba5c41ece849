"""Documents already uploaded when a person's identity is sealed (an anonymity order is sought).

Sealing (``portal.anonymity.sweep``) calls ``recheck_for``: every document of the person's cases
that could still be served is read again and its text checked against the newly sealed person's
true values, exactly as at upload (``portal.documents.matching``). A new match is recorded like
one found at upload, so the document cannot be marked ready to serve until it is redacted (a new
version) or a second prosecutor overrides the match with a reason.

A document that was already marked ready to serve keeps that date: it may have been served
before the identity was sealed, and its check page tells the prosecutor so (a match still open
on a document marked ready can only come from here: ``mark_ready`` refuses while any is open).
A document with no text to read was checked by eye for the people protected then: that manual
check is voided, so a prosecutor must read it again before it can be served. Each document
changed is audited with ids and counts only.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.anonymity.identity import IdentityMatcher
from portal.documents import repository
from portal.documents.extract import parts_of
from portal.documents.matching import check
from portal.documents.models import Document, DocumentMatch
from portal.documents.recording import add_match, on_document
from portal.keys.vault import KeyUnavailable, Vault


def recheck_for(
    db: Session, vault: Vault, actor: Actor, matcher: IdentityMatcher, case_ids: list[uuid.UUID]
) -> int:
    """Check the documents of ``case_ids`` for the person of ``matcher`` (whose identity has just
    been sealed). How many documents had new matches or must be read again by eye."""
    documents = repository.live_documents_of_cases(db, case_ids)
    vault.load({document.key_id for document in documents})
    known: dict[uuid.UUID, dict[tuple[str, str], DocumentMatch]] = {}
    for match, _ in repository.matches_of(db, [d.id for d in documents]):
        if match.person_id == matcher.person_id:
            known.setdefault(match.document_id, {})[(match.kind, match.location)] = match
    changed = 0
    for document in documents:
        if document.disclosure == "unreadable":
            if document.checked_at is not None:
                _void_manual_check(db, actor, matcher, document)
                changed += 1
            continue
        try:
            data = vault.open_bytes(document, "content") or b""
        except KeyUnavailable:
            continue  # its owner was erased: unreadable for everyone
        parts = parts_of(document.content_type, data)
        if parts is None:
            continue
        existing = known.get(document.id, {})
        added = 0
        for item in check([(matcher, True)], parts):
            location = item.location[:80]
            before = existing.get((item.kind, location))
            if before is not None:
                before.sealed_identity = True  # a victim's address, now a sealed identity's
                continue
            add_match(
                db,
                document,
                matcher.person_id,
                kind=item.kind,
                sealed_identity=True,
                location=location,
            )
            added += 1
        if not added:
            continue
        document.disclosure = "matches"
        changed += 1
        _altered(db, actor, matcher, document, "rechecked_at_sealing", f"matches:{added}")
    db.flush()
    return changed


def _void_manual_check(
    db: Session, actor: Actor, matcher: IdentityMatcher, document: Document
) -> None:
    document.checked_at, document.checked_by_id = None, None
    _altered(db, actor, matcher, document, "manual_check_voided_at_sealing")


def _altered(
    db: Session,
    actor: Actor,
    matcher: IdentityMatcher,
    document: Document,
    action: str,
    *fields: str,
) -> None:
    """Flush, and audit what sealing changed in ``document`` (and whether it was ready to serve)."""
    db.flush()
    on_document(
        db,
        actor,
        document,
        matcher,
        category="alteration",
        action=f"document.{action}",
        fields=(*fields, f"was_ready:{document.ready_at is not None}"),
    )
