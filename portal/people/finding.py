"""Finding people by exact name and date of birth through their blind indexes (the vault), then
decrypting the candidates to drop false positives; the search itself is logged."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.models import Case
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.security.crypto import normalise


def search_people(
    db: Session,
    vault: Vault,
    actor: Actor,
    *,
    name: str | None = None,
    date_of_birth: date | None = None,
) -> list[tuple[Person, Case]]:
    """Exact-match search through blind indexes, then decrypt to drop false positives."""
    if not name and not date_of_birth:
        return []
    name_index = vault.blind_index("person.full_name", name) if name else None
    dob_index = (
        vault.blind_index("person.date_of_birth", date_of_birth.isoformat())
        if date_of_birth
        else None
    )
    candidates = cases_repo.visible_people_by_index(
        db, actor, name_index=name_index, dob_index=dob_index
    )
    vault.load({p.key_id for p, _ in candidates})
    results = []
    for person, case in candidates:
        if name and not vault.matches(person, "full_name", name, normalise=normalise):
            continue
        if date_of_birth and not vault.matches(person, "date_of_birth", date_of_birth.isoformat()):
            continue
        results.append((person, case))
    used = [f for f, v in (("name", name), ("date_of_birth", date_of_birth)) if v]
    audit.consulted(db, actor, "person.search", "search", *used)
    return results
