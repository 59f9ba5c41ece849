"""Decision letters when a person's identity is sealed (an anonymity order is sought).

A letter drafted before the order was sought may name the person ("Dear <full name>", or another
victim's letter that mentions the witness). Every letter of the person's cases is read once and
compared with their true values (portal.anonymity.identity):

* their true identity is replaced in the stored copy (names by the pseudonym, the rest withheld),
  so it is never shown, printed or downloaded again; the letter records when;
* a letter not yet sent goes back to "needs redrafting" (its check voided): it cannot be checked,
  sent, printed or downloaded until an officer redrafts it, and its page says why;
* a sent letter keeps its state: only the stored copy changes, with a notice.

Each change is audited with ids only (the letter, the request and the sealed person).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.anonymity.identity import IdentityMatcher, StoredText
from portal.audit import service as audit
from portal.clock import utc_now
from portal.keys.vault import KeyUnavailable, Vault
from portal.vlu.models import VluLetter, VluRequest
from portal.vlu.service.common import return_for_redraft
from portal.vlu.states import Action, State

RETURNABLE = frozenset({State.DRAFTED, State.CHECKED})


@dataclass(frozen=True, slots=True)
class LettersSwept:
    returned: int = 0  # unsent letters that now need redrafting
    masked: int = 0  # letters (sent or already waiting for a redraft) whose copy was masked


def return_letters_naming(
    db: Session,
    vault: Vault,
    actor: Actor,
    matcher: IdentityMatcher,
    case_ids: Iterable[uuid.UUID],
) -> LettersSwept:
    ids = list(set(case_ids))
    if not ids:
        return LettersSwept()
    rows = db.execute(
        select(VluLetter.id, VluLetter.key_id, VluLetter.body, VluRequest.state)
        .join(VluRequest, VluRequest.id == VluLetter.request_id)
        .where(VluRequest.case_id.in_(ids))
        .order_by(VluLetter.id)
    ).all()
    vault.load({row.key_id for row in rows})
    now = utc_now()
    returned = masked = 0
    for letter_id, key_id, sealed, state_value in rows:
        stored = StoredText(VluLetter.__tablename__, letter_id, key_id, {"body": sealed})
        try:
            body = vault.open_text(stored, "body") or ""
        except KeyUnavailable:
            continue  # an erased victim's letter: nobody can read it any more
        cleaned = matcher.mask(body)
        if cleaned == body:
            continue
        letter = db.get(VluLetter, letter_id)
        assert letter is not None
        request = db.get(VluRequest, letter.request_id)
        assert request is not None
        vault.put(letter, "body", cleaned)
        letter.identity_removed_at = now
        state = State(state_value)
        if state in RETURNABLE:
            return_for_redraft(db, actor, request, Action.IDENTITY_SEALED)
            returned += 1
        else:
            masked += 1
        db.flush()
        returned_now = state in RETURNABLE
        audit.record_in_case(
            db,
            actor,
            "alteration",
            "vlu.letter.returned_for_redraft" if returned_now else "vlu.letter.identity_removed",
            ("vlu_letter", letter.id, request.case_id),
            *(("body", "state") if returned_now else ("body",)),
            person=audit.Someone(matcher.person_id, matcher.reference),
        )
    return LettersSwept(returned=returned, masked=masked)
