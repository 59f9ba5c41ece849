"""The backup archive: a tar of the database dump, a manifest and the erasure ledger, sealed.

Layout: ``MAGIC``, one JSON header line (format, KEK id, salt), then AES-256-GCM chunks of at
most 4 MiB, each ``length (4 bytes) || ciphertext+tag``. The key is derived (HKDF-SHA256, salt
from the header) from the KEK named in the header, so an archive is useless without the instance
key file, which is never put in it. Each chunk's nonce is its number and its associated data
says whether it is the last, so chunks cannot be reordered, dropped or the archive truncated
without the restore noticing. A ``.sha256`` file beside the archive lets anyone check a copy
arrived whole without holding any key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"PORTAL-BACKUP\n"
FORMAT = 1
CHUNK = 4 * 1024 * 1024


class ArchiveError(Exception):
    """The archive is damaged, truncated, tampered with, or sealed under a KEK not configured."""


def _key(kek: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"portal backup archive v1"
    ).derive(kek)
    return AESGCM(derived)


def _nonce(index: int) -> bytes:
    return struct.pack(">4xQ", index)


def seal_file(plain: Path, out: Path, *, kek_id: str, kek: bytes) -> str:
    """Encrypt ``plain`` into ``out`` (0600); returns the archive's SHA-256, also written beside
    it as ``out.sha256``."""
    salt = secrets.token_bytes(16)
    aead = _key(kek, salt)
    header = json.dumps({"format": FORMAT, "kek": kek_id, "salt": salt.hex()}).encode()
    digest = hashlib.sha256()
    temp = out.with_name(out.name + ".part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as sink, plain.open("rb") as source:

        def write(data: bytes) -> None:
            sink.write(data)
            digest.update(data)

        write(MAGIC + header + b"\n")
        for index, (chunk, last) in enumerate(_chunks(source)):
            sealed = aead.encrypt(_nonce(index), chunk, b"last" if last else b"more")
            write(struct.pack(">I", len(sealed)) + sealed)
        sink.flush()
        os.fsync(sink.fileno())
    temp.replace(out)
    checksum = digest.hexdigest()
    Path(str(out) + ".sha256").write_text(f"{checksum}  {out.name}\n")
    return checksum


def _chunks(source: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    current = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        yield current, not following
        if not following:
            return
        current = following


def header_of(archive: Path) -> dict[str, object]:
    with archive.open("rb") as source:
        return _read_header(source)


def _read_header(source: BinaryIO) -> dict[str, object]:
    if source.read(len(MAGIC)) != MAGIC:
        raise ArchiveError("not a portal backup archive")
    try:
        header = json.loads(source.readline(4096))
    except ValueError:
        raise ArchiveError("the archive header is damaged") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ArchiveError("unknown archive format")
    return header


def open_file(archive: Path, out: Path, *, keks: dict[str, bytes]) -> None:
    """Decrypt ``archive`` into ``out`` (0600), checking every chunk and the end."""
    checksum_file = Path(str(archive) + ".sha256")
    if checksum_file.exists():
        expected = checksum_file.read_text().split()[0]
        if hashlib.sha256(archive.read_bytes()).hexdigest() != expected:
            raise ArchiveError("the archive does not match its .sha256 checksum")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with archive.open("rb") as source, os.fdopen(fd, "wb") as sink:
        header = _read_header(source)
        kek_id = str(header.get("kek"))
        if kek_id not in keks:
            raise ArchiveError(
                f"the archive is sealed under KEK {kek_id!r}, which is not configured"
            )
        aead = _key(keks[kek_id], bytes.fromhex(str(header["salt"])))
        index = 0
        ended = False
        while True:
            length_bytes = source.read(4)
            if not length_bytes:
                break
            if ended or len(length_bytes) != 4:
                raise ArchiveError("the archive has data after its end")
            (length,) = struct.unpack(">I", length_bytes)
            sealed = source.read(length)
            try:
                chunk = aead.decrypt(_nonce(index), sealed, b"more")
            except Exception:
                try:
                    chunk = aead.decrypt(_nonce(index), sealed, b"last")
                except Exception:
                    raise ArchiveError("the archive is damaged or was changed") from None
                ended = True
            sink.write(chunk)
            index += 1
        if not ended:
            raise ArchiveError("the archive is truncated")
