"""Refused access in the access log (issue 16 point 8): every 403 a signed-in user meets leaves
one row, ``access.refused``, with ids only (who, under which role, which route, which request).

Access is refused by raising, so the request's own transaction is rolled back; the row is
written afterwards, by the error page's handler, in its own short transaction. The edge
(portal.web.routing) remembers who asked for which route as soon as the session is loaded;
an anonymous request is sent to sign in, never refused, and leaves no row here.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

from portal.accounts.actor import Actor
from portal.audit import service as audit
from portal.db.session import unit_of_work

ACTION = "access.refused"
log = logging.getLogger(__name__)
_KEY = "access_asked"  # request scope state: (actor, route name)


def remember(request: Request, actor: Actor, route_name: str) -> None:
    """Note who is asking for which route, for ``record_refusal`` if they are refused."""
    request.scope.setdefault("state", {})[_KEY] = (actor, route_name)


def record_refusal(request: Request, reason: str) -> bool:
    """Write the refusal's row in its own transaction; False if no one was signed in."""
    state = request.scope.get("state", {})
    asked = state.get(_KEY)
    if asked is None:
        return False
    actor, route_name = asked
    token = audit.request_id_var.set(str(state.get("request_id", "")) or None)
    try:
        with unit_of_work(request.app.state.session_factory) as db:
            audit.record(
                db,
                actor=actor,
                category="security",
                action=ACTION,
                object_type="route",
                object_id=route_name,
                purpose=reason[:40],
            )
    except SQLAlchemyError:  # the refusal page is still the answer; the log line remains
        log.exception("audit.refusal_not_recorded route=%s", route_name)
        return False
    finally:
        audit.request_id_var.reset(token)
    return True
