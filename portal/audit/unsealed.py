"""Views of a sealed identity by the holder of an unmasking grant (issue 16 points 2 and 8).

Such a view is a disclosure, distinct from a pseudonymised view (a consultation): the vault
notes whose identifying fields it opened under a grant (``Vault.unsealed_shown``) and the edge
hands them here once the page is built; one row per person, ids and references only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import repository
from portal.audit.service import record

ACTION = "identity.unsealed_view"


def record_views(
    db: Session, actor: Actor, key_ids: Iterable[int], case_id: uuid.UUID | None
) -> int:
    """One disclosure (to the actor) for each person whose identity was shown unsealed."""
    people = repository.people_by_key(db, key_ids)
    for person_id, reference in people:
        record(
            db,
            actor=actor,
            category="disclosure",
            action=ACTION,
            object_type="person",
            object_id=person_id,
            case_id=case_id,
            subject_id=person_id,
            subject_ref=reference,
            recipient=f"user:{actor.user_id}",
        )
    return len(people)
