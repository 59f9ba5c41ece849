"""What happens to existing free text when a person's identity is sealed.

Sealing (portal.anonymity.service.draft_application) pseudonymises the person's identifying
columns at once (the vault's policy). Free text written before then may still name them: every
free-text column that others can read in each of the person's cases is read once, compared with
the person's true values (portal.anonymity.identity) and, where it names them, rewritten with
their true identity replaced (names by the pseudonym, address, phone, email and date of birth
withheld). Decision letters also go back for redrafting (portal.vlu.sealing), and uploaded
documents are checked again for the person (portal.documents.sealing).

``FREE_TEXT`` lists those columns; tests/integration/test_sealing_free_text.py fails when a model
gains a sealed column that is neither listed here nor explained in ``NOT_FREE_TEXT``. Every row
changed is audited with its table, id and column names: never a value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import null, or_, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.anonymity.identity import IdentityMatcher, StoredText, matcher_for
from portal.anonymity.models import AnonymityApplication, UnmaskRequest
from portal.audit import service as audit
from portal.cases.models import Case, CaseEvent, CaseParty
from portal.documents.models import Document, DocumentMatch
from portal.documents.sealing import recheck_for
from portal.keys.vault import KeyUnavailable, Vault
from portal.outcomes.models import AncillaryOrder, CompensationOrder, VictimLoss
from portal.people.models import Person
from portal.safeguards.models import NeedsAssessment, SafeguardingAction
from portal.special_measures.models import (
    DRAFT_TEXTS,
    SpecialMeasuresApplication,
    SpecialMeasuresAssessment,
)
from portal.victims_code.models import Obligation
from portal.vlu.models import VluDecision, VluMessage, VluReasonsRevision, VluRequest
from portal.vlu.review.models import VluReview
from portal.vlu.sealing import return_letters_naming


@dataclass(frozen=True, slots=True)
class FreeText:
    model: Any
    columns: tuple[str, ...]
    json: bool = False  # a sealed JSON document: every string in it is checked
    # How a row belongs to a case: its case_id, its case_party_id, its request_id, its
    # document_id, it is the case, or it is a person who is a party in the case.
    via: str = "case"


FREE_TEXT: tuple[FreeText, ...] = (
    # Safe-contact rules ("do not tell ...") and communication needs are shown to the case team.
    FreeText(Person, ("safe_contact", "communication_needs"), json=True, via="person"),
    FreeText(Case, ("notes",), via="self"),
    FreeText(CaseEvent, ("notes",)),
    FreeText(CaseParty, ("enhanced_reasons",)),
    FreeText(VluDecision, ("reasons", "no_meeting_reason")),
    FreeText(VluReasonsRevision, ("reasons", "no_meeting_reason")),  # the reasons' history
    FreeText(VluRequest, ("check_notes", "review_notes")),
    FreeText(VluMessage, ("body",), via="request"),
    # The Right to Review: why a late request was accepted, and the outcome letters.
    FreeText(
        VluReview,
        ("late_reason", "local_letter", "independent_late_reason", "independent_letter"),
    ),
    FreeText(
        AnonymityApplication,
        ("condition_a", "condition_b", "condition_c", "considerations", "return_comment"),
    ),
    FreeText(UnmaskRequest, ("reason", "decision_comment")),
    FreeText(NeedsAssessment, ("needs",), json=True, via="party"),
    FreeText(SafeguardingAction, ("description",), via="party"),
    FreeText(Obligation, ("evidence", "reason")),
    FreeText(SpecialMeasuresAssessment, ("details",), json=True),
    FreeText(SpecialMeasuresApplication, (*DRAFT_TEXTS, "court_notes")),
    FreeText(VictimLoss, ("description",)),
    FreeText(CompensationOrder, ("reason",)),
    FreeText(AncillaryOrder, ("terms",)),
    # Why a second prosecutor let a match stay: shown to prosecutors on the check page.
    FreeText(DocumentMatch, ("override_reason", "decline_comment", "answer"), via="document"),
)
# Sealed columns that are not free text shown to others, and why.
NOT_FREE_TEXT: dict[str, str] = {
    "person.full_name": "identifying: pseudonymised by the vault's policy",
    "person.aliases": "identifying: withheld by the vault's policy",
    "person.date_of_birth": "identifying: withheld by the vault's policy",
    "person.address": "identifying: withheld by the vault's policy",
    "person.phone": "identifying: withheld by the vault's policy",
    "person.email": "identifying: withheld by the vault's policy",
    "person.business_contact": "identifying: withheld by the vault's policy",
    "person.representative": "the representative's details: withheld by the vault's policy",
    "person_reference.value": "crime reference numbers: withheld by the vault's policy",
    "person_contact.*": "a parent's, guardian's or representative's details: withheld by the "
    "vault's policy",
    "safeguarding_action.partner_name": "the name of a partner (an officer, an adviser) who owns "
    "the action, not a witness's",
    "document.*": "documents: withheld by the vault's policy",
    "defendant.full_name": "the defendant's identity, not a witness's",
    "defendant.date_of_birth": "the defendant's identity, not a witness's",
    "vlu_letter.body": "decision letters: masked and returned for redrafting (portal.vlu.sealing)",
    "special_measures_application.wis_reference": "a Witness Service reference number",
    "support_referral.notes": "no page writes or shows it",
    "victim_loss.kind": "a code (money, property, injury)",
    "victim_loss.amount": "an amount in pence",
    "apportionment_share.amount": "an amount in pence",
    "user_factor.secret": "a staff member's TOTP secret: random, never text about anyone",
}


@dataclass(frozen=True, slots=True)
class Swept:
    letters_returned: int = 0
    letters_masked: int = 0
    texts_masked: int = 0
    documents_blocked: int = 0  # uploaded documents found to contain the person's identity


def _in_cases(spec: FreeText, case_ids: list[uuid.UUID]) -> Any:
    """The rows of ``spec`` in these cases that hold any text: ids, key ids, the sealed values
    and the case id, as plain rows (no ORM objects for the thousands that name nobody)."""
    model = spec.model
    texts = [getattr(model, column) for column in spec.columns]
    holding = or_(*(column.is_not(None) for column in texts))
    if spec.via == "self":
        query = select(model.id, model.key_id, *texts, model.id).where(model.id.in_(case_ids))
    elif spec.via == "person":
        parties = select(CaseParty.person_id).where(CaseParty.case_id.in_(case_ids))
        query = select(model.id, model.key_id, *texts, null()).where(
            model.id.in_(parties), model.erased.is_(False)
        )
    elif spec.via == "party":
        query = (
            select(model.id, model.key_id, *texts, CaseParty.case_id)
            .join(CaseParty, CaseParty.id == model.case_party_id)
            .where(CaseParty.case_id.in_(case_ids))
        )
    elif spec.via == "document":
        query = (
            select(model.id, model.key_id, *texts, Document.case_id)
            .join(Document, Document.id == model.document_id)
            .where(Document.case_id.in_(case_ids))
        )
    elif spec.via == "request":
        query = (
            select(model.id, model.key_id, *texts, VluRequest.case_id)
            .join(VluRequest, VluRequest.id == model.request_id)
            .where(VluRequest.case_id.in_(case_ids))
        )
    else:
        query = select(model.id, model.key_id, *texts, model.case_id).where(
            model.case_id.in_(case_ids)
        )
    return query.where(holding).order_by(model.id)


def _mask_rows(
    db: Session,
    vault: Vault,
    actor: Actor,
    matcher: IdentityMatcher,
    spec: FreeText,
    case_ids: list[uuid.UUID],
) -> int:
    rows = db.execute(_in_cases(spec, case_ids)).all()
    vault.load({row[1] for row in rows})
    table = spec.model.__tablename__
    changed_rows = 0
    for row in rows:
        row_id, key_id, *values, case_id = row
        stored = StoredText(table, row_id, key_id, dict(zip(spec.columns, values, strict=True)))
        cleaned: dict[str, str] = {}
        for column, value in zip(spec.columns, values, strict=True):
            if value is None:
                continue
            try:
                text = vault.open_text(stored, column) or ""
            except KeyUnavailable:
                break  # sealed under an erased person's key: unreadable for everyone
            masked = matcher.mask_json(text) if spec.json else matcher.mask(text)
            if masked != text:
                cleaned[column] = masked
        if not cleaned:
            continue
        target = db.get(spec.model, row_id)
        assert target is not None
        for column, masked in cleaned.items():
            vault.put(target, column, masked)
        changed_rows += 1
        db.flush()
        audit.record(
            db,
            actor=actor,
            category="alteration",
            action="identity.removed_from_text",
            object_type=table,
            object_id=row_id,
            case_id=case_id,
            subject_id=matcher.person_id,
            subject_ref=matcher.reference,
            fields=list(cleaned),
        )
    return changed_rows


def remove_true_identity(db: Session, vault: Vault, actor: Actor, person: Person) -> Swept:
    """Replace ``person``'s true identity in every free text of their cases (called when their
    identity is sealed). The person's values are opened once; each table is read with one query."""
    case_ids = list(db.scalars(select(CaseParty.case_id).where(CaseParty.person_id == person.id)))
    matcher = matcher_for(vault, person)
    if not case_ids:
        return Swept()
    letters = return_letters_naming(db, vault, actor, matcher, case_ids)
    texts = sum(_mask_rows(db, vault, actor, matcher, spec, case_ids) for spec in FREE_TEXT)
    documents = recheck_for(db, vault, actor, matcher, case_ids)
    return Swept(letters.returned, letters.masked, texts, documents)
