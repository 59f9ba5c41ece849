"""Replaying the erasure ledger into a database (after a restore)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.audit import service as audit
from portal.clock import utc_now
from portal.db.session import unit_of_work
from portal.keys.ledger import Erasure, ErasureLedger
from portal.keys.models import DataKey
from portal.people import name_index
from portal.people.models import Person


def replay(factory: sessionmaker[Session], erasures: Iterable[Erasure]) -> int:
    """Destroy every key of every person in ``erasures`` that is still readable; returns how
    many people it had to erase again. Idempotent. Every key the person owns goes (a backup
    taken before a data-key rotation holds their older key)."""
    again = 0
    with unit_of_work(factory) as session:
        for erasure in erasures:
            keys = list(
                session.scalars(
                    select(DataKey).where(
                        DataKey.owner_id == erasure.owner_id, DataKey.wrapped.is_not(None)
                    )
                )
            )
            person = session.get(Person, erasure.owner_id)
            if not keys and (person is None or person.erased):
                continue
            now = utc_now()
            for key in keys:
                key.wrapped = None
                key.state = "destroyed"
                key.destroyed_at = now
            if person is not None:
                person.erased = True
                person.name_index = None
                person.dob_index = None
            name_index.remove_name_words(session, erasure.owner_id)
            session.flush()
            where = ("person", erasure.owner_id, None)
            whom = audit.Someone(erasure.owner_id, person.reference if person else None)
            audit.record_in_case(
                session, None, "erasure", "person.erase_replayed", where, person=whom
            )
            again += 1
    return again


def replay_own_ledger(factory: sessionmaker[Session], instance_dir: Path) -> int:
    """Before the portal serves: erase again anyone in this instance's own ledger whom the
    database holds readable (it came back from a copy taken before the erasure, by a restore
    that did not replay the ledger). Returns how many; 0 on every ordinary start."""
    return replay(factory, ErasureLedger.in_instance(instance_dir).entries())
