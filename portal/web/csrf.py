"""Cross-site request forgery protection for every unsafe request.

Three layers (OWASP CSRF cheat sheet; security.md 1.11):

1. Fetch Metadata: an unsafe request whose ``Sec-Fetch-Site`` is anything other than
   ``same-origin`` or ``none`` is refused; without Fetch Metadata, a present ``Origin`` must be
   ours.
2. A synchronizer token on every unsafe request, in the ``csrf_token`` form field or the
   ``X-CSRF-Token`` header (htmx sends it through ``hx-headers`` on ``<body>``). For a signed-in
   user it is an HMAC of the server-side session's token hash, so it changes at every login and is
   useless with any other session. Before sign-in it is an HMAC of a random pre-session cookie
   (the signed double-submit pattern), which protects the sign-in form itself.
3. ``SameSite=Strict`` cookies, as defence in depth.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.security import tokens
from portal.settings import Settings

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def session_cookie_name(settings: Settings) -> str:
    return "__Host-portal_session" if settings.https else "portal_session"


def anonymous_cookie_name(settings: Settings) -> str:
    return "__Host-portal_pre" if settings.https else "portal_pre"


def cookie_options(settings: Settings) -> dict[str, Any]:
    return {"httponly": True, "samesite": "strict", "secure": settings.https, "path": "/"}


def write_cookies(settings: Settings, response: Response, cookies: Mapping[str, str]) -> None:
    """Set each cookie, or delete it where its value is empty, always with the same attributes.

    A deletion must carry them too: a browser ignores a ``__Host-`` cookie (set or deleted)
    without ``Secure`` and ``Path=/``. One entry per name, so a response never both sets and
    deletes a cookie (the browser would keep whichever header came last).
    """
    options = cookie_options(settings)
    for name, value in cookies.items():
        if value:
            response.set_cookie(name, value, **options)
        else:
            response.delete_cookie(name, **options)


def _key(settings: Settings) -> bytes:
    return settings.secret_key.reveal().encode()


def session_token(settings: Settings, session_token_hash: str) -> str:
    return tokens.keyed_hash(_key(settings), "csrf-session", session_token_hash)


def _pre_session_value(settings: Settings, request: Request) -> str:
    state = request.scope.setdefault("state", {})
    value = request.cookies.get(anonymous_cookie_name(settings)) or state.get("pre_session")
    if not value:
        value = secrets.token_urlsafe(32)
        state["pre_session"] = value
    return str(value)


def anonymous_token(settings: Settings, request: Request) -> str:
    return tokens.keyed_hash(_key(settings), "csrf-anon", _pre_session_value(settings, request))


def new_anonymous_cookie(settings: Settings, request: Request, *, signed_in: bool) -> str | None:
    """The pre-session cookie value this request created, if the response must set it."""
    created = request.scope.get("state", {}).get("pre_session")
    if created and not signed_in and not request.cookies.get(anonymous_cookie_name(settings)):
        return str(created)
    return None


def check_fetch_metadata(request: Request) -> None:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in {"same-origin", "none"}:
            raise HTTPException(status_code=403, detail="cross-site request")
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin != expected:
            raise HTTPException(status_code=403, detail="foreign origin")
    elif origin == "null":
        raise HTTPException(status_code=403, detail="opaque origin")


def check_token(request: Request, form: FormData | None, *, expected: str) -> None:
    supplied = request.headers.get(HEADER)
    if supplied is None and form is not None:
        value = form.get(FORM_FIELD)
        supplied = value if isinstance(value, str) else None
    if not supplied or not tokens.equal(supplied, expected):
        raise HTTPException(status_code=403, detail="csrf")
