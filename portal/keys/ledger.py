"""The erasure ledger: a file, outside the database, of every person erased (issue 19 point 2).

Erasure destroys a person's data key in the database. A backup taken before the erasure still
holds the key, so restoring it would bring the person back. Each erasure is therefore also
appended to this ledger, which lives in the instance folder and never inside a database backup;
``portal restore`` replays it (destroys those people's keys again) before it reports success.

A line is JSON: the person's id (a random UUID), the key id destroyed and when. No personal
data: the same metadata the audit log keeps. The line is written and fsynced before the erasing
transaction commits, so a commit the ledger missed cannot exist; an erasure whose transaction
failed afterwards is carried out at the next replay (erasure was asked for: it is applied early,
never undone).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LEDGER_FILE_NAME = "erasures.jsonl"
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Erasure:
    owner_id: uuid.UUID
    key_id: int
    at: datetime

    def line(self) -> str:
        return json.dumps(
            {"owner": str(self.owner_id), "key": self.key_id, "at": self.at.isoformat()},
            sort_keys=True,
        )

    @classmethod
    def parse(cls, text: str) -> Erasure:
        data = json.loads(text)
        return cls(uuid.UUID(data["owner"]), int(data["key"]), datetime.fromisoformat(data["at"]))


class ErasureLedger:
    """Append-only, 0600, one line an erasure; several processes may append at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_instance(cls, instance_dir: Path) -> ErasureLedger:
        return cls(instance_dir / LEDGER_FILE_NAME)

    def append(self, erasure: Erasure) -> None:
        data = (erasure.line() + "\n").encode()
        with _lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, data)  # one write of one line: O_APPEND keeps lines whole
                os.fsync(fd)
            finally:
                os.close(fd)

    def entries(self) -> list[Erasure]:
        if not self.path.exists():
            return []
        return read_lines(self.path.read_text().splitlines())


def read_lines(lines: Iterable[str]) -> list[Erasure]:
    """Parse ledger lines; a torn last line (a crash mid-write) is skipped, nothing else is."""
    found: list[Erasure] = []
    items = [line for line in lines if line.strip()]
    for index, line in enumerate(items):
        try:
            found.append(Erasure.parse(line))
        except (ValueError, KeyError):
            if index != len(items) - 1:
                raise
    return found


def merged(*sources: Iterable[Erasure]) -> list[Erasure]:
    """Every erasure in any source, once (by person), oldest first."""
    seen: dict[uuid.UUID, Erasure] = {}
    for source in sources:
        for erasure in source:
            seen.setdefault(erasure.owner_id, erasure)
    return sorted(seen.values(), key=lambda e: e.at)
