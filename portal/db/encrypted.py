"""A column type that only ever stores ciphertext, and a value type that masks itself.

``Sealed`` is the only thing an ``EncryptedBlob`` column accepts: a ``str`` (or raw ``bytes``)
assigned or compared to such a column raises, so plaintext can never reach the database by
accident (architecture.md rule 10; Polar's "wrap-only" type). The type does no cryptography and no
I/O; sealing and opening are explicit calls on the ``Vault``.

``Sensitive`` is what opening returns. ``str()``, ``repr()``, f-strings and logging show
``‹redacted›``; templates render the real value (autoescaped) through ``__html__``; code that
really needs the text calls ``reveal()``.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

REDACTED = "‹redacted›"


class Sealed(bytes):
    """Ciphertext produced by the vault (version | key id | nonce | ciphertext+tag)."""

    def __repr__(self) -> str:
        return f"Sealed({len(self)} bytes)"


class PlaintextRefused(TypeError):
    pass


class EncryptedBlob(TypeDecorator[Sealed]):
    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise PlaintextRefused(
                "encrypted column given a plain value: seal it with the vault before assigning, "
                "and search with a blind index, never by comparing plaintext"
            )
        return bytes(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value))


class Sensitive:
    """A decrypted personal value. Masks itself everywhere except in a template."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __html__(self) -> Markup:
        return escape(self._value)

    def __str__(self) -> str:
        return REDACTED

    def __repr__(self) -> str:
        return f"Sensitive({REDACTED})"

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sensitive):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)
