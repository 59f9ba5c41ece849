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


def cookie_options(settings: Settings) -> dict[str, object]:
    return {"httponly": True, "samesite": "strict", "secure": settings.https, "path": "/"}


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


def ensure_anonymous_cookie(
    settings: Settings, request: Request, response: Response, *, signed_in: bool
) -> None:
    """Set the pre-session cookie if this response created a new one."""
    created = request.scope.get("state", {}).get("pre_session")
    if created and not signed_in and not request.cookies.get(anonymous_cookie_name(settings)):
        response.set_cookie(anonymous_cookie_name(settings), created, **cookie_options(settings))  # type: ignore[arg-type]


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
