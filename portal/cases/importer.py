"""Mass-victim import: validate a whole CSV file, then add everyone in it to a case, or no one.

Used by the import page (portal.cases.import_routes) and by the demo data generator. Columns and
rules are documented in docs/csv-import.md.

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

import csv
import io
import os
import re
import struct
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.cases.errors import NotPermitted
from portal.cases.events import PeopleAddedToCase
from portal.cases.models import Case, CaseParty
from portal.clock import LONDON, utc_now
from portal.db.encrypted import EncryptedBlob, PlaintextRefused, Sealed
from portal.db.session import serialize_on
from portal.keys.models import DataKey
from portal.keys.vault import Vault
from portal.kit.events import publish
from portal.people.models import Person, PersonReference
from portal.people.service import (
    SAFE_CONTACT_CHANNELS,
    CommunicationNeeds,
    SafeContact,
    new_reference,
)
from portal.security import crypto
from portal.security.crypto import normalise

MAX_ROWS = 10_000
MAX_BYTES = 8 * 1024 * 1024
MAX_CELL = 500

COLUMNS: tuple[str, ...] = (
    "full_name",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "role",
    "report_fraud_ref",
    "action_fraud_ref",
    "police_crn",
    "language",
    "interpreter",
    "safe_channels",
    "no_voicemail",
)
REQUIRED_COLUMNS = ("full_name", "role")
REFERENCE_COLUMNS = {
    "report_fraud_ref": "report_fraud",
    "action_fraud_ref": "action_fraud",
    "police_crn": "police_crn",
}
ROLES = {"victim": (True, False), "witness": (False, True), "both": (True, True)}
YES = {"yes", "y", "true"}
NO = {"no", "n", "false"}
CHANNEL_NEEDS = {"email": "email", "phone": "phone", "text": "phone", "letter": "address"}

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9 +()\-.]+$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /\-]*$")
_LANGUAGE = re.compile(r"^[^\W\d_][\w ()'\-]*$")

_INSERT_BATCH = 5_000
_IN_CHUNK = 900  # below SQLite's oldest host-parameter limit


# --- what goes in ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPerson:
    """One validated person, ready for the bulk insert (the demo generator fills more fields)."""

    full_name: str
    is_victim: bool = True
    is_witness: bool = False
    date_of_birth: date | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    is_business: bool = False
    business_contact: str | None = None
    references: tuple[tuple[str, str], ...] = ()  # (kind, value)
    needs: CommunicationNeeds | None = None
    safe_contact: SafeContact | None = None
    vulnerable: bool = False
    intimidated: bool = False
    persistently_targeted: bool = False
    enhanced_reasons: str | None = None
    risk_level: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with the file. ``row`` counts as a spreadsheet does (the header is row 1);
    0 means the file as a whole. ``column`` is the CSV column name, or "" for the whole row."""

    row: int
    column: str
    message: str


@dataclass(slots=True)
class ParsedFile:
    people: list[NewPerson] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # the spreadsheet row of each person
    columns: tuple[str, ...] = ()
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0


class ImportRejected(Exception):
    """The file was not imported. ``errors`` names every problem found."""

    def __init__(
        self,
        errors: Sequence[RowError],
        row_count: int = 0,
        matches: Sequence[tuple[uuid.UUID, str]] = (),
    ) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = list(errors)
        self.row_count = row_count
        # People already in the case whom the errors name (id, reference): the caller logs
        # that their records were consulted.
        self.matches = list(matches)

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors if e.row})


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: int
    person_ids: list[uuid.UUID]
    seconds: float


