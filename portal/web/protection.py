"""The outermost layer: security headers, a per-response CSP nonce, body limits, last resort.

A pure ASGI middleware (not ``BaseHTTPMiddleware``) so it sees every response, including error
pages, static files and responses from other middleware, and can refuse an oversized body before
any of it is buffered. Headers follow security.md 1.11 and test T27; the CSP is nonce-based with
``'strict-dynamic'`` and no ``'unsafe-inline'``/``'unsafe-eval'`` (ASVS 3.4.3, L3 clause).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.settings import Settings

log = logging.getLogger("portal.errors")
access_log = logging.getLogger("portal.access")

STATIC_PREFIXES = ("/static/", "/assets/", "/vendor/")


class BodyTooLarge(Exception):
    pass


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'nonce-{nonce}' 'strict-dynamic'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "report-uri /csp-report",
            "report-to csp",
        ]
    )


ErrorRenderer = Callable[[int, Scope], bytes]


class ProtectionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        render_error: ErrorRenderer,
        upload_limits: list[tuple[re.Pattern[str], int]] | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.render_error = render_error
        self.upload_limits = upload_limits or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        nonce = secrets.token_urlsafe(18)  # 144 bits, fresh for every response
        state["csp_nonce"] = nonce
        state["request_id"] = secrets.token_hex(8)
        path: str = scope.get("path", "")
        is_static = path.startswith(STATIC_PREFIXES)
        started = False
        status = 0
        limit = self.settings.max_body_bytes
        for pattern, route_limit in self.upload_limits:
            if scope.get("method") == "POST" and pattern.match(path):
                limit = route_limit
                break
        began = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                message["headers"] = self._headers(message.get("headers", []), nonce, is_static)
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._send_error(413, scope, send_with_headers)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await self._send_error(413, scope, send_with_headers)
        except Exception:
            # ASVS 16.5.4: a last-resort handler. The log has the request id and the exception
            # type and location; the page has only the request id.
            log.exception(
                "unhandled request_id=%s path_template=%s", state["request_id"], _route(scope)
            )
            if started:
                raise
            await self._send_error(500, scope, send_with_headers)
        finally:
            if not is_static:
                # The path only: query strings could one day carry something personal.
                access_log.info(
                    "%s %s %s %.1fms request_id=%s",
                    scope.get("method"),
                    path,
                    status,
                    (time.perf_counter() - began) * 1000,
                    state["request_id"],
                )

    def _headers(
        self, raw: list[tuple[bytes, bytes]], nonce: str, is_static: bool
    ) -> list[tuple[bytes, bytes]]:
        # Headers set here for every response replace a handler's own (a download's nosniff
        # would otherwise be sent twice).
        replaced = {b"server", b"cache-control", b"x-content-type-options"}
        headers = [(k, v) for k, v in raw if k.lower() not in replaced]
        cache = b"no-cache" if is_static else b"no-store, max-age=0"
        existing_vary = [v for k, v in raw if k.lower() == b"vary"]
        headers = [(k, v) for k, v in headers if k.lower() != b"vary"]
        vary = b", ".join([*existing_vary, b"HX-Request"]) if not is_static else None
        extra: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", content_security_policy(nonce).encode()),
            (b"reporting-endpoints", b'csp="/csp-report"'),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (
                b"permissions-policy",
                b"camera=(), microphone=(), geolocation=(), payment=(), usb=()",
            ),
            (b"cache-control", cache),
        ]
        if vary is not None:
            extra.append((b"vary", vary))
        if not is_static:
            extra.append((b"pragma", b"no-cache"))
        if self.settings.https:
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        return headers + extra

    async def _send_error(self, status: int, scope: Scope, send: Send) -> None:
        body = self.render_error(status, scope)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "?"))
