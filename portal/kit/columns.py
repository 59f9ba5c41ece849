"""Column factories for what many models declare alike."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column


def owned_by(
    table: str, *, index: bool | None = None, unique: bool | None = None
) -> Mapped[uuid.UUID]:
    """A required reference to the row of ``table`` this row belongs to, deleted with it
    (``index`` for the rows of one owner, ``unique`` for a one-to-one)."""
    return mapped_column(
        Uuid, ForeignKey(f"{table}.id", ondelete="CASCADE"), index=index, unique=unique
    )