# --- reading and checking the file ----------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text. CSV from Excel is UTF-8 with a byte-order mark ("CSV UTF-8")."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(
            [RowError(0, "", f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            [RowError(0, "", "The file must be saved as CSV UTF-8 (comma delimited)")]
        ) from None


def _clean_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def parse(source: str, *, today: date) -> ParsedFile:
    """Check every row. Nothing is written; ``errors`` is empty only if the whole file is good."""
    parsed = ParsedFile()
    if source.startswith("\ufeff"):
        source = source[1:]
    if not source.strip():
        parsed.errors.append(RowError(0, "", "The file is empty"))
        return parsed
    try:
        records = list(_limited(csv.reader(io.StringIO(source, newline="")), MAX_ROWS + 2))
    except csv.Error:
        parsed.errors.append(
            RowError(0, "", "The file is not a valid CSV file: check quotes are closed")
        )
        return parsed
    header = [_clean_header(h) for h in records[0]]
    while header and header[-1] == "":
        header.pop()  # trailing empty columns from spreadsheets
    unknown = [h for h in header if h not in COLUMNS]
    duplicated = [h for position, h in enumerate(header) if h in header[:position]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    for name in unknown:
        label = name or "(blank)"
        parsed.errors.append(RowError(1, name, f"Column ‘{label}’ is not one this page accepts"))
    for name in dict.fromkeys(duplicated):
        parsed.errors.append(RowError(1, name, f"Column ‘{name}’ appears more than once"))
    for name in missing:
        parsed.errors.append(RowError(1, name, f"Add a ‘{name}’ column"))
    data = records[1:]
    while data and not any(cell.strip() for cell in data[-1]):
        data.pop()  # blank lines at the end
    parsed.row_count = len(data)
    if len(data) > MAX_ROWS:
        parsed.errors.append(
            RowError(
                0,
                "",
                f"The file has more than {MAX_ROWS:,} rows: split it into files of "
                f"{MAX_ROWS:,} rows or fewer",
            )
        )
        return parsed
    if not data:
        parsed.errors.append(RowError(0, "", "The file has no rows below the header row"))
    if parsed.errors:
        return parsed
    parsed.columns = tuple(header)
    first_seen: dict[tuple[str, str], int] = {}
    for offset, record in enumerate(data):
        row_number = offset + 2
        if not any(cell.strip() for cell in record):
            continue  # a blank line in the middle is not a person
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            parsed.errors.append(
                RowError(row_number, "", "The row has more values than there are columns")
            )
            continue
        cells = {
            name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)
        }
        person, errors = _check_row(cells, row_number, today)
        if person is not None and person.date_of_birth is not None:
            key = (normalise(person.full_name), person.date_of_birth.isoformat())
            if key in first_seen:
                errors.append(
                    RowError(
                        row_number,
                        "full_name",
                        f"Same name and date of birth as row {first_seen[key]}: "
                        "remove one of the rows",
                    )
                )
            else:
                first_seen[key] = row_number
        if errors:
            parsed.errors.extend(errors)
        elif person is not None:
            parsed.people.append(person)
            parsed.rows.append(row_number)
    return parsed


def _limited(reader: Iterable[list[str]], limit: int) -> Iterable[list[str]]:
    for count, record in enumerate(reader):
        if count >= limit:
            return
        yield record


def _yes_no(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


def _date(value: str) -> tuple[date | None, str]:
    iso = _ISO_DATE.fullmatch(value)
    uk = _UK_DATE.fullmatch(value)
    if iso:
        year, month, day = (int(p) for p in iso.groups())
    elif uk:
        day, month, year = (int(p) for p in uk.groups())
    else:
        return None, "Date of birth must be in the format YYYY-MM-DD or DD/MM/YYYY"
    try:
        return date(year, month, day), ""
    except ValueError:
        return None, "Date of birth must be a real date"


def _check_row(
    cells: dict[str, str], row: int, today: date
) -> tuple[NewPerson | None, list[RowError]]:
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    for name, value in cells.items():
        if len(value) > MAX_CELL:
            bad(name, f"Must be {MAX_CELL} characters or fewer")
    if errors:
        return None, errors

    full_name = " ".join(cells.get("full_name", "").split())
    if not full_name:
        bad("full_name", "Enter the person’s full name")
    elif len(full_name) > 200:
        bad("full_name", "Full name must be 200 characters or fewer")

    born: date | None = None
    if cells.get("date_of_birth"):
        born, message = _date(cells["date_of_birth"])
        if message:
            bad("date_of_birth", message)
        elif born is not None and born >= today:
            bad("date_of_birth", "Date of birth must be in the past")
        elif born is not None and born.year < 1900:
            bad("date_of_birth", "Date of birth must be after 1900")

    phone = cells.get("phone", "")
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE.fullmatch(phone) or not 7 <= digits <= 15:
            bad("phone", "Enter a telephone number, like 01632 960 001 or +44 808 157 0192")

    email = cells.get("email", "")
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        bad("email", "Enter an email address in the correct format, like name@example.com")

    role = cells.get("role", "").lower()
    if not role:
        bad("role", "Enter the person’s role: victim, witness or both")
    elif role not in ROLES:
        bad("role", "Role must be victim, witness or both")

    references: list[tuple[str, str]] = []
    for column, kind in REFERENCE_COLUMNS.items():
        value = cells.get(column, "")
        if not value:
            continue
        if len(value) > 40 or not _REFERENCE.fullmatch(value):
            bad(
                column,
                "Reference must be 40 characters or fewer: letters, numbers, spaces, / and -",
            )
        else:
            references.append((kind, value))

    language = " ".join(cells.get("language", "").split())
    if language and (len(language) > 60 or not _LANGUAGE.fullmatch(language)):
        bad("language", "Language must be a language name of 60 characters or fewer")

    flags: dict[str, bool] = {}
    for column in ("interpreter", "no_voicemail"):
        value = cells.get(column, "")
        if not value:
            flags[column] = False
            continue
        answer = _yes_no(value)
        if answer is None:
            bad(column, f"{column.replace('_', ' ').capitalize()} must be yes or no")
        else:
            flags[column] = answer
    if flags.get("interpreter") and not language:
        bad("language", "Enter the language the interpreter is needed for")

    channels: list[str] = []
    raw_channels = cells.get("safe_channels", "")
    if raw_channels:
        for part in re.split(r"[;|]", raw_channels):
            channel = "_".join(part.strip().lower().split())
            if not channel:
                continue
            if channel not in SAFE_CONTACT_CHANNELS:
                bad(
                    "safe_channels",
                    f"‘{part.strip()[:30]}’ is not a contact method: use "
                    + ", ".join(SAFE_CONTACT_CHANNELS),
                )
                break
            if channel not in channels:
                channels.append(channel)
        values = {"email": email, "phone": phone, "address": cells.get("address", "")}
        for channel in channels:
            needed = CHANNEL_NEEDS.get(channel)
            if (
                needed
                and not values[needed]
                and not any(e.column == "safe_channels" for e in errors)
            ):
                bad("safe_channels", f"Safe channels include {channel} but there is no {needed}")

    if errors:
        return None, errors
    is_victim, is_witness = ROLES[role]
    needs = (
        CommunicationNeeds(language=language, interpreter=flags.get("interpreter", False))
        if language or flags.get("interpreter")
        else None
    )
    safe = (
        SafeContact(channels=tuple(channels), no_voicemail=flags.get("no_voicemail", False))
        if channels or flags.get("no_voicemail")
        else None
    )
    return (
        NewPerson(
            full_name=full_name,
            is_victim=is_victim,
            is_witness=is_witness,
            date_of_birth=born,
            address=cells.get("address") or None,
            phone=phone or None,
            email=email or None,
            references=tuple(references),
            needs=needs,
            safe_contact=safe,
        ),
        [],
    )


# --- the import -----------------------------------------------------------------------------


def _require_editor(actor: Actor) -> None:
    if actor.role not in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR}:
        raise NotPermitted("only witness care officers and prosecutors import people")


KEY_ID_SPARE = 1_000  # SQLite: ids left free for other writers between reserving and inserting


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
        _sort(parsed.errors)
        raise ImportRejected(parsed.errors, parsed.row_count)
    index = _Indexer(vault)
    found, matches = already_in_case(db, vault, case, parsed, index)
    if found:
        _sort(found)
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


def _sort(errors: list[RowError]) -> None:
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))


