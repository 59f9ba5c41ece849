"""The second check of a bulk decision's letters, made real: the checker reads, one by one,
every letter that differs from the template (an enhanced victim's, one in an alternative format,
one whose text an officer wrote or changed) and a random sample of the rest (its size is rules
data: ``[bulk_check] sample_size`` in portal/data/vlu.toml). Each letter opened is recorded; the
batch can be approved only when every one was read, and only by an officer who drafted none of
the letters approved (the state machine's rule, as for one letter). The check keeps what was
read, by whom and when."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, NotPermitted, ValidationFailed
from portal.cases.models import Case
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.people.service import CommunicationNeeds
from portal.vlu import check_repository, repository
from portal.vlu.check_repository import ToRead
from portal.vlu.directory import directory
from portal.vlu.models import Job, VluBulkCheck, VluBulkCheckLetter, VluDecision
from portal.vlu.service.bulk import NOTHING_TO_DO, eligible_count, enqueue_bulk
from portal.vlu.service.common import CHECKLIST, audit_decision
from portal.vlu.service.pages import ReadModel, decision_labels, display_name

WHY: dict[str, str] = {
    "enhanced": "Enhanced rights: the letter differs from the template",
    "alternative_format": "Alternative format or communication needs",
    "custom": "Text written or changed by an officer",
    "sample": "Random sample of the template letters",
}
NOT_ALL_READ = "Read every letter in the list before you approve the letters"
MORE_DRAFTED = (
    "The drafted letters changed after you started this check (some were drafted, redrafted "
    "or returned): start the check again so it covers the letters as they are now"
)
_random = random.SystemRandom()


def _require(unit: Unit) -> None:
    if not unit.actor.can(Permission.RUN_BULK_LETTERS):
        raise NotPermitted("only Victim Liaison Unit officers check bulk letters")


def _alternative(vault: Vault, person: Person) -> bool:
    needs = CommunicationNeeds.from_json(vault.open_text(person, "communication_needs"))
    return bool(needs.language or needs.interpreter or needs.intermediary or needs.adjustments)


def start_check(unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID) -> VluBulkCheck:
    """Choose the letters this officer must read (an open check of theirs is kept while it
    still covers the drafted letters). Refused when there is no drafted letter they may check:
    none drafted by someone else."""
    _require(unit)
    db, actor, vault = unit.db, unit.actor, unit.vault
    decision, _ = repository.get_decision(db, actor, case_id, decision_id)
    rows = check_repository.drafted_for(db, decision.id, actor.user_id)
    existing = check_repository.open_check(db, decision.id, actor.user_id)
    if existing is not None:
        if existing.letters == len(rows) and not check_repository.changed_since(
            db, decision.id, existing.created_at
        ):
            return existing
        # The letters changed since (drafted, redrafted, returned): choose them again. What
        # was read stays in the access log.
        db.delete(existing)
        db.flush()
    if not rows:
        raise ValidationFailed({"check": NOTHING_TO_DO["approve_all"]})
    vault.load({person.key_id for _, person in rows})
    by_hand = check_repository.written_by_hand(db, [r.id for r, _ in rows])
    why: dict[uuid.UUID, str] = {}
    rest: list[uuid.UUID] = []
    for request, person in rows:
        if request.enhanced:
            why[request.id] = "enhanced"
        elif _alternative(vault, person):
            why[request.id] = "alternative_format"
        elif request.id in by_hand:
            why[request.id] = "custom"
        else:
            rest.append(request.id)
    size = directory().bulk_check_sample
    for request_id in _random.sample(rest, min(size, len(rest))):
        why[request_id] = "sample"
    check = VluBulkCheck(
        decision_id=decision.id,
        case_id=decision.case_id,
        checker_id=actor.user_id,
        sample_size=size,
        letters=len(rows),
        created_at=utc_now(),
    )
    db.add(check)
    db.flush()
    db.add_all(
        VluBulkCheckLetter(check_id=check.id, request_id=request_id, why=reason)
        for request_id, reason in why.items()
    )
    db.flush()
    audit_decision(
        db,
        actor,
        decision,
        category="collection",
        action="vlu.bulk_check.start",
        object_type="vlu_bulk_check",
        object_id=check.id,
        fields=[f"letters={len(rows)}", f"to_read={len(why)}"],
    )
    return check


@dataclass(frozen=True, slots=True)
class CheckPage(ReadModel):
    decision: VluDecision
    case: Case
    check: VluBulkCheck | None
    letters: list[ToRead]
    names: dict[uuid.UUID, Any]
    unread: int
    sample_size: int

    def extra(self) -> dict[str, Any]:
        return {"why_labels": WHY, "checklist": CHECKLIST, "decision_labels": decision_labels()}


def check_page(unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID) -> CheckPage:
    """This officer's open check of the decision (or none yet), with the letters to read."""
    _require(unit)
    db, actor, vault = unit.db, unit.actor, unit.vault
    decision, case = repository.get_decision(db, actor, case_id, decision_id)
    check = check_repository.open_check(db, decision.id, actor.user_id)
    letters = check_repository.letters_of(db, check.id) if check else []
    vault.load({row.person.key_id for row in letters})
    names = {row.person.id: display_name(vault, row.person) for row in letters}
    audit.people_listed(db, actor, "person.vlu_bulk_check", [r.person for r in letters], case.id)
    return CheckPage(
        decision=decision,
        case=case,
        check=check,
        letters=letters,
        names=names,
        unread=sum(row.item.read_at is None for row in letters),
        sample_size=directory().bulk_check_sample,
    )


