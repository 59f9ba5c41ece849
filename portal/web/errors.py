"""One place that turns errors into GOV.UK-style pages that leak nothing (house rule 11).

Error pages are rendered in a failsafe mode: no database, no session, no navigation, no
``url_for``; only the status, a plain-English explanation and the request id to quote.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope

KNOWN_STATUSES = (400, 403, 404, 405, 409, 413, 500)


def error_context(scope: Scope) -> dict[str, Any]:
    state = scope.get("state", {})
    return {
        "principal": None,
        "csrf_token": "",
        "csp_nonce": state.get("csp_nonce", ""),
        "navigation": (),
        "current_path": "",
        "flash_message": None,
        "restriction_notices": [],
        "request_id": state.get("request_id", ""),
        "session_idle_seconds": 0,
        "session_warning_seconds": 0,
    }


def render_error_page(env: Environment, status: int, scope: Scope) -> bytes:
    name = f"errors/{status if status in KNOWN_STATUSES else 500}.html"
    return env.get_template(name).render(error_context(scope)).encode()


def make_http_exception_handler(env: Environment) -> Any:
    async def handle(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status not in KNOWN_STATUSES:
            status = 400 if 400 <= status < 500 else 500
        body = render_error_page(env, status, request.scope)
        headers = (
            {"Allow": exc.headers["Allow"]}
            if isinstance(exc, HTTPException) and exc.headers and "Allow" in exc.headers
            else None
        )
        return HTMLResponse(body, status_code=status, headers=headers)

    return handle


def make_domain_handlers(env: Environment) -> dict[type[Exception], Any]:
    """Domain errors know nothing of HTTP; this is where they become status codes."""
    import logging

    from sqlalchemy.orm.exc import StaleDataError

    from portal.cases.errors import CaseNotFound, NotPermitted
    from portal.keys.vault import IdentitySealed
    from portal.security.crypto import IntegrityError, KeyUnavailable

    security_log = logging.getLogger("portal.security")

    def record_security_event(request: Request) -> None:
        """The request's own transaction was rolled back; the security event gets its own."""
        from portal.audit import service as audit
        from portal.db.session import unit_of_work

        with unit_of_work(request.app.state.session_factory) as db:
            audit.record(
                db,
                actor=None,
                category="security",
                action="integrity_failure",
                object_type="request",
                object_id=request.scope.get("state", {}).get("request_id"),
            )

    def page(status: int, template: str | None = None) -> Any:
        async def handle(request: Request, exc: Exception) -> Response:
            if isinstance(exc, IntegrityError):
                security_log.warning(
                    "security.integrity_error_shown request_id=%s",
                    request.scope.get("state", {}).get("request_id"),
                )
                await run_in_threadpool(record_security_event, request)
            name = template or f"errors/{status}.html"
            body = env.get_template(name).render(error_context(request.scope)).encode()
            return HTMLResponse(body, status_code=status)

        return handle

    return {
        CaseNotFound: page(404),
        KeyUnavailable: page(404),
        NotPermitted: page(403),
        IdentitySealed: page(403),
        StaleDataError: page(409),
        IntegrityError: page(500, "errors/integrity.html"),
    }
