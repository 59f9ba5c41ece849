"""Record ids as they arrive from outside (a path, a form, a session): a UUID or nothing."""

from __future__ import annotations

import uuid


def as_uuid(value: object) -> uuid.UUID | None:
    """``value`` as a UUID; ``None`` when it is missing or is no UUID at all."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