def already_in_case(
    db: Session, vault: Vault, case: Case, parsed: ParsedFile, index: _Indexer | None = None
) -> tuple[list[RowError], list[tuple[uuid.UUID, str]]]:
    """Rows whose name and date of birth match someone already in the case (a file imported
    twice, say). Blind indexes find candidates; decrypting them drops false matches."""
    index = index or _Indexer(vault)
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
    for start in range(0, len(name_indexes), _IN_CHUNK):
        chunk = name_indexes[start : start + _IN_CHUNK]
        for person_id, name_index, dob_index in db.execute(
            select(Person.id, Person.name_index, Person.dob_index)
            .join(CaseParty, CaseParty.person_id == Person.id)
            .where(CaseParty.case_id == case.id, Person.name_index.in_(chunk))
        ):
            if (name_index, dob_index) in wanted:
                match_ids.append(person_id)
    matches: list[Person] = []
    for start in range(0, len(match_ids), _IN_CHUNK):
        matches.extend(
            db.scalars(select(Person).where(Person.id.in_(match_ids[start : start + _IN_CHUNK])))
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


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _unique_references(db: Session, count: int) -> list[str]:
    """``count`` new person references, unique among themselves and in the database."""
    chosen: set[str] = set()
    while len(chosen) < count:
        fresh: set[str] = set()
        while len(chosen) + len(fresh) < count:
            candidate = new_reference()
            if candidate not in chosen:
                fresh.add(candidate)
        pending = sorted(fresh)
        for start in range(0, len(pending), _IN_CHUNK):
            chunk = pending[start : start + _IN_CHUNK]
            fresh.difference_update(
                db.scalars(select(Person.reference).where(Person.reference.in_(chunk)))
            )
        chosen |= fresh
    return list(chosen)


class _Sealer:
    """Seals many values quickly, in exactly ``crypto.seal``'s format.

    ``crypto.associated_data`` rebuilds the whole associated data for every value; here the part
    that is the same for every row of a column (app, version, table, column) is built once. The
    bytes are identical (tests open imported values with ``Vault.open``).
    """

    def __init__(self) -> None:
        self._prefixes: dict[tuple[str, str], bytes] = {}

    def seal(
        self, aead: AESGCM, key_id: int, table: str, column: str, row_id: str, value: str
    ) -> Sealed:
        prefix = self._prefixes.get((table, column))
        if prefix is None:
            full = crypto.associated_data(table, column, "", 0)
            prefix = full[: len(full) - len(_field(b"")) - len(_field(b"0"))]
            self._prefixes[(table, column)] = prefix
        aad = prefix + _field(row_id.encode()) + _field(str(key_id).encode())
        nonce = os.urandom(crypto.NONCE_BYTES)
        header = crypto.HEADER.pack(crypto.FORMAT_VERSION, key_id)
        return Sealed(header + nonce + aead.encrypt(nonce, value.encode("utf-8"), aad))


def _field(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


class _Indexer:
    """Blind indexes for non-empty values, remembered for the length of one import."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._key: bytes | None = None
        self._seen: dict[tuple[str, str], int] = {}

    def prepare(self) -> None:
        """Fetch (or create) the index key now, before key ids are reserved."""
        if self._key is None:
            self._key = self._vault.index_key()

    def __call__(self, name: str, value: str | None) -> int | None:
        if not value:
            return None
        found = self._seen.get((name, value))
        if found is None:  # values reaching here are validated, so never blank once normalised
            if self._key is None:
                self._key = self._vault.index_key()
            found = crypto.blind_index(self._key, name, value, self._vault.index_bits)
            self._seen[(name, value)] = found
        return found


def _key_context(key_id: int, purpose: str, owner_id: uuid.UUID) -> bytes:
    """``portal.keys.vault``'s wrapping context for a data key (a test checks they agree)."""
    return f"{key_id}|{purpose}|{owner_id}".encode()


def _with_defaults(table: Table, rows: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """Fill columns the rows leave out from their Python-side defaults (a column added later
    with ``default=`` must not break the bulk path); refuse if a required column has none."""
    fill: dict[str, Any] = {}
    for column in table.columns:
        if column.name in rows[0]:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            fill[column.name] = getattr(default, "arg", None)
        elif column.nullable and default is None and column.server_default is None:
            fill[column.name] = None
        elif column.server_default is None:
            raise ValueError(f"bulk insert into {table.name} needs a value for {column.name}")
    if not fill:
        return rows
    return [{**fill, **row} for row in rows]


def _bulk_insert(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    table = _table(model)
    rows = _with_defaults(table, rows)
    dialect = db.get_bind().dialect
    if dialect.name != "postgresql":
        # executemany through the driver, with each column type's own bind processing (the
        # EncryptedBlob guard included), minus SQLAlchemy's per-row statement bookkeeping.
        columns = list(rows[0])
        compiled = insert(table).compile(dialect=dialect, column_keys=columns)
        order = [compiled.binds[name].key for name in compiled.positiontup or ()]
        processors = [table.c[name].type.bind_processor(dialect) for name in order]
        pairs = list(zip(order, processors, strict=True))
        params = [
            tuple(row[name] if fn is None else fn(row[name]) for name, fn in pairs) for row in rows
        ]
        connection = db.connection()
        for start in range(0, len(params), _INSERT_BATCH):
            connection.exec_driver_sql(compiled.string, params[start : start + _INSERT_BATCH])
        return
    from psycopg import sql  # PostgreSQL only

    columns = list(rows[0])
    sealed = [table.c[name].type.__class__ is EncryptedBlob for name in columns]
    raw = db.connection().connection.driver_connection
    if raw is None:
        raise RuntimeError("no database connection")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in columns]
            for position, is_sealed in enumerate(sealed):
                value = values[position]
                if is_sealed and value is not None:
                    if not isinstance(value, Sealed):  # the column type's guard, kept here
                        raise PlaintextRefused("encrypted column given a plain value")
                    values[position] = bytes(value)
            copy.write_row(values)


def insert_people(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    people: Sequence[NewPerson],
    *,
    fields: Iterable[str] = (),
    audit_action: str = "person.import",
    index: _Indexer | None = None,
    known_from_the_start: bool = False,
) -> list[uuid.UUID]:
    """Add ``people`` (already validated) to ``case`` in bulk, in the caller's transaction;
    returns their person ids. Events already recorded owe them their rights from today, unless
    they were ``known_from_the_start`` (the demo, whose own events are dated before it adds
    people, then creates their obligations as of each event)."""
    _require_editor(actor)
    if not people:
        return []
    index = index or _Indexer(vault)
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


def reserve_key_ids(
    db: Session, vault: Vault, count: int, *, index: _Indexer | None = None, spare: int = 0
) -> list[int]:
    """Ids for ``count`` new data keys, so keys can be wrapped before they are inserted.

    PostgreSQL hands out a sequence range, which no one else can take. SQLite has no sequence:
    in the same transaction as the insert, ``max(id)`` is safe (every transaction holds the write
    lock); when the insert comes later, ``spare`` ids are skipped so other writers (which take
    ``max(id) + 1``) meanwhile do not reach ours, and ``_write`` checks they did not.
    """
    (index or _Indexer(vault)).prepare()  # making the index key takes a key id: do it first
    if db.get_bind().dialect.name == "postgresql":
        rows = db.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('data_key', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).scalars()
        return [int(r) for r in rows]
    start = int(db.scalar(select(func.coalesce(func.max(DataKey.id), 0))) or 0) + 1 + spare
    return list(range(start, start + count))


class KeyIdsTaken(Exception):
    """Another writer took some of the reserved data-key ids (SQLite only; reserve again)."""


@dataclass(slots=True)
class _Built:
    """Everything sealed and ready to insert; only person references are still to choose."""

    key_ids: list[int]
    person_ids: list[uuid.UUID]
    key_rows: list[dict[str, Any]]
    person_rows: list[dict[str, Any]]
    party_rows: list[dict[str, Any]]
    reference_rows: list[dict[str, Any]]


def _build(
    vault: Vault,
    case: Case,
    people: Sequence[NewPerson],
    key_ids: Sequence[int],
    *,
    index: _Indexer,
) -> _Built:
    """Wrap a key for each person and seal their values: CPU only, no database."""
    now = utc_now()
    provider = vault.provider
    kek_id = provider.active_kek_id
    sealer = _Sealer()
    key_rows: list[dict[str, Any]] = []
    person_rows: list[dict[str, Any]] = []
    party_rows: list[dict[str, Any]] = []
    reference_rows: list[dict[str, Any]] = []
    person_ids: list[uuid.UUID] = []
    for person, key_id in zip(people, key_ids, strict=True):
        person_id = uuid.uuid4()
        pid = str(person_id)
        person_ids.append(person_id)
        dek = crypto.new_data_key()
        aead = AESGCM(dek)
        key_rows.append(
            {
                "id": key_id,
                "purpose": "person",
                "owner_id": person_id,
                "kek_id": kek_id,
                "wrapped": provider.wrap(
                    dek, kek_id=kek_id, context=_key_context(key_id, "person", person_id)
                ),
                "state": "active",
                "created_at": now,
                "destroyed_at": None,
            }
        )
        born = person.date_of_birth.isoformat() if person.date_of_birth else None
        values = {
            "full_name": person.full_name.strip(),
            "date_of_birth": born,
            "address": (person.address or "").strip() or None,
            "phone": (person.phone or "").strip() or None,
            "email": (person.email or "").strip() or None,
            "business_contact": (person.business_contact or "").strip() or None,
            "communication_needs": person.needs.to_json() if person.needs else None,
            "safe_contact": person.safe_contact.to_json() if person.safe_contact else None,
        }
        row: dict[str, Any] = {
            "id": person_id,
            "key_id": key_id,
            "reference": None,  # chosen in _write, where uniqueness can be checked
            "is_business": person.is_business,
            "aliases": None,
            "representative": None,
            "name_index": index("person.full_name", person.full_name),
            "dob_index": index("person.date_of_birth", born),
            "erased": False,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for column, value in values.items():
            row[column] = (
                None if value is None else sealer.seal(aead, key_id, "person", column, pid, value)
            )
        person_rows.append(row)
        party_id = uuid.uuid4()
        party_rows.append(
            {
                "id": party_id,
                "case_id": case.id,
                "person_id": person_id,
                "is_victim": person.is_victim,
                "is_witness": person.is_witness,
                "persistently_targeted": person.persistently_targeted,
                "vulnerable": person.vulnerable,
                "intimidated": person.intimidated,
                "key_id": key_id,
                "enhanced_reasons": (
                    sealer.seal(
                        aead,
                        key_id,
                        "case_party",
                        "enhanced_reasons",
                        str(party_id),
                        person.enhanced_reasons,
                    )
                    if person.enhanced_reasons
                    else None
                ),
                "risk_level": person.risk_level,
                "pre_trial_visit_on": None,
                "witness_service_referred_on": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        for kind, value in person.references:
            reference_id = uuid.uuid4()
            reference_rows.append(
                {
                    "id": reference_id,
                    "person_id": person_id,
                    "kind": kind,
                    "key_id": key_id,
                    "value": sealer.seal(
                        aead, key_id, "person_reference", "value", str(reference_id), value.strip()
                    ),
                    "value_index": index("person_reference.value", value),
                }
            )
    return _Built(list(key_ids), person_ids, key_rows, person_rows, party_rows, reference_rows)


def _write(
    db: Session,
    actor: Actor,
    case: Case,
    built: _Built,
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
    _bulk_insert(db, DataKey, built.key_rows)
    _bulk_insert(db, Person, built.person_rows)
    _bulk_insert(db, CaseParty, built.party_rows)
    _bulk_insert(db, PersonReference, built.reference_rows)
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


# --- audit in bulk --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    object_type: str
    object_id: str | None = None
    case_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    subject_ref: str | None = None
    fields: Sequence[str] = ()


def record_many(
    db: Session,
    actor: Actor | None,
    category: str,
    entries: Sequence[AuditEntry],
    *,
    now: datetime | None = None,
) -> None:
    """Append many chained audit entries with one executemany.

    The same chain as ``portal.audit.service.record`` (same lock, same head cache, same hash), so
    single and bulk appends can be mixed in one transaction.
    """
    if not entries:
        return
    transaction = db.get_transaction()
    cached = db.info.get("audit_head")
    if cached is not None and cached[0] is transaction:
        seq, prev_hash = int(cached[1]), str(cached[2])
    else:
        serialize_on(db, "audit-chain")
        last = db.execute(
            select(AuditEvent.seq, AuditEvent.entry_hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).one_or_none()
        seq, prev_hash = (int(last[0]), str(last[1])) if last else (0, audit.GENESIS)
    at = now or utc_now()
    request_id = audit.request_id_var.get()
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        values: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor_id": actor.user_id if actor else None,
            "actor_role": actor.role.value if actor else None,
            "category": category,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "case_id": entry.case_id,
            "subject_id": entry.subject_id,
            "subject_ref": entry.subject_ref,
            "fields": ",".join(sorted(entry.fields)) or None,
            "recipient": None,
            "purpose": None,
            "request_id": request_id,
            "prev_hash": prev_hash,
        }
        # chain_hash reads attributes only: a plain namespace spares building ORM objects.
        prev_hash = audit.chain_hash(prev_hash, cast(AuditEvent, SimpleNamespace(**values)))
        values["entry_hash"] = prev_hash
        rows.append(values)
    _bulk_insert(db, AuditEvent, rows)
    db.info["audit_head"] = (transaction, seq, prev_hash)
