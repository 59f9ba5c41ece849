"""Mass-victim import: validate a whole CSV file, then add everyone in it to a case, or no one.

Used by the import page (portal.cases.import_routes) and by the demo data generator. Columns and
rules are documented in docs/csv-import.md. This module runs the stages, each in its own module:

1. ``import_rows``: reading and checking the file (no database);
2. matching: rows naming someone already in the case (``already_in_case``, here);
3. ``import_sealing``: wrapping keys and sealing values, in memory;
4. ``import_writing``: the bulk inserts and the audit entries;
5. ``import_report``: the page's read model, the problems by row and column.

It is the one module of the import that knows the people package (its models, its contact
rules and its references); the stages get what they need from here.

* **All or nothing.** Every row is checked first; any error rejects the whole file with every
  problem named by row and column, and nothing is written. The insert runs in the caller's unit of
  work, so a database failure part-way rolls everything back too.
* **Bulk paths.** People are inserted with one executemany per table on SQLite and one ``COPY``
  per table on PostgreSQL, not one ORM flush each. A naive import costs an INSERT and an UPDATE
  per data key, because the wrapping context includes the key id: here key ids are reserved up
  front (a PostgreSQL sequence range, or ids above ``max(id)`` on SQLite), every key is wrapped
  and every value sealed in memory, and only then is anything written.
* **Short locks.** ``import_csv(..., release=commit)`` commits before parsing and before sealing,
  so the transaction that writes starts only when everything is ready (SQLite holds its write
  lock for about 0.8 s per 5,000 rows). Still all or nothing: nothing is written before it.
* **Same formats as the vault.** Values are sealed with ``portal.security.crypto`` exactly as
  ``Vault.put`` does (same associated data), and keys are wrapped with the vault's context, so
  ``Vault.open`` reads imported people like any other (tests check this).
* **Audit.** One ``collection`` entry per person imported (subject id and reference, field names,
  never values), chained in one batch, plus one summary entry for the case. Per-person entries keep
  each person's own history complete: a subject access request or an erasure reads the log by
  subject id, and a summary row alone would hide where their data came from.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases import repository
from portal.cases.errors import NotPermitted
from portal.cases.events import PeopleAddedToCase
from portal.cases.import_report import ImportPage
from portal.cases.import_rows import (
    COLUMNS,
    MAX_BYTES,
    MAX_CELL,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ContactRules,
    ImportRejected,
    NewPerson,
    ParsedFile,
    RowError,
    decode,
    sort_errors,
)
from portal.cases.import_rows import parse as parse_rows
from portal.cases.import_sealing import Built, Indexer, Sealer, build, key_context
from portal.cases.import_writing import (
    IN_CHUNK,
    KEY_ID_SPARE,
    AuditEntry,
    KeyIdsTaken,
    bulk_insert,
    record_many,
    reserve_key_ids,
)
from portal.cases.models import Case, CaseParty
from portal.clock import LONDON, utc_now
from portal.keys.models import DataKey
from portal.keys.vault import Vault
from portal.kit.events import publish
from portal.people.models import Person, PersonNameWord, PersonReference
from portal.people.service import SAFE_CONTACT_CHANNELS, CommunicationNeeds, SafeContact
from portal.security.crypto import normalise

__all__ = [
    "COLUMNS",
    "KEY_ID_SPARE",
    "MAX_BYTES",
    "MAX_CELL",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "AuditEntry",
    "ImportOutcome",
    "ImportPage",
    "ImportRejected",
    "ImportResult",
    "KeyIdsTaken",
    "NewPerson",
    "ParsedFile",
    "RowError",
    "already_in_case",
    "decode",
    "import_csv",
    "import_into_case",
    "import_page",
    "insert_people",
    "parse",
    "record_many",
    "reserve_key_ids",
]

log = logging.getLogger(__name__)

# The stages' names as this module has always had them (tests and the benchmark use them).
_build = build
_Built = Built
_Indexer = Indexer
_Sealer = Sealer
_key_context = key_context
_bulk_insert = bulk_insert
_sort = sort_errors

CONTACT = ContactRules(
    channels=SAFE_CONTACT_CHANNELS,
    needs=lambda language, interpreter: CommunicationNeeds(
        language=language, interpreter=interpreter
    ),
    safe_contact=lambda channels, no_voicemail: SafeContact(
        channels=channels, no_voicemail=no_voicemail
    ),
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: int
    person_ids: list[uuid.UUID]
    seconds: float


def parse(source: str, *, today: date) -> ParsedFile:
    """Check every row. Nothing is written; ``errors`` is empty only if the whole file is good."""
    return parse_rows(source, today=today, contact=CONTACT)


def _require_editor(actor: Actor) -> None:
    if not actor.can(Permission.IMPORT_PEOPLE):
        raise NotPermitted("only witness care officers and prosecutors import people")


def import_csv(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    source: str,
    *,
    today: date | None = None,
    release: Callable[[], None] | None = None,
) -> ImportResult:
    """Check the whole file, then import every row; raises ``ImportRejected`` with every problem.

    ``case`` must come from the scoped repository (``portal.cases.repository.get_case``).

    Without ``release`` everything happens in the caller's transaction. With it (the web page
    passes a commit), the slow work runs outside any transaction: ``release`` is called before
    the file is parsed and again before values are sealed, so on SQLite the write lock is held
    only for the short checks and the inserts. Nothing is written before the last step, so the
    import is still all or nothing.
    """
    _require_editor(actor)
    started = time.perf_counter()
    if case.status != "open":
        raise ImportRejected([RowError(0, "", "This case is closed: people cannot be added")])
    if release is not None:
        release()
    parsed = parse(source, today=today or utc_now().date())
    if parsed.errors:
        sort_errors(parsed.errors)
        raise ImportRejected(parsed.errors, parsed.row_count)
    index = Indexer(vault)
    found, matches = already_in_case(db, vault, case, parsed, index)
    if found:
        sort_errors(found)
        raise ImportRejected(found, parsed.row_count, matches)
    count = len(parsed.people)
    spare = KEY_ID_SPARE if release is not None else 0
    key_ids = reserve_key_ids(db, vault, count, index=index, spare=spare)
    if release is not None:
        release()
    built = _build(vault, case, parsed.people, key_ids, index=index)
    fields = tuple(c for c in parsed.columns if c != "role")
    try:
        ids = _write(db, actor, case, built, fields=fields, audit_action="person.import")
    except KeyIdsTaken:  # rare: another writer used more than KEY_ID_SPARE keys meanwhile
        key_ids = reserve_key_ids(db, vault, count, index=index)
        built = _build(vault, case, parsed.people, key_ids, index=index)
        ids = _write(db, actor, case, built, fields=fields, audit_action="person.import")
    return ImportResult(len(ids), ids, time.perf_counter() - started)


def already_in_case(
    db: Session, vault: Vault, case: Case, parsed: ParsedFile, index: Indexer | None = None
) -> tuple[list[RowError], list[tuple[uuid.UUID, str]]]:
    """Rows whose name and date of birth match someone already in the case (a file imported
    twice, say). Blind indexes find candidates; decrypting them drops false matches."""
    index = index or Indexer(vault)
    wanted: dict[tuple[int, int], list[int]] = {}
    for position, new in enumerate(parsed.people):
        if new.date_of_birth is None:
            continue
        name_index = index("person.full_name", new.full_name)
        dob_index = index("person.date_of_birth", new.date_of_birth.isoformat())
        if name_index is not None and dob_index is not None:
            wanted.setdefault((name_index, dob_index), []).append(position)
    if not wanted:
        return [], []
    existing = db.scalar(
        select(func.count()).select_from(CaseParty).where(CaseParty.case_id == case.id)
    )
    if not existing:
        return [], []
    name_indexes = sorted({k[0] for k in wanted})
    match_ids: list[uuid.UUID] = []
    for start in range(0, len(name_indexes), IN_CHUNK):
        chunk = name_indexes[start : start + IN_CHUNK]
        for person_id, name_index, dob_index in db.execute(
            select(Person.id, Person.name_index, Person.dob_index)
            .join(CaseParty, CaseParty.person_id == Person.id)
            .where(CaseParty.case_id == case.id, Person.name_index.in_(chunk))
        ):
            if (name_index, dob_index) in wanted:
                match_ids.append(person_id)
    matches: list[Person] = []
    for start in range(0, len(match_ids), IN_CHUNK):
        matches.extend(
            db.scalars(select(Person).where(Person.id.in_(match_ids[start : start + IN_CHUNK])))
        )
    if not matches:
        return [], []
    vault.load({p.key_id for p in matches})
    errors: list[RowError] = []
    named: list[tuple[uuid.UUID, str]] = []
    for found in matches:
        if found.erased:
            continue
        name = normalise(vault.open_text(found, "full_name") or "")
        born = vault.open_text(found, "date_of_birth")
        for position in wanted[(found.name_index or 0, found.dob_index or 0)]:
            incoming = parsed.people[position]
            incoming_born = incoming.date_of_birth.isoformat() if incoming.date_of_birth else None
            if normalise(incoming.full_name) == name and incoming_born == born:
                errors.append(
                    RowError(
                        parsed.rows[position],
                        "full_name",
                        f"This person is already in the case (reference {found.reference}): "
                        "remove the row",
                    )
                )
                named.append((found.id, found.reference))
    return errors, list(dict.fromkeys(named))


# ``portal.people.service.new_reference``'s format, drawn in bulk (a test checks they agree):
# "P-" and 8 of these letters, each equally likely (bytes 252-255 are dropped, 252 = 9 x 28).
REFERENCE_ALPHABET = "23456789BCDFGHJKLMNPQRSTVWXZ"
_LETTERS = bytes(ord(REFERENCE_ALPHABET[b % 28]) for b in range(252)) + bytes(4)
_UNEVEN = bytes(range(252, 256))


def new_references(count: int) -> list[str]:
    """``count`` random person references (maybe taken: see ``_unique_references``), from one
    draw of random bytes rather than eight system calls each."""
    letters = ""
    while len(letters) < count * 8:
        raw = secrets.token_bytes(count * 8 + count // 8 + 16)
        letters += raw.translate(_LETTERS, _UNEVEN).decode("ascii")
    return ["P-" + letters[i : i + 8] for i in range(0, count * 8, 8)]


def _unique_references(db: Session, count: int) -> list[str]:
    """``count`` new person references, unique among themselves and in the database."""
    chosen: set[str] = set()
    while len(chosen) < count:
        fresh: set[str] = set()
        while len(chosen) + len(fresh) < count:
            for candidate in new_references(count - len(chosen) - len(fresh)):
                if candidate not in chosen:
                    fresh.add(candidate)
        pending = sorted(fresh)
        for start in range(0, len(pending), IN_CHUNK):
            chunk = pending[start : start + IN_CHUNK]
            fresh.difference_update(
                db.scalars(select(Person.reference).where(Person.reference.in_(chunk)))
            )
        chosen |= fresh
    return list(chosen)


def insert_people(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    people: Sequence[NewPerson],
    *,
    fields: Iterable[str] = (),
    audit_action: str = "person.import",
    index: Indexer | None = None,
    known_from_the_start: bool = False,
) -> list[uuid.UUID]:
    """Add ``people`` (already validated) to ``case`` in bulk, in the caller's transaction;
    returns their person ids. Events already recorded owe them their rights from today, unless
    they were ``known_from_the_start`` (the demo, whose own events are dated before it adds
    people, then creates their obligations as of each event)."""
    _require_editor(actor)
    if not people:
        return []
    index = index or Indexer(vault)
    key_ids = reserve_key_ids(db, vault, len(people), index=index)
    built = _build(vault, case, people, key_ids, index=index)
    return _write(
        db,
        actor,
        case,
        built,
        fields=fields,
        audit_action=audit_action,
        identified=not known_from_the_start,
    )


def _write(
    db: Session,
    actor: Actor,
    case: Case,
    built: Built,
    *,
    fields: Iterable[str],
    audit_action: str,
    identified: bool = True,
) -> list[uuid.UUID]:
    """Insert what ``_build`` made, and the audit entries. Needs the write transaction.
    ``identified``: publish that they were identified today (their rights from recorded events)."""
    now = utc_now()
    if built.key_ids and db.get_bind().dialect.name != "postgresql":
        taken = db.scalar(
            select(func.count())
            .select_from(DataKey)
            .where(DataKey.id.between(min(built.key_ids), max(built.key_ids)))
        )
        if taken:
            raise KeyIdsTaken
    references = _unique_references(db, len(built.person_rows))
    for row, reference in zip(built.person_rows, references, strict=True):
        row["reference"] = reference
    bulk_insert(db, DataKey, built.key_rows)
    bulk_insert(db, Person, built.person_rows)
    bulk_insert(db, CaseParty, built.party_rows)
    bulk_insert(db, PersonReference, built.reference_rows)
    bulk_insert(db, PersonNameWord, built.name_word_rows)
    field_names = sorted(set(fields)) or ["full_name"]
    entries = [
        AuditEntry(
            action=audit_action,
            object_type="person",
            object_id=str(person_id),
            case_id=case.id,
            subject_id=person_id,
            subject_ref=reference,
            fields=field_names,
        )
        for person_id, reference in zip(built.person_ids, references, strict=True)
    ]
    entries.append(
        AuditEntry(
            action="case.import",
            object_type="case",
            object_id=str(case.id),
            case_id=case.id,
            fields=field_names,
        )
    )
    record_many(db, actor, "collection", entries, now=now)
    # Events already recorded in the case owe the people imported now their rights.
    if identified:
        party_ids = tuple(row["id"] for row in built.party_rows)
        publish(db, PeopleAddedToCase(case.id, party_ids, actor, now.astimezone(LONDON).date()))
    return built.person_ids


# --- the import page's use cases ------------------------------------------------------------


def import_page(unit: Unit, case_id: uuid.UUID) -> ImportPage:
    """The empty import page of a case the actor may see."""
    if not unit.actor.can(Permission.IMPORT_PEOPLE):
        raise NotPermitted("only witness care officers and prosecutors import people")
    return ImportPage(repository.get_case(unit.db, unit.actor, case_id))


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    case: Case
    result: ImportResult | None = None
    rejected: ImportRejected | None = None

    @property
    def message(self) -> str:
        imported = self.result.imported if self.result else 0
        noun = "person" if imported == 1 else "people"
        return f"{imported:,} {noun} imported into case {self.case.urn}"


def import_into_case(
    unit: Unit,
    case_id: uuid.UUID,
    source: str | ImportRejected,
    *,
    release: Callable[[], None] | None = None,
) -> ImportOutcome:
    """Import ``source`` (the file's text, or why the upload itself was refused) into a case the
    actor may see: everyone or no one. A rejection names every problem; saying someone is
    already in the case (by reference) consults their record, which is logged."""
    case = repository.get_case(unit.db, unit.actor, case_id)
    if isinstance(source, ImportRejected):
        return ImportOutcome(case, rejected=source)
    try:
        result = import_csv(unit.db, unit.vault, unit.actor, case, source, release=release)
    except ImportRejected as rejected:
        if rejected.matches:
            audit.record_consultations(
                unit.db,
                actor=unit.actor,
                action="person.import_match",
                subjects=rejected.matches,
                case_id=case.id,
            )
        return ImportOutcome(case, rejected=rejected)
    log.info(
        "import.done case_id=%s people=%s seconds=%.2f", case.id, result.imported, result.seconds
    )
    return ImportOutcome(case, result=result)
