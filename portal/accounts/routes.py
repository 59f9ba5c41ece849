"""Sign in, sign out, keep a session alive, and set up a new account with a one-time code.

Account administration is in portal.accounts.admin_routes.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from portal.accounts import signing
from portal.accounts.account_routes import routes as account_routes
from portal.accounts.admin_routes import routes as admin_routes
from portal.accounts.factor_routes import routes as factor_routes
from portal.accounts.forms import ServiceRefusals
from portal.accounts.permissions import Permission
from portal.web import csrf
from portal.web.forms import FieldErrors
from portal.web.pages import get, post, safe_next
from portal.web.routing import PUBLIC, RequestContext, requires

GENERIC_FAILURE = "Enter a correct username and password"
THROTTLED = (
    "Too many attempts to sign in to this account. Wait 5 minutes before you try again, "
    "or contact your service desk"
)


def login_page(ctx: RequestContext) -> Response:
    if ctx.principal is not None:
        return ctx.redirect("home")
    return ctx.render(
        "accounts/login.html",
        {
            "errors": FieldErrors(),
            "username": "",
            "next": ctx.request.query_params.get("next", ""),
            "ready": ctx.request.query_params.get("ready") == "1",
        },
    )


def login_submit(ctx: RequestContext) -> Response:
    username = ctx.field("username").strip()
    password = ctx.field("password")
    next_path = safe_next(ctx.field("next")) or ""
    errors = FieldErrors()
    if not username:
        errors.add("username", "Enter your username")
    if not password:
        errors.add("password", "Enter your password")
    if errors:
        return _login_again(ctx, errors, username, next_path)
    result = signing.sign_in(
        ctx.visitor,
        ctx.settings,
        username=username,
        password=password,
        client=ctx.client_address,
        checkpoint=ctx.checkpoint,
        outside_db_slot=ctx.outside_db_slot,
        replacing=ctx.active_session,
        user_agent=ctx.request.headers.get("user-agent", ""),
    )
    new = result.session
    if new is None:
        message = THROTTLED if result.throttled else GENERIC_FAILURE
        errors.add("username", message)
        return _login_again(ctx, errors, username, next_path)
    ctx.set_cookie(csrf.session_cookie_name(ctx.settings), new.token)
    ctx.clear_cookie(csrf.anonymous_cookie_name(ctx.settings))
    # The password has passed; the second factor is next (portal.accounts.factor_routes).
    step = ctx.url_for("second_factor")
    return ctx.redirect_to(f"{step}?next={quote(next_path, safe='/')}" if next_path else step)


def _login_again(
    ctx: RequestContext, errors: FieldErrors, username: str, next_path: str
) -> Response:
    return ctx.render(
        "accounts/login.html",
        {"errors": errors, "username": username, "next": next_path, "ready": False},
        status_code=400,
    )


def logout(ctx: RequestContext) -> Response:
    if ctx.active_session is not None:
        signing.sign_out(ctx.unit, ctx.active_session)
    ctx.clear_cookie(csrf.session_cookie_name(ctx.settings))
    response = ctx.redirect("signed_out")
    # Tell the browser to drop anything it kept from the signed-in pages (ASVS 14.3.1), its
    # cookies included, even one the deletion above could not reach.
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def signed_out(ctx: RequestContext) -> Response:
    reason = ctx.request.query_params.get("reason", "")
    return ctx.render("accounts/signed_out.html", {"timed_out": reason == "timeout"})


def extend_session(ctx: RequestContext) -> Response:
    assert ctx.active_session is not None
    signing.extend_session(ctx.unit, ctx.active_session)
    if ctx.is_htmx:
        return Response(status_code=204)
    return ctx.redirect_to(safe_next(ctx.field("next")) or ctx.url_for("home"))


# --- setting up a new account ---------------------------------------------------------------


def account_setup(ctx: RequestContext) -> Response:
    return _setup_again(ctx, FieldErrors(), "", status=200)


def account_setup_submit(ctx: RequestContext) -> Response:
    code = ctx.field("code").strip()
    password = ctx.field("password")
    errors = FieldErrors()
    if not code:
        errors.add("code", "Enter the set-up code you were given")
    if not password:
        errors.add("password", "Enter a password")
    if not errors:
        with ServiceRefusals(errors):
            signing.set_up_account(ctx.visitor, code=code, password=password)
    if errors:
        return _setup_again(ctx, errors, code if errors.get("code") is None else "", status=400)
    return ctx.redirect_to(ctx.url_for("login") + "?ready=1")


def _setup_again(ctx: RequestContext, errors: FieldErrors, code: str, *, status: int) -> Response:
    return ctx.render("accounts/setup.html", {"errors": errors, "code": code}, status_code=status)


AUTHENTICATED = requires(Permission.MANAGE_OWN_SESSION)

SETUP = "/account/set-up"
routes = [
    get("/login", login_page, PUBLIC, "login"),
    post("/login", login_submit, PUBLIC, "login_submit", manual_transactions=True),
    post("/logout", logout, AUTHENTICATED, "logout", factor_step=True),
    get("/signed-out", signed_out, PUBLIC, "signed_out"),
    post("/session/extend", extend_session, AUTHENTICATED, "extend", factor_step=True),
    get(SETUP, account_setup, PUBLIC, "account_setup"),
    post(SETUP, account_setup_submit, PUBLIC, "account_setup_submit"),
    *admin_routes,
    *account_routes,
    *factor_routes,
]
