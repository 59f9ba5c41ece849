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

from portal.web import denials

KNOWN_STATUSES = (400, 403, 404, 405, 409, 413, 500, 503)


def error_context(scope: Scope) -> dict[str, Any]:
    state = scope.get("state", {})
    return {
        "principal": None,
        "csrf_token": "",
        "csp_nonce": state.get("csp_nonce", ""),
        "navigation": (),
        "current_path": "",
        "flash_message": None,
        "restriction_banner": None,
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
        if status == 403:
            reason = exc.detail if isinstance(exc, HTTPException) else "refused"
            reason = "route" if reason == "Forbidden" else reason  # the route's declaration
            await run_in_threadpool(denials.record_refusal, request, str(reason))
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
    """Domain errors know nothing of HTTP; this is the one place they become status codes.

    Each family of portal.kit.errors maps once, so a route never writes "refused -> 409" by hand;
    subclasses (``CaseNotFound``, ``TransitionRefused``, ``StaleEdit``...) are found through
    their class hierarchy. ``ValidationFailed`` and ``StaleEdit`` reach here only when no form
    caught them (``Form.service_errors`` re-renders the page instead), so they answer a plain
    400 or 409. The base ``DomainError`` is deliberately absent: an unclassified one is a bug.
    """
    import logging

    from sqlalchemy.orm.exc import StaleDataError

    from portal.keys.vault import IdentitySealed
    from portal.kit.errors import Conflict, NotFound, NotPermitted, ValidationFailed
    from portal.security.crypto import IntegrityError, KeyMissing, KeyUnavailable
    from portal.security.passwords import RETRY_AFTER_SECONDS, HashingBusy

    security_log = logging.getLogger("portal.security")
    authz_log = logging.getLogger("portal.web.routing")

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
            elif isinstance(exc, KeyMissing):
                security_log.error(
                    "security.key_missing request_id=%s",
                    request.scope.get("state", {}).get("request_id"),
                )
            elif isinstance(exc, NotPermitted):
                # ASVS 16.3.2: failed authorisation decisions are logged (ids only).
                authz_log.warning(
                    "authz.denied_by_service error=%s request_id=%s",
                    type(exc).__name__,
                    request.scope.get("state", {}).get("request_id"),
                )
            if status == 403:
                await run_in_threadpool(denials.record_refusal, request, type(exc).__name__)
            name = template or f"errors/{status}.html"
            body = env.get_template(name).render(error_context(request.scope)).encode()
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {}
            if request.headers.get("HX-Request") == "true" and request.method == "GET":
                # htmx swaps no error into the page: the browser opens the same address as a
                # whole page instead, so a refusal is the GOV.UK page, never nothing or a bare
                # fragment (issue 16 point 2).
                headers["HX-Redirect"] = request.url.path
            return HTMLResponse(body, status_code=status, headers=headers or None)

        return handle

    return {
        NotFound: page(404),
        KeyUnavailable: page(404),
        NotPermitted: page(403),
        IdentitySealed: page(403),
        Conflict: page(409),
        ValidationFailed: page(400),
        StaleDataError: page(409),
        IntegrityError: page(500, "errors/integrity.html"),
        KeyMissing: page(500, "errors/key_missing.html"),
        HashingBusy: page(503, "errors/busy.html"),
    }
