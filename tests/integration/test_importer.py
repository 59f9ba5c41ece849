"""Mass-victim CSV import: all or nothing, errors by row and column, bulk writes the vault reads."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.cases import import_rows, importer
from portal.cases.errors import NotPermitted
from portal.cases.models import Case, CaseParty
from portal.keys.models import DataKey
from portal.keys.vault import KeyCache, Vault, _key_context
from portal.people.finding import search_people
from portal.people.models import Person, PersonReference
from portal.security import crypto
from portal.settings import Settings
from tests.support.factories import make_case, make_user

TODAY = date(2026, 6, 1)
HEADER = (
    "full_name,date_of_birth,address,phone,email,role,report_fraud_ref,action_fraud_ref,"
    "police_crn,language,interpreter,safe_channels,no_voicemail"
)


def row(i: int) -> str:
    return (
        f'Victim Number{i},1970-01-{i % 28 + 1:02d},"{i} High Street, Leeds LS1 1AA",'
        f"07700 900{i % 1000:03d},v{i}@example.com,victim,RF{i:08d},NFRC{i:010d},,"
        "Polish,yes,letter;email,yes"
    )


def csv_of(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def vault(db: Session, settings: Settings) -> Vault:
    return Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)


@pytest.fixture
def officer(db: Session):
    return make_user(db, role=Role.WITNESS_CARE_OFFICER)


@pytest.fixture
def actor(officer) -> Actor:
    return Actor(officer.id, Role.WITNESS_CARE_OFFICER, officer.area, officer.unit)


@pytest.fixture
def case(db: Session, settings: Settings, officer) -> Case:
    return make_case(db, settings, officer=officer, offences=("FA2006-S2",))


def people_in(db: Session, case: Case) -> int:
    return int(
        db.scalar(select(func.count()).select_from(CaseParty).where(CaseParty.case_id == case.id))
        or 0
    )


def chain_is_intact(db: Session) -> bool:
    previous = audit.GENESIS
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if event.prev_hash != previous or audit.chain_hash(previous, event) != event.entry_hash:
            return False
        previous = event.entry_hash
    return True


# --- the acceptance test --------------------------------------------------------------------


def test_5000_rows_with_3_bad_rows_import_nothing_then_all_once_fixed(
    db: Session, vault: Vault, actor: Actor, case: Case
) -> None:
    rows = [row(i) for i in range(5000)]
    good = list(rows)
    rows[99] = rows[99].replace("1970-01-", "1970-13-")  # row 101: not a real date
    rows[2499] = rows[2499].replace(",victim,", ",bystander,")  # row 2501
    rows[4997] = rows[4997].replace("@example.com", "example.com")  # row 4999
    keys_before = db.scalar(select(func.count()).select_from(DataKey))
    audit_before = db.scalar(select(func.count()).select_from(AuditEvent))

    with pytest.raises(importer.ImportRejected) as rejected:
        importer.import_csv(db, vault, actor, case, csv_of(rows), today=TODAY)

    named = [(e.row, e.column) for e in rejected.value.errors]
    assert named == [(101, "date_of_birth"), (2501, "role"), (4999, "email")]
    assert rejected.value.errors[0].message == "Date of birth must be a real date"
    assert rejected.value.rows_with_errors == 3
    assert rejected.value.row_count == 5000
    assert people_in(db, case) == 0
    assert db.scalar(select(func.count()).select_from(Person)) == 0
    assert db.scalar(select(func.count()).select_from(DataKey)) == keys_before
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audit_before

    started = time.perf_counter()
    result = importer.import_csv(db, vault, actor, case, csv_of(good), today=TODAY)
    elapsed = time.perf_counter() - started

    assert result.imported == 5000
    assert people_in(db, case) == 5000
    assert db.scalar(select(func.count()).select_from(PersonReference)) == 10_000
    # One data key per person (plus the blind-index key, made on first use).
    assert db.scalar(select(func.count()).select_from(DataKey)) == (keys_before or 0) + 5001
    assert len(set(db.scalars(select(Person.reference)))) == 5000
    # One collection entry per person, one for the import, and the chain still verifies.
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "person.import", AuditEvent.category == "collection")
        )
        == 5000
    )
    assert chain_is_intact(db)
    assert elapsed < 60  # a generous ceiling: the measured time is in docs/csv-import.md


# --- what was written can be read and searched ----------------------------------------------


def test_imported_people_open_with_the_vault_and_are_searchable(
    db: Session, vault: Vault, actor: Actor, case: Case, settings: Settings
) -> None:
    source = csv_of([row(1), "Zoë O’Brien,27/03/1984,,,,both,,,01/23456/25,,,,"])
    result = importer.import_csv(db, vault, actor, case, source, today=TODAY)
    assert result.imported == 2

    fresh = Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)
    person = db.get(Person, result.person_ids[0])
    assert person is not None
    assert fresh.open_text(person, "full_name") == "Victim Number1"
    assert fresh.open_text(person, "date_of_birth") == "1970-01-02"
    assert fresh.open_text(person, "address") == "1 High Street, Leeds LS1 1AA"
    assert fresh.open_text(person, "email") == "v1@example.com"
    assert json.loads(fresh.open_text(person, "safe_contact") or "{}") == {
        "channels": ["letter", "email"],
        "safe_times": "",
        "no_voicemail": True,
        "do_not_tell": "",
    }
    assert (
        json.loads(fresh.open_text(person, "communication_needs") or "{}")["language"] == "Polish"
    )
    refs = {
        r.kind: fresh.open_text(r, "value")
        for r in db.scalars(select(PersonReference).where(PersonReference.person_id == person.id))
    }
    assert refs == {"report_fraud": "RF00000001", "action_fraud": "NFRC0000000001"}

    second = db.get(Person, result.person_ids[1])
    assert second is not None
    assert fresh.open_text(second, "date_of_birth") == "1984-03-27"  # DD/MM/YYYY accepted
    party = db.scalars(select(CaseParty).where(CaseParty.person_id == second.id)).one()
    assert party.is_victim and party.is_witness

    found = search_people(db, fresh, actor, name="zoe o’brien", date_of_birth=date(1984, 3, 27))
    assert [p.id for p, _ in found] == [second.id]
    crn = fresh.blind_index("person_reference.value", "01/23456/25")
    assert db.scalars(
        select(PersonReference.person_id).where(PersonReference.value_index == crn)
    ).all() == [second.id]


def test_the_first_import_into_a_new_database_makes_the_index_key_first(
    db: Session, vault: Vault, actor: Actor, case: Case
) -> None:
    # No dates of birth: nothing needs a blind index before the key ids are reserved.
    assert db.scalar(select(func.count()).where(DataKey.purpose == "index")) == 0
    result = importer.import_csv(db, vault, actor, case, "full_name,role\nA B,victim\n")
    assert result.imported == 1
    assert db.scalar(select(func.count()).where(DataKey.purpose == "index")) == 1


def test_a_failure_part_way_through_the_writes_leaves_nothing(
    db: Session, vault: Vault, actor: Actor, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bulk writes (COPY on PostgreSQL) run in the caller's transaction: if the last step
    # fails, rolling back removes the keys, people and references written before it.
    db.commit()
    keys_before = db.scalar(select(func.count()).select_from(DataKey))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(importer, "record_many", broken)
    with pytest.raises(RuntimeError):
        importer.import_csv(db, vault, actor, case, csv_of([row(1), row(2)]), today=TODAY)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Person)) == 0
    assert db.scalar(select(func.count()).select_from(PersonReference)) == 0
    assert db.scalar(select(func.count()).select_from(DataKey)) == keys_before


def test_with_commits_between_steps_the_import_is_the_same(
    db: Session, vault: Vault, actor: Actor, case: Case
) -> None:
    calls: list[int] = []

    def release() -> None:
        calls.append(1)
        db.commit()

    result = importer.import_csv(
        db, vault, actor, case, csv_of([row(i) for i in range(50)]), release=release
    )
    assert result.imported == 50 and len(calls) == 2
    assert people_in(db, case) == 50
    assert chain_is_intact(db)


def test_key_ids_taken_meanwhile_are_reserved_again(
    db: Session, vault: Vault, actor: Actor, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "KEY_ID_SPARE", 0)
    calls: list[int] = []
    builds: list[int] = []
    real_build = importer._build

    def counting_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(importer, "_build", counting_build)

    def release() -> None:
        calls.append(1)
        db.commit()
        if len(calls) == 2:  # between reserving ids and writing: another writer makes a key
            vault.new_key("system")
            db.commit()

    result = importer.import_csv(db, vault, actor, case, csv_of([row(1), row(2)]), release=release)
    assert result.imported == 2
    opened = [
        vault.open_text(db.get(Person, pid), "full_name")  # type: ignore[arg-type]
        for pid in result.person_ids
    ]
    assert opened == ["Victim Number1", "Victim Number2"]
    # SQLite reserved max(id) + 1, which the other writer took: built again. PostgreSQL's
    # sequence never hands the same id out twice.
    assert len(builds) == (1 if db.get_bind().dialect.name == "postgresql" else 2)


def test_bulk_key_wrapping_context_is_the_vaults() -> None:
    owner = uuid.uuid4()
    assert importer._key_context(42, "person", owner) == _key_context(
        DataKey(id=42, purpose="person", owner_id=owner)
    )


def test_batch_references_have_the_people_packages_format() -> None:
    import re

    from portal.people.service import new_reference

    shape = re.compile(f"P-[{importer.REFERENCE_ALPHABET}]{{8}}")
    batch = importer.new_references(2_000)
    assert len(batch) == 2_000
    assert all(shape.fullmatch(r) for r in batch)
    assert all(shape.fullmatch(new_reference()) for _ in range(200))
    assert set("".join(r[2:] for r in batch)) == set(importer.REFERENCE_ALPHABET)


def test_batch_blind_indexes_are_cryptos(vault: Vault) -> None:
    index = importer._Indexer(vault)
    key = vault.index_key()
    for value in ("Jane  Smith ", "ZOË O’Brien", "1970-01-02", "Ｊａｎｅ", "jane\tsmith"):
        assert index("person.full_name", value) == crypto.blind_index(
            key, "person.full_name", value, vault.index_bits
        )


def test_fast_sealer_output_opens_with_crypto() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(crypto.new_data_key())
    row_id = str(uuid.uuid4())
    sealed = importer._Sealer().seal(aead, 7, "person", "phone", row_id, "07700 900982")
    context = crypto.Context("person", "phone", row_id)
    assert crypto.open_sealed(aead, sealed, context) == b"07700 900982"
    with pytest.raises(crypto.IntegrityError):
        crypto.open_sealed(aead, sealed, crypto.Context("person", "email", row_id))


def test_audit_chain_survives_single_and_bulk_entries_in_one_transaction(
    db: Session, vault: Vault, actor: Actor, case: Case
) -> None:
    audit.record(db, actor=actor, category="consultation", action="case.view", object_type="case")
    importer.import_csv(db, vault, actor, case, csv_of([row(1), row(2)]), today=TODAY)
    audit.record(db, actor=actor, category="consultation", action="case.view", object_type="case")
    db.flush()
    assert chain_is_intact(db)
    assert db.scalar(select(func.max(AuditEvent.seq))) == db.scalar(
        select(func.count()).select_from(AuditEvent)
    )


def test_the_import_summary_entry_names_fields_never_values(
    db: Session, vault: Vault, actor: Actor, case: Case
) -> None:
    importer.import_csv(db, vault, actor, case, csv_of([row(3)]), today=TODAY)
    entries = db.scalars(select(AuditEvent).where(AuditEvent.action.like("%import"))).all()
    assert {e.action for e in entries} == {"person.import", "case.import"}
    for entry in entries:
        assert "Victim" not in (entry.fields or "") and "example.com" not in (entry.fields or "")
        assert entry.case_id == case.id
    person_entry = next(e for e in entries if e.action == "person.import")
    assert person_entry.subject_id is not None and person_entry.subject_ref
    assert "date_of_birth" in (person_entry.fields or "")


# --- checks on the file ---------------------------------------------------------------------


def errors_of(source: str) -> list[tuple[int, str, str]]:
    parsed = importer.parse(source, today=TODAY)
    return [(e.row, e.column, e.message) for e in parsed.errors]


def test_header_problems_are_named() -> None:
    found = errors_of("full_name,colour,full_name\nA Person,blue,x\n")
    assert (1, "colour", "Column ‘colour’ is not one this page accepts") in found
    assert (1, "full_name", "Column ‘full_name’ appears more than once") in found
    assert (1, "role", "Add a ‘role’ column") in found


def test_headers_are_forgiving_about_case_spaces_and_byte_order_marks() -> None:
    parsed = importer.parse(
        "\ufeffFull Name,Role,Date of birth\nAna Lima,Victim,01/02/2000\n", today=TODAY
    )
    assert parsed.errors == []
    assert parsed.people[0].full_name == "Ana Lima"
    assert parsed.people[0].date_of_birth == date(2000, 2, 1)


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            "A,1984/03/27,victim",
            "date_of_birth",
            "Date of birth must be in the format YYYY-MM-DD or DD/MM/YYYY",
        ),
        ("A,31/02/1984,victim", "date_of_birth", "Date of birth must be a real date"),
        ("A,2027-01-01,victim", "date_of_birth", "Date of birth must be in the past"),
        (",1984-03-27,victim", "full_name", "Enter the person’s full name"),
        ("A,1984-03-27,", "role", "Enter the person’s role: victim, witness or both"),
        ("A,1984-03-27,suspect", "role", "Role must be victim, witness or both"),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(cells: str, column: str, message: str) -> None:
    assert errors_of(f"full_name,date_of_birth,role\nGood Person,,victim\n{cells}\n") == [
        (3, column, message)
    ]


def test_contact_rules_are_checked_against_the_details_given() -> None:
    source = (
        "full_name,role,language,interpreter,safe_channels,no_voicemail,email,phone\n"
        "A,victim,,yes,,,,\n"
        "B,victim,,,email,,,\n"
        "C,victim,,,pigeon,,,\n"
        "D,victim,,,,maybe,,\n"
        "E,victim,,,,,,12\n"
        "F,victim,French,no,text;phone,no,,0161 496 0000\n"
    )
    assert [(r, c) for r, c, _ in errors_of(source)] == [
        (2, "language"),
        (3, "safe_channels"),
        (4, "safe_channels"),
        (5, "no_voicemail"),
        (6, "phone"),
    ]


def test_rows_are_counted_as_a_spreadsheet_counts_them() -> None:
    source = 'full_name,role,address\nA,victim,"1 Long Road\nLeeds"\n\nB,victim,\nC,nobody,\n'
    assert errors_of(source) == [(5, "role", "Role must be victim, witness or both")]


def test_the_same_person_twice_in_a_file_is_an_error() -> None:
    source = (
        "full_name,date_of_birth,role\nAna Lima,2000-02-01,victim\nANA  LIMA,01/02/2000,witness\n"
    )
    assert errors_of(source) == [
        (3, "full_name", "Same name and date of birth as row 2: remove one of the rows")
    ]


def test_extra_values_and_empty_files_are_rejected() -> None:
    assert errors_of("full_name,role\nA,victim,surplus\n") == [
        (2, "", "The row has more values than there are columns")
    ]
    assert errors_of("") == [(0, "", "The file is empty")]
    assert errors_of("full_name,role\n") == [(0, "", "The file has no rows below the header row")]


def test_files_over_the_row_limit_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_rows, "MAX_ROWS", 3)
    rows = "".join(f"P{i},victim\n" for i in range(4))
    assert errors_of("full_name,role\n" + rows) == [
        (0, "", "The file has more than 3 rows: split it into files of 3 rows or fewer")
    ]
    assert errors_of("full_name,role\n" + rows[: -len("P3,victim\n")]) == []


def test_non_utf8_files_are_rejected() -> None:
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.decode("full_name,role\nZo\xeb,victim\n".encode("cp1252"))
    assert (
        rejected.value.errors[0].message == "The file must be saved as CSV UTF-8 (comma delimited)"
    )
    assert importer.decode(b"\xef\xbb\xbffull_name") == "full_name"


# --- rules about who and where --------------------------------------------------------------


def test_a_file_imported_twice_is_rejected_naming_who_is_already_there(
    db: Session, vault: Vault, actor: Actor, case: Case
) -> None:
    source = csv_of([row(1), row(2)])
    first = importer.import_csv(db, vault, actor, case, source, today=TODAY)
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.import_csv(db, vault, actor, case, source, today=TODAY)
    assert [(e.row, e.column) for e in rejected.value.errors] == [
        (2, "full_name"),
        (3, "full_name"),
    ]
    references = {db.get(Person, pid).reference for pid in first.person_ids}  # type: ignore[union-attr]
    assert {ref for _, ref in rejected.value.matches} == references
    assert all("already in the case" in e.message for e in rejected.value.errors)
    assert people_in(db, case) == 2


def test_blind_index_collisions_are_not_taken_for_the_same_person(
    db: Session, actor: Actor, case: Case, settings: Settings
) -> None:
    tiny = Vault(db, settings.key_provider(), KeyCache(), index_bits=1)  # everything collides
    importer.import_csv(db, tiny, actor, case, csv_of([row(1), row(2)]), today=TODAY)
    result = importer.import_csv(db, tiny, actor, case, csv_of([row(3), row(4)]), today=TODAY)
    assert result.imported == 2


def test_only_witness_care_officers_and_prosecutors_import(
    db: Session, vault: Vault, case: Case
) -> None:
    vlu = make_user(db, role=Role.VLU_OFFICER)
    with pytest.raises(NotPermitted):
        importer.import_csv(
            db, vault, Actor(vlu.id, Role.VLU_OFFICER, "london-north"), case, csv_of([row(1)])
        )


def test_closed_cases_take_no_imports(db: Session, vault: Vault, actor: Actor, case: Case) -> None:
    case.status = "closed"
    db.flush()
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.import_csv(db, vault, actor, case, csv_of([row(1)]), today=TODAY)
    assert rejected.value.errors[0].message == "This case is closed: people cannot be added"


def test_person_references_stay_unique_when_the_generator_repeats_itself(
    db: Session, vault: Vault, actor: Actor, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    importer.import_csv(db, vault, actor, case, csv_of([row(1)]), today=TODAY)
    taken = db.scalars(select(Person.reference)).one()
    sequence = iter([taken, taken, "P-BBBBBB", "P-BBBBBB", taken, "P-CCCCCC", "P-DDDDDD"])
    monkeypatch.setattr(importer, "new_references", lambda n: [next(sequence) for _ in range(n)])
    result = importer.import_csv(db, vault, actor, case, csv_of([row(2), row(3)]), today=TODAY)
    new_refs = {db.get(Person, pid).reference for pid in result.person_ids}  # type: ignore[union-attr]
    assert new_refs == {"P-BBBBBB", "P-CCCCCC"}
