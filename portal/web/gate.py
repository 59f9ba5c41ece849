"""The sign-in gate: a password alone opens only the second-factor step (issue 18 point 1).

A session whose password has passed but whose second factor has not (``AuthSession.stage`` is
``password``) reaches only the routes declared ``factor_step=True`` (enrol, verify, a recovery
code, setting up the app, sign out, extend the session) and the public ones. Any other page
redirects to the factor step (303; for htmx a 401 with ``HX-Redirect``), remembering where the
user was going; any other unsafe request is refused (403). Anonymous users go to sign in.
"""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.accounts.service import ActiveSession
from portal.web.access import Access

log = logging.getLogger("portal.web.routing")

FACTOR_STEP = "second_factor"  # the route a password-only session is sent to


class Gated(Protocol):
    @property
    def access(self) -> Access: ...
    @property
    def factor_step(self) -> bool: ...


def factor_gate(route: Gated, request: Request, active: ActiveSession | None) -> Response | None:
    """None when the request may go on; else where a password-only session is sent."""
    if active is None or active.session.signed_in or route.access.public or route.factor_step:
        return None
    if request.method not in {"GET", "HEAD"}:
        log.warning("authz.second_factor_missing session_id=%s", active.session.id)
        raise HTTPException(status_code=403)
    url = str(request.url_for(FACTOR_STEP).path)
    target = request.url.path
    if target not in {"/", "/home"}:
        url += "?next=" + quote(_with_query(request), safe="/")
    return _go(request, url)


def to_sign_in(request: Request) -> Response:
    target = request.url.path
    login = str(request.url_for("login").path)
    url = f"{login}?next={target}" if request.method == "GET" and target != "/" else login
    return _go(request, url)


def _with_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _go(request: Request, url: str) -> Response:
    """A 303 to ``url``; for htmx a 401 whose ``HX-Redirect`` loads it as a whole page."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
