"""What happens to an account, published for other domains (portal.kit.events).

Anonymity ends the live unmasking grants of an account whose role changed or which was
deactivated (portal.anonymity.handlers), so accounts imports nothing of it. Ids only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.accounts.actor import Actor
from portal.kit.events import Event


@dataclass(frozen=True)
class AccessWithdrawn(Event):
    """What ``user_id`` was trusted with was taken away (``why``: ``role_changed``,
    ``deactivated``): grants and sessions given under the old access end now."""

    user_id: uuid.UUID
    actor: Actor
    why: str
