"""The erasure half of ``bench.drills erasure``: erase people while the portal serves, then
restore the backup taken before into a fresh instance and read what came back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._common import temp_database

PORTAL = Path(sys.executable).parent / "portal"


def erase_people(inst: Any, count: int) -> dict[str, tuple[str, str]]:
    """Erase ``count`` people as the web does (a vault that writes the erasure ledger):
    person id -> (case id, person id) of one case they are in."""
    from sqlalchemy import select

    from portal.accounts.actor import Actor
    from portal.accounts.models import User
    from portal.accounts.roles import Role
    from portal.db.session import make_engine, unit_of_work
    from portal.keys.ledger import ErasureLedger
    from portal.keys.vault import KeyCache, Vault
    from portal.people.models import Person
    from portal.people.service import erase_person
    from portal.wiring import session_factory

    settings = inst.settings()
    chosen: dict[str, tuple[str, str]] = {}
    for case_id, person_id in inst.targets[5:]:
        chosen.setdefault(person_id, (case_id, person_id))
        if len(chosen) == count:
            break
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            user = db.scalars(select(User).where(User.username == "prosecutor.demo")).one()
            actor = Actor(user.id, Role.PROSECUTOR, user.area, user.unit)
            vault = Vault(
                db,
                settings.key_provider(),
                KeyCache(),
                ledger=ErasureLedger.in_instance(settings.instance_dir),
            )
            for person_id in chosen:
                person = db.get(Person, uuid.UUID(person_id))
                assert person is not None
                erase_person(db, vault, actor, person)
    finally:
        engine.dispose()
    return chosen


@dataclass
class Restored:
    restore_exit: int
    restore_said: list[str]
    resurrected: int
    others_readable: int
    actions: set[str]


def restored_state(inst: Any, archive: Path, erased: set[str]) -> Restored:
    """Restore ``archive`` into a fresh instance (the old key file, a new database), giving
    it the old instance's erasure ledger, and read every person and action back."""
    from sqlalchemy import select

    from portal.db.session import make_engine, unit_of_work
    from portal.keys.vault import KeyCache, Vault
    from portal.people.models import Person
    from portal.safeguards.models import SafeguardingAction
    from portal.settings import KEY_FILE_NAME, Settings
    from portal.wiring import session_factory

    source = Path(inst.env["PORTAL_INSTANCE_DIR"])
    target = inst.tmp / "restored"
    target.mkdir(mode=0o700)
    shutil.copy2(source / KEY_FILE_NAME, target / KEY_FILE_NAME)
    base = None if inst.url.startswith("sqlite") else inst.url
    with temp_database(inst.tmp, "restored", base) as url:
        env = {**inst.env, "PORTAL_INSTANCE_DIR": str(target), "PORTAL_DATABASE_URL": url}
        done = subprocess.run(
            [str(PORTAL), "restore", str(archive), "--ledger", str(source / "erasures.jsonl")],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        settings = Settings.from_env(env)
        engine = make_engine(settings)
        try:
            with unit_of_work(session_factory(engine)) as db:
                vault = Vault(db, settings.key_provider(), KeyCache())
                readable = {
                    str(p.id): vault.open_internal(p, "full_name") is not None
                    for p in db.scalars(select(Person))
                }
                actions = {
                    text
                    for row in db.scalars(select(SafeguardingAction))
                    if (text := vault.open_text(row, "description"))
                }
        finally:
            engine.dispose()
    return Restored(
        restore_exit=done.returncode,
        restore_said=[line for line in (done.stdout + done.stderr).splitlines() if line.strip()],
        resurrected=sum(1 for pid in erased if readable.get(pid)),
        others_readable=sum(1 for pid, ok in readable.items() if ok and pid not in erased),
        actions=actions,
    )
