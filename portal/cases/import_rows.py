"""Import, stage 1: reading and checking the file (no database). Columns and rules are in
docs/csv-import.md; ``portal.cases.importer`` runs the stages.

Every row is checked; ``parse`` returns every problem, named by row and column. The people
package's contact rules (the safe channels, and the value objects for needs and safe contact) come
in as a ``ContactRules``, so this module imports nothing of ``portal.people``.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from portal.kit.person_details import PersonDetails
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


class Jsonable(Protocol):
    """A value object stored as sealed JSON (``CommunicationNeeds``, ``SafeContact``)."""

    def to_json(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ContactRules:
    """What the people package says about contact: the safe channels, and how to make its
    needs (language, interpreter) and safe-contact (channels, no voicemail) value objects."""

    channels: Sequence[str]
    needs: Callable[[str, bool], Jsonable]
    safe_contact: Callable[[tuple[str, ...], bool], Jsonable]


# --- what goes in ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPerson(PersonDetails):
    """One validated person, ready for the bulk insert (the demo generator fills more fields):
    their details, and what they are in the case."""

    is_victim: bool = True
    is_witness: bool = False
    references: tuple[tuple[str, str], ...] = ()  # (kind, value)
    needs: Jsonable | None = None
    safe_contact: Jsonable | None = None
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


def parse(source: str, *, today: date, contact: ContactRules) -> ParsedFile:
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
        person, errors = _check_row(cells, row_number, today, contact)
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
    cells: dict[str, str], row: int, today: date, contact: ContactRules
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
            if channel not in contact.channels:
                bad(
                    "safe_channels",
                    f"‘{part.strip()[:30]}’ is not a contact method: use "
                    + ", ".join(contact.channels),
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
        contact.needs(language, flags.get("interpreter", False))
        if language or flags.get("interpreter")
        else None
    )
    safe = (
        contact.safe_contact(tuple(channels), flags.get("no_voicemail", False))
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


def sort_errors(errors: list[RowError]) -> None:
    """In file order: by row, then by column as the columns are listed."""
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
