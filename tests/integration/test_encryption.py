"""Field encryption: binding, integrity, plaintext refusal, masking, shredding (T33-T35)."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from portal.accounts.permissions import disclosure_for
from portal.accounts.roles import Role
from portal.db.encrypted import PlaintextRefused, Sealed, Sensitive
from portal.documents.models import Document
from portal.keys.models import DataKey
from portal.keys.vault import (
    Disclosure,
    IdentitySealed,
    KeyCache,
    Vault,
    pseudonym,
)
from portal.people.models import Person, PersonReference
from portal.security import crypto
from portal.security.crypto import Context, IntegrityError, KeyUnavailable
from portal.victims_code.models import Obligation

COLUMNS = ("full_name", "date_of_birth", "address", "phone", "email")


def new_person(vault: Vault, name: str, **values: str) -> Person:
    person = Person(id=uuid.uuid4(), reference=f"P-{uuid.uuid4().hex[:6]}")
    person.key_id = vault.new_key("person", owner_id=person.id)
    vault.put(person, "full_name", name)
    for column, value in values.items():
        vault.put(person, column, value)
    vault.db.add(person)
    vault.db.flush()
    return person


@pytest.fixture
def vault(db, settings) -> Vault:
    return Vault(db, settings.key_provider(), KeyCache())


def test_round_trip_and_masking(vault: Vault) -> None:
    person = new_person(vault, "Zoë Canary", address="1 High St")
    value = vault.open(person, "full_name")
    assert isinstance(value, Sensitive)
    assert value.reveal() == "Zoë Canary"
    assert "Canary" not in str(value) and "Canary" not in repr(value) and "Canary" not in f"{value}"
    assert "Canary" in value.__html__()
    assert "Canary" not in repr(person.full_name)


def test_plaintext_is_refused_on_write_and_in_queries(vault: Vault, db) -> None:
    person = new_person(vault, "Plain Text")
    person.full_name = "Plain Text"  # type: ignore[assignment]
    with pytest.raises(StatementError) as raised:
        db.flush()
    assert isinstance(raised.value.orig, PlaintextRefused)
    db.rollback()
    with pytest.raises(StatementError, match="plain value"):
        db.execute(select(Person).where(Person.full_name == "Plain Text")).all()
    db.rollback()


def test_ciphertext_format_has_version_and_key_id(vault: Vault) -> None:
    person = new_person(vault, "Format Check")
    sealed = person.full_name
    assert sealed[0] == crypto.FORMAT_VERSION
    assert crypto.key_id_of(sealed) == person.key_id
    assert len(sealed) == 1 + 4 + 12 + len(b"Format Check") + 16


def test_swaps_between_rows_and_columns_are_all_rejected(vault: Vault) -> None:
    people = [
        new_person(
            vault,
            f"Person {n}",
            address=f"{n} Road",
            phone=f"0700{n:06d}",
            email=f"p{n}@example.test",
            date_of_birth="2001-02-03",
        )
        for n in range(20)
    ]
    rng = random.Random(7)
    rejected = 0
    for _ in range(10_000):
        source, target = rng.sample(people, 2) if rng.random() < 0.5 else (rng.choice(people),) * 2
        source_col, target_col = rng.choice(COLUMNS), rng.choice(COLUMNS)
        if source is target and source_col == target_col:
            target_col = COLUMNS[(COLUMNS.index(source_col) + 1) % len(COLUMNS)]
        moved = getattr(source, source_col)
        try:
            crypto.open_sealed(
                vault._aead(crypto.key_id_of(moved)),
                moved,
                Context("person", target_col, str(target.id)),
            )
        except (IntegrityError, KeyUnavailable):
            rejected += 1
    assert rejected == 10_000


def test_bit_flips_truncations_and_relabels_are_all_rejected(vault: Vault) -> None:
    person = new_person(vault, "Bit Flip Target")
    other = new_person(vault, "Other Person")
    sealed = bytes(person.full_name)
    context = Context("person", "full_name", str(person.id))
    aead = vault._aead(person.key_id)
    rng = random.Random(11)
    rejected = 0
    for n in range(10_000):
        data = bytearray(sealed)
        if n % 10 == 0:
            data = data[: rng.randrange(1, len(data))]  # truncation
        elif n % 10 == 1:
            data[1:5] = other.key_id.to_bytes(4, "big")  # relabel the key id
        else:
            bit = rng.randrange(len(data) * 8)
            data[bit // 8] ^= 1 << (bit % 8)
        try:
            crypto.open_sealed(aead, bytes(data), context)
        except IntegrityError:
            rejected += 1
    assert rejected == 10_000


def test_tampered_value_in_the_database_raises_integrity_error(vault: Vault, db) -> None:
    person = new_person(vault, "Tamper Target")
    victim_b = new_person(vault, "Someone Else")
    db.commit()
    # Copy B's name ciphertext into A's row directly in SQL, as an attacker with DB access would.
    db.execute(
        text(
            "UPDATE person SET full_name = (SELECT full_name FROM person WHERE id = :b) "
            "WHERE id = :a"
        ),
        {
            "a": person.id.hex if db.bind.dialect.name == "sqlite" else person.id,
            "b": victim_b.id.hex if db.bind.dialect.name == "sqlite" else victim_b.id,
        },
    )
    db.commit()
    db.expire_all()
    reloaded = db.get(Person, person.id)
    with pytest.raises(IntegrityError):
        vault.open(reloaded, "full_name")
    db.commit()


def test_nonces_never_repeat(vault: Vault) -> None:
    person = new_person(vault, "Nonce Check")
    nonces = {bytes(vault.seal(person, "address", "same value"))[5:17] for _ in range(100_000)}
    assert len(nonces) == 100_000


def test_erasing_destroys_the_key_and_every_copy(vault: Vault, db, settings) -> None:
    person = new_person(vault, "Erase Me", address="10 Secret Lane")
    backup_copy = bytes(person.address)
    vault.destroy(person.key_id)
    db.commit()
    fresh = Vault(db, settings.key_provider(), KeyCache())
    # Pages keep working: the name opens as a marker, every other value as absent.
    assert fresh.open(person, "full_name").reveal().startswith("Erased record")
    assert fresh.open(person, "address") is None
    assert fresh.open_internal(person, "address") is None
    key = db.get(DataKey, person.key_id)
    assert key.wrapped is None and key.state == "destroyed" and key.destroyed_at is not None
    with pytest.raises(KeyUnavailable):
        crypto.open_sealed(
            fresh._aead(person.key_id), backup_copy, Context("person", "address", str(person.id))
        )
    db.commit()


def test_destroyed_key_is_not_used_from_another_processes_cache(db, settings) -> None:
    shared = KeyCache()
    first = Vault(db, settings.key_provider(), shared)
    person = new_person(first, "Cached Person")
    assert first.open(person, "full_name").reveal() == "Cached Person"  # now cached
    db.commit()
    first.destroy(person.key_id)  # e.g. in another request
    db.commit()
    second = Vault(db, settings.key_provider(), shared)
    assert "Cached Person" not in second.open(person, "full_name").reveal()
    with pytest.raises(KeyUnavailable):
        second._aead(person.key_id)
    db.commit()


def test_wrong_kek_cannot_unwrap(vault: Vault, db, settings) -> None:
    person = new_person(vault, "Wrong KEK")
    db.commit()
    wrong = crypto.LocalKeyProvider({settings.active_kek_id: b"\x00" * 32}, settings.active_kek_id)
    with pytest.raises(IntegrityError):
        Vault(db, wrong, KeyCache()).open(person, "full_name")
    db.commit()


def test_sealed_repr_hides_content() -> None:
    assert repr(Sealed(b"abc")) == "Sealed(3 bytes)"


def test_only_case_work_roles_get_a_vault_that_opens_identities() -> None:
    assert {role for role in Role if disclosure_for(role) is Disclosure.CASEWORK} == {
        Role.WITNESS_CARE_OFFICER,
        Role.PROSECUTOR,
        Role.VLU_OFFICER,
    }
    assert disclosure_for(None) is Disclosure.PSEUDONYMISED


def test_a_pseudonymised_vault_decrypts_nothing_and_shows_the_reference(
    vault: Vault, db, settings, monkeypatch
) -> None:
    """Issue 12: for an auditor every person opens as if sealed, sealed or not, and no other
    personal value (free text) opens at all; nothing is decrypted to produce that."""
    person = new_person(
        vault,
        "Open Canary",
        date_of_birth="1970-01-02",
        address="2 Low St",
        phone="07700 900999",
        email="open@example.com",
        aliases="Oc",
        business_contact="Boss Canary",
        representative='{"name": "Rep Canary"}',
    )
    sealed = new_person(vault, "Sealed Canary")
    sealed.identity_sealed = True
    reference = PersonReference(
        id=uuid.uuid4(), person_id=person.id, kind="police_crn", key_id=person.key_id
    )
    vault.put(reference, "value", "01/23456/24")
    document = Document(id=uuid.uuid4(), key_id=person.key_id)
    vault.put(document, "filename", "open-canary.pdf")
    document.content = vault.seal_bytes(document, "content", b"Statement of Open Canary")
    obligation = Obligation(id=uuid.uuid4(), key_id=person.key_id)
    vault.put(obligation, "evidence", "Told Open Canary by phone")
    db.flush()
    auditor = Vault(db, settings.key_provider(), KeyCache(), disclosure=Disclosure.PSEUDONYMISED)
    auditor.unsealed_keys = {person.key_id, sealed.key_id}  # grants do not count for auditors
    decrypted: list[str] = []
    monkeypatch.setattr(Vault, "open_internal", lambda self, row, column: decrypted.append(column))
    assert auditor.pseudonymised and not vault.pseudonymised
    assert auditor.open_text(person, "full_name") == person.reference
    assert auditor.open_text(sealed, "full_name") == sealed.reference
    for column in (*COLUMNS[1:], "aliases", "business_contact", "representative"):
        assert auditor.open(person, column) is None, column
    assert auditor.open(reference, "value") is None
    assert auditor.open_text(document, "filename") == "Withheld document"
    with pytest.raises(IdentitySealed):
        auditor.open_bytes(document, "content")
    assert auditor.open(obligation, "evidence") is None
    assert auditor.sealed_for_me(person) == person.reference
    assert decrypted == []


def test_matching_a_typed_value_never_finds_a_sealed_identity(vault: Vault, db, settings) -> None:
    person = new_person(vault, "Match Canary", date_of_birth="1970-01-02")
    sealed = new_person(vault, "Hidden Canary")
    sealed.identity_sealed = True
    db.flush()
    auditor = Vault(db, settings.key_provider(), KeyCache(), disclosure=Disclosure.PSEUDONYMISED)
    for viewer in (vault, auditor):
        assert viewer.matches(person, "full_name", "match canary", normalise=crypto.normalise)
        assert viewer.matches(person, "date_of_birth", "1970-01-02")
        assert not viewer.matches(person, "full_name", "Someone Else", normalise=crypto.normalise)
        assert not viewer.matches(sealed, "full_name", "Hidden Canary")
        assert not viewer.matches(sealed, "full_name", pseudonym(sealed.reference))
    vault.unsealed_keys = {sealed.key_id}  # a grant lets a case worker match the true name
    assert vault.matches(sealed, "full_name", "Hidden Canary")
