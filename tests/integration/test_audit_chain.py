"""The access log's hash chain: every edit, deletion and reordering is detected (issue 9)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.audit.verify import (
    checkpoint_signature_ok,
    make_checkpoint,
    new_signing_key,
    public_key_of,
    verify,
    verify_against_checkpoints,
)
from portal.clock import utc_now

FIELDS = ("action", "object_id", "subject_ref", "category", "actor_role", "fields", "recipient")


def write_log(db, count: int) -> list[AuditEvent]:
    actor = Actor(uuid.uuid4(), Role.PROSECUTOR)
    for n in range(count):
        audit.record(
            db,
            actor=actor,
            category="consultation" if n % 3 else "alteration",
            action="person.view",
            object_type="person",
            object_id=uuid.uuid4(),
            subject_ref=f"P-{n:06d}",
            fields=("full_name",) if n % 2 else (),
        )
    db.commit()
    entries = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    db.commit()
    return list(entries)


def copy(entry: AuditEvent) -> AuditEvent:
    clone = AuditEvent()
    for column in AuditEvent.__table__.columns:
        setattr(clone, column.key, getattr(entry, column.key))
    return clone


def test_an_untouched_chain_verifies(db) -> None:
    entries = write_log(db, 50)
    verdict = verify(entries)
    assert verdict.ok
    assert verdict.checked == 50


def test_a_thousand_random_tamperings_are_all_detected(db) -> None:
    original = write_log(db, 120)
    rng = random.Random(9)
    detected = 0
    for trial in range(1000):
        entries = [copy(e) for e in original]
        kind = trial % 4
        index = rng.randrange(len(entries) - 1)
        if kind == 0:  # edit a field
            field = rng.choice(FIELDS)
            setattr(entries[index], field, f"forged-{trial}")
        elif kind == 1:  # delete an entry
            del entries[index]
        elif kind == 2:  # reorder two entries
            other = rng.randrange(len(entries))
            while other == index:
                other = rng.randrange(len(entries))
            entries[index], entries[other] = entries[other], entries[index]
        else:  # change the time, or forge an inserted entry
            if rng.random() < 0.5:
                entries[index].at = entries[index].at + timedelta(seconds=1)
            else:
                forged = copy(entries[index])
                forged.action = "person.erase"
                entries.insert(index + 1, forged)
        if not verify(entries).ok:
            detected += 1
    assert detected == 1000


def test_a_rebuilt_chain_or_a_cut_tail_is_caught_by_a_signed_checkpoint(db) -> None:
    entries = write_log(db, 30)
    key = new_signing_key()
    checkpoint = make_checkpoint(entries[24], key, utc_now())
    assert checkpoint_signature_ok(checkpoint, public_key_of(key))
    assert verify_against_checkpoints(entries, [checkpoint]).ok
    # Truncation before the checkpoint: the chain itself still looks fine.
    cut = entries[:20]
    assert verify(cut).ok
    assert not verify_against_checkpoints(cut, [checkpoint]).ok
    # An administrator rewrites entry 5 and recomputes every later hash.
    rebuilt = [copy(e) for e in entries]
    rebuilt[4].action = "person.erase"
    prev = rebuilt[3].entry_hash
    for entry in rebuilt[4:]:
        entry.prev_hash = prev
        entry.entry_hash = audit.chain_hash(prev, entry)
        prev = entry.entry_hash
    assert verify(rebuilt).ok
    assert not verify_against_checkpoints(rebuilt, [checkpoint]).ok
    # A forged checkpoint fails its signature.
    forged = {**checkpoint, "entry_hash": rebuilt[24].entry_hash}
    assert not checkpoint_signature_ok(forged, public_key_of(key))


def test_cli_verify_and_checkpoint(
    tmp_path: Path, db, settings, database_url, instance_dir
) -> None:
    write_log(db, 10)
    from portal.settings import write_key_file

    write_key_file(instance_dir)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_INSTANCE_DIR": str(instance_dir),
        "PORTAL_DATABASE_URL": database_url,
    }
    cli = str(Path(sys.executable).parent / "portal")
    out = tmp_path / "checkpoint.json"
    made = subprocess.run(
        [cli, "audit", "checkpoint", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(out.read_text())["seq"] == 10
    checked = subprocess.run(
        [cli, "audit", "verify", "--checkpoint", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK: 10 entries" in checked.stdout


def test_the_application_cannot_change_or_delete_log_entries(db) -> None:
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    write_log(db, 3)
    for statement in (
        "UPDATE audit_event SET action = 'forged' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text(statement))
        db.rollback()
    assert len(db.scalars(select(AuditEvent)).all()) == 3
    db.commit()


def test_an_entry_about_a_person_names_them_by_id_and_reference_only(db) -> None:
    from dataclasses import dataclass

    @dataclass
    class Someone:
        id: uuid.UUID
        reference: str

    person = Someone(uuid.uuid4(), "VW-TEST1")
    case_id = uuid.uuid4()
    actor = Actor(uuid.uuid4(), Role.PROSECUTOR)
    audit.record_about(
        db,
        actor=actor,
        category="alteration",
        action="thing.changed",
        object_type="thing",
        object_id=42,
        case_id=case_id,
        person=person,
        fields=["b", "a"],
    )
    audit.record_about(
        db,
        actor=actor,
        category="consultation",
        action="thing.view",
        object_type="thing",
        object_id=43,
        case_id=case_id,
        person=None,
    )
    first, second = audit.pending(db)[-2:]
    assert (first["subject_id"], first["subject_ref"], first["fields"]) == (
        person.id,
        "VW-TEST1",
        "a,b",
    )
    assert (first["object_id"], first["case_id"], first["action"]) == (
        "42",
        case_id,
        "thing.changed",
    )
    assert (second["subject_id"], second["subject_ref"], second["fields"]) == (None, None, None)
