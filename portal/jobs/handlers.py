"""What each kind of job does: kind -> handler(db, vault, actor, job, batch), which returns how
many items it looked at (fewer than ``batch``: the job is finished)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.keys.vault import Vault
from portal.vlu import service as vlu
from portal.vlu.models import Job

JobHandler = Callable[[Session, Vault, Actor, Job, int], int]

HANDLERS: dict[str, JobHandler] = {f"vlu.{action}": vlu.bulk_batch for action in vlu.BULK_ACTIONS}
