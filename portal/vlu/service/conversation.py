"""The conversation on a request between the case team and the VLU."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission, roles_with
from portal.accounts.unit import Unit
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.vlu.models import VluMessage, VluRequest
from portal.vlu.service.common import (
    MAX_MESSAGE,
    audit_entry,
    refuse_sealed,
    row_of,
)

MESSAGE_ROLES = roles_with(Permission.MESSAGE_ON_REQUEST)  # the case team and the VLU


def post_message(
    db: Session, vault: Vault, actor: Actor, request: VluRequest, person: Person, *, body: str
) -> VluMessage:
    if not actor.can(Permission.MESSAGE_ON_REQUEST):
        raise NotPermitted("only the case team and the VLU take part in the conversation")
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed({"message": "Enter a message"})
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed(
            {"message": f"The message must be {MAX_MESSAGE:,} characters or fewer"}
        )
    refuse_sealed(db, vault, request, {"message": ("The message", text)})
    message = VluMessage(
        request_id=request.id,
        key_id=request.key_id,
        author_id=actor.user_id,
        author_role=actor.role.value,
        at=utc_now(),
    )
    vault.put(message, "body", text)
    db.add(message)
    db.flush()
    audit_entry(
        db,
        actor,
        request,
        person,
        category="collection",
        action="vlu.message",
        object_type="vlu_message",
        object_id=message.id,
        fields=("body",),
    )
    return message


def message_on_request(
    unit: Unit, case_id: uuid.UUID, request_id: uuid.UUID, *, body: str
) -> VluMessage:
    """``post_message`` on the request with these ids (in the actor's scope)."""
    row = row_of(unit, case_id, request_id)
    return post_message(unit.db, unit.vault, unit.actor, row.request, row.person, body=body)