@dataclass(frozen=True, slots=True)
class LetterToRead(ReadModel):
    decision: VluDecision
    case: Case
    check: VluBulkCheck
    row: ToRead
    name: Any
    body: Any
    position: int
    of: int

    def extra(self) -> dict[str, Any]:
        return {"why_labels": WHY}


def _in_check(
    unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[VluDecision, Case, VluBulkCheck, ToRead]:
    decision, case = repository.get_decision(unit.db, unit.actor, case_id, decision_id)
    check = check_repository.open_check(unit.db, decision.id, unit.actor.user_id)
    row = check_repository.letter_in(unit.db, check.id, request_id) if check else None
    if check is None or row is None:
        raise CaseNotFound(request_id)
    return decision, case, check, row


def letter_to_read(
    unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID, request_id: uuid.UUID
) -> LetterToRead:
    """One letter of the check, to read (its reading is logged; "I have read it" records it)."""
    _require(unit)
    db, vault = unit.db, unit.vault
    decision, case, check, row = _in_check(unit, case_id, decision_id, request_id)
    letter = repository.letter_of(db, row.request.id)
    vault.load({row.person.key_id})
    audit.record_in_case(
        db,
        unit.actor,
        "consultation",
        "vlu.bulk_check.open",
        ("vlu_request", row.request.id, case.id),
        "body",
        person=row.person,
    )
    position, of = check_repository.place_of(db, row.item)
    return LetterToRead(
        decision=decision,
        case=case,
        check=check,
        row=row,
        name=display_name(vault, row.person),
        body=vault.open(letter, "body") if letter is not None else None,
        position=position,
        of=of,
    )


def mark_read(
    unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID, request_id: uuid.UUID
) -> uuid.UUID | None:
    """Record that the checker read this letter; return the next letter still unread (or None)."""
    _require(unit)
    _, case, check, row = _in_check(unit, case_id, decision_id, request_id)
    if row.item.read_at is None:
        row.item.read_at = utc_now()
        unit.db.flush()
        audit.record_in_case(
            unit.db,
            unit.actor,
            "alteration",
            "vlu.bulk_check.read",
            ("vlu_bulk_check", check.id, case.id),
            "read_at",
            person=row.person,
        )
    return check_repository.next_unread(unit.db, check.id)


def approve_checked(
    unit: Unit, case_id: uuid.UUID, decision_id: uuid.UUID, *, checklist: set[str]
) -> Job:
    """Approve the batch: refused until every letter of the check was read, if more letters were
    drafted since, or (as ``enqueue_bulk``) without every point of the checklist."""
    _require(unit)
    db, actor = unit.db, unit.actor
    decision, _ = repository.get_decision(db, actor, case_id, decision_id)
    check = check_repository.open_check(db, decision.id, actor.user_id)
    if check is None:
        raise ValidationFailed({"check": "Start the check first"})
    if eligible_count(
        db, actor, decision, "approve_all"
    ) != check.letters or check_repository.changed_since(db, decision.id, check.created_at):
        raise ValidationFailed({"check": MORE_DRAFTED})
    if check_repository.unread(db, check.id):
        raise ValidationFailed({"check": NOT_ALL_READ})
    job = enqueue_bulk(db, actor, decision, action="approve_all", checklist=checklist)
    check.approved_at = utc_now()
    check.job_id = job.id
    db.flush()
    return job
