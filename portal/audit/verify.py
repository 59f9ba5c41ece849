"""Checking the access log's hash chain, and signed checkpoints of it (security.md 3.2).

``verify`` walks the entries in sequence order and reports the first broken link: an edited
entry (its hash no longer matches), a deleted one (a gap in the sequence, or the next entry's
``prev_hash`` no longer matches), or entries out of order. A database administrator could
rebuild the whole chain after tampering; a checkpoint signed with a key the database never sees
(Ed25519, in the instance key file) and kept elsewhere catches that, and catches a truncated
tail too.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from portal.audit.models import AuditEvent
from portal.audit.service import GENESIS, chain_hash


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.checked} entries, chain intact"
        return f"BROKEN at entry {self.first_bad_seq}: {self.problem} ({self.checked} checked)"


def verify(entries: Iterable[AuditEvent]) -> Verdict:
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            what = "missing entries before it" if entry.seq > expected_seq else "out of order"
            return Verdict(False, checked, entry.seq, what)
        if entry.prev_hash != prev_hash:
            return Verdict(False, checked, entry.seq, "does not follow the entry before it")
        if chain_hash(prev_hash, entry) != entry.entry_hash:
            return Verdict(False, checked, entry.seq, "its content was changed")
        prev_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
    return Verdict(True, checked)


def verify_against_checkpoints(
    entries: Iterable[AuditEvent], checkpoints: list[dict[str, Any]]
) -> Verdict:
    """The chain must be intact AND agree with every checkpoint taken of it."""
    wanted = {int(c["seq"]): str(c["entry_hash"]) for c in checkpoints}
    seen: dict[int, str] = {}

    def watch(items: Iterable[AuditEvent]) -> Iterable[AuditEvent]:
        for item in items:
            if item.seq in wanted:
                seen[item.seq] = item.entry_hash
            yield item

    verdict = verify(watch(entries))
    if not verdict.ok:
        return verdict
    for seq in sorted(wanted):
        if seq not in seen:
            return Verdict(
                False, verdict.checked, seq, "entries covered by a checkpoint are missing"
            )
        if seen[seq] != wanted[seq]:
            return Verdict(False, verdict.checked, seq, "differs from the signed checkpoint")
    return verdict


def new_signing_key() -> str:
    key = Ed25519PrivateKey.generate()
    return base64.b64encode(key.private_bytes_raw()).decode()


def _private(raw: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw))


def make_checkpoint(last: AuditEvent, signing_key: str, at: datetime) -> dict[str, Any]:
    body = {"seq": last.seq, "entry_hash": last.entry_hash, "made_at": at.isoformat()}
    message = json.dumps(body, sort_keys=True).encode()
    private = _private(signing_key)
    public = private.public_key().public_bytes_raw()
    return {
        **body,
        "public_key": base64.b64encode(public).decode(),
        "signature": base64.b64encode(private.sign(message)).decode(),
    }


def checkpoint_signature_ok(checkpoint: dict[str, Any], trusted_public_key: str) -> bool:
    body = {k: checkpoint[k] for k in ("seq", "entry_hash", "made_at")}
    message = json.dumps(body, sort_keys=True).encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted_public_key)).verify(
            base64.b64decode(checkpoint["signature"]), message
        )
    except (InvalidSignature, ValueError, KeyError):
        return False
    return True


def public_key_of(signing_key: str) -> str:
    return base64.b64encode(_private(signing_key).public_key().public_bytes_raw()).decode()
