"""Blind indexes of a person's name words and of how each word sounds (issue 15 point 8).

The exact-name index (``person.name_index``) finds the whole name as recorded. These find a
first name or a surname alone ("Vera"), a name typed with other apostrophes or quotes, and a
sound-alike spelling ("Smyth" for "Smith", "Kathryn" for "Catherine"):

* each word of the normalised name (``crypto.name_words``: "O’Brien" -> "obrien"), indexed as
  ``person.full_name.word``;
* the Metaphone code of each word (``jellyfish.metaphone``: "smith" and "smyth" are both
  ``SM0``), indexed as ``person.full_name.sound``

(``portal.security.name_search`` computes and compares them).

Both are keyed HMACs under the blind-index key, truncated like every blind index, one
``person_name_word`` row a value, with nothing saying which word or which kind it is
(docs/data-protection.md says what they reveal and how it is bounded). A sealed identity and an
erased person have none. Search decrypts every candidate and keeps only true matches
(``name_search.matches_words``), so truncation and shared sounds never show anyone who does
not match.

``reindex`` recomputes every blind index of every person through the key vault: the backfill
for existing people (migration 0018), and the second half of ``portal keys rotate --index``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.clock import utc_now
from portal.db.session import unit_of_work
from portal.keys.models import DataKey, KeyRotation
from portal.keys.vault import KeyCache, Vault
from portal.people.models import Person, PersonNameWord, PersonReference
from portal.security.crypto import KeyProvider
from portal.security.name_search import word_values

log = logging.getLogger("portal.security")


def put_name_words(db: Session, vault: Vault, person: Person, full_name: str | None) -> None:
    """Replace the person's name-word rows (the person row is already flushed). None for a
    sealed identity or an erased person: their name is not searchable."""
    values: set[int] = set()
    if full_name and not (person.identity_sealed or person.erased):
        values = word_values(vault.blind_index, full_name)
    remove_name_words(db, person.id)
    db.add_all(PersonNameWord(person_id=person.id, value_index=v) for v in values)
    db.flush()


def remove_name_words(db: Session, person_id: uuid.UUID) -> None:
    db.execute(delete(PersonNameWord).where(PersonNameWord.person_id == person_id))


# --- recomputing every blind index (backfill and index-key rotation) ----------------------------

Progress = Callable[[int, int], None]  # (done, total)


def _reindex_person(db: Session, vault: Vault, person: Person) -> None:
    searchable = not (person.erased or person.identity_sealed)
    name = vault.open_text(person, "full_name") if searchable else None
    born = vault.open_text(person, "date_of_birth") if searchable else None
    person.name_index = vault.blind_index("person.full_name", name) if name else None
    person.dob_index = vault.blind_index("person.date_of_birth", born) if born else None
    put_name_words(db, vault, person, name)
    if person.identity_sealed:
        return  # its reference numbers stay as they are: only a grant's holder may match them
    for ref in db.scalars(select(PersonReference).where(PersonReference.person_id == person.id)):
        value = None if person.erased else vault.open_text(ref, "value")
        ref.value_index = vault.blind_index("person_reference.value", value) if value else None


def reindex(
    factory: sessionmaker[Session],
    provider: KeyProvider,
    *,
    index_bits: int,
    batch: int = 200,
    progress: Progress | None = None,
) -> int:
    """Recompute every person's blind indexes under the active index key, a batch of people
    per transaction (by id, so a killed run is simply run again). Returns how many people."""
    with unit_of_work(factory) as db:
        total = int(db.scalar(select(func.count()).select_from(Person)) or 0)
    cache = KeyCache()
    done = 0
    after: uuid.UUID | None = None
    while True:
        with unit_of_work(factory) as db:
            # Opened for the key's owner, never a user: the values go straight into an HMAC.
            vault = Vault(db, provider, cache, index_bits=index_bits)
            query = select(Person).order_by(Person.id).limit(batch)
            if after is not None:
                query = query.where(Person.id > after)
            people = list(db.scalars(query))
            if not people:
                break
            vault.load(_key_ids(people))
            for person in people:
                _reindex_person(db, vault, person)
            after = people[-1].id
        done += len(people)
        if progress:
            progress(done, max(total, done))
    log.info("keys.reindexed people=%s", done)
    return done


def _key_ids(people: Iterable[Person]) -> set[int]:
    return {person.key_id for person in people}


def start_index_rotation(factory: sessionmaker[Session], provider: KeyProvider) -> bool:
    """Retire the blind-index key and make a new one, unless a rotation is already under way
    (then it carries on with the new key). True when a new key was made. Until ``reindex`` has
    finished, people not yet recomputed are found only by their reference in the portal."""
    with unit_of_work(factory) as db:
        if _index_rotation(db) is not None:
            return False
        for key in db.scalars(
            select(DataKey).where(DataKey.purpose == "index", DataKey.state == "active")
        ):
            key.state = "retired"
        db.add(KeyRotation(kind="index", started_at=utc_now()))
        db.flush()
        Vault(db, provider, KeyCache()).new_key("index")
    return True


def finish_index_rotation(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as db:
        rotation = _index_rotation(db)
        if rotation is not None:
            rotation.finished_at = utc_now()


def _index_rotation(db: Session) -> KeyRotation | None:
    return db.scalars(
        select(KeyRotation).where(KeyRotation.kind == "index", KeyRotation.finished_at.is_(None))
    ).first()
