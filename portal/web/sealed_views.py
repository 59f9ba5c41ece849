"""Sealed identities at the edge (issue 16 point 2): whether a person's identity is sealed for
the signed-in user (their identifying fields then read "Sealed" and no edit form is offered for
them), and the disclosure row of a page that showed a sealed identity under an approved request
(an unmasked view, logged apart from the page's own consultation row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.keys.vault import Vault


def sealed_for(vault: Vault, person: Any) -> bool:
    """An anonymity order sought for ``person``, and no approved request of this user's."""
    if not getattr(person, "identity_sealed", False):
        return False
    return person.key_id not in vault.unsealed_keys


def log_unmasked(db: Session, actor: Actor, vault: Vault) -> None:
    """Each grant whose identity this request's vault opened: one disclosure row."""
    if not vault.revealed:
        return
    from portal.anonymity.unmasking import record_unmasked_views

    record_unmasked_views(db, actor, set(vault.revealed))
    vault.revealed.clear()
