"""The signed-in user's own account: their sessions, and signing out elsewhere (issue 18
point 6). The use cases are in portal.accounts.sessions_page."""

from __future__ import annotations

from starlette.responses import Response

from portal.accounts import sessions_page
from portal.accounts.permissions import Permission
from portal.accounts.service import ActiveSession
from portal.web.pages import get, post
from portal.web.routing import RequestContext, requires

OWN = requires(Permission.MANAGE_OWN_SESSION)


def _current(ctx: RequestContext) -> ActiveSession:
    assert ctx.active_session is not None  # the route requires sign-in
    return ctx.active_session


def account_sessions(ctx: RequestContext) -> Response:
    page = sessions_page.sessions_page(ctx.unit, ctx.settings, _current(ctx))
    return ctx.render("accounts/sessions.html", {"page": page})


def account_session_sign_out(ctx: RequestContext) -> Response:
    sessions_page.sign_out_session(ctx.unit, _current(ctx), ctx.path_id("session_id"))
    ctx.flash("Signed out of that session")
    return ctx.redirect("account_sessions")


def account_sessions_sign_out_others(ctx: RequestContext) -> Response:
    ended = sessions_page.sign_out_other_sessions(ctx.unit, ctx.settings, _current(ctx))
    if ended:
        ctx.flash(f"Signed out of {ended} other session{'' if ended == 1 else 's'}")
    return ctx.redirect("account_sessions")


SESSIONS = "/account/sessions"
routes = [
    get(SESSIONS, account_sessions, OWN, "account_sessions"),
    post(
        SESSIONS + "/{session_id}/sign-out",
        account_session_sign_out,
        OWN,
        "account_session_sign_out",
    ),
    post(
        SESSIONS + "/sign-out-others",
        account_sessions_sign_out_others,
        OWN,
        "account_sessions_sign_out_others",
    ),
]
