"""The web edge's answer to database faults: a GOV.UK "service unavailable" page (503).

``portal.db.faults`` says which errors mean the database is unavailable or the disk is full;
here each is logged once (its kind and the request id, nothing else) and answered with
``errors/503.html`` and ``Retry-After``. Anything else stays a 500: a bug is not an outage.
"""

from __future__ import annotations

import logging
from typing import Any

from jinja2 import Environment
from sqlalchemy import exc as sa_exc
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from portal.db.faults import DatabaseUnavailable, is_disk_full, is_unavailable, kind_of
from portal.web.errors import error_context

log = logging.getLogger("portal.db")
RETRY_AFTER_S = "30"


def make_fault_handlers(env: Environment) -> dict[type[Exception], Any]:
    async def handle(request: Request, exc: Exception) -> Response:
        request_id = request.scope.get("state", {}).get("request_id")
        if not (is_unavailable(exc) or is_disk_full(exc)):
            raise exc  # not an outage: the last-resort handler logs it and answers 500
        log.error("db.unavailable kind=%s request_id=%s", kind_of(exc), request_id)
        context = {**error_context(request.scope), "disk_full": is_disk_full(exc)}
        body = env.get_template("errors/503.html").render(context)
        return HTMLResponse(body, status_code=503, headers={"Retry-After": RETRY_AFTER_S})

    return {
        DatabaseUnavailable: handle,
        sa_exc.OperationalError: handle,
        sa_exc.InterfaceError: handle,
        sa_exc.TimeoutError: handle,
        OSError: handle,
    }
