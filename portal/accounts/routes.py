"""Sign in, sign out, keep a session alive, and (for admins) manage staff accounts."""

from __future__ import annotations

import uuid

from starlette.exceptions import HTTPException
from starlette.responses import Response

from portal.accounts import repository
from portal.accounts import service as accounts
from portal.accounts.errors import PasswordRejected, UsernameTaken
from portal.accounts.models import User
from portal.accounts.roles import ALL_ROLES, Role
from portal.clock import utc_now
from portal.security.passwords import check_password_policy
from portal.web import csrf
from portal.web.forms import FieldErrors
from portal.web.routing import PUBLIC, PortalRoute, RequestContext, allow, safe_next

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
        {"errors": FieldErrors(), "username": "", "next": ctx.request.query_params.get("next", "")},
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
    client = ctx.request.client.host if ctx.request.client else "unknown"
    ticket = accounts.begin_login(
        ctx.db, settings=ctx.settings, username=username, client=client, now=utc_now()
    )
    ctx.checkpoint()  # the attempt is counted before the password is checked
    verified = accounts.check_password(ticket, password)
    new = accounts.finish_login(
        ctx.db,
        settings=ctx.settings,
        ticket=ticket,
        password=password,
        verified=verified,
        now=utc_now(),
    )
    if new is None:
        message = THROTTLED if ticket.throttled else GENERIC_FAILURE
        errors.add("username", message)
        return _login_again(ctx, errors, username, next_path)
    if ctx.active_session is not None:  # a new session replaces any old one (ASVS 7.2.4)
        accounts.end_session(ctx.db, session=ctx.active_session.session, now=utc_now())
    ctx.set_cookie(csrf.session_cookie_name(ctx.settings), new.token)
    ctx.clear_cookie(csrf.anonymous_cookie_name(ctx.settings))
    response = ctx.redirect_to(next_path or str(ctx.request.url_for("home").path))
    return response


def _login_again(
    ctx: RequestContext, errors: FieldErrors, username: str, next_path: str
) -> Response:
    return ctx.render(
        "accounts/login.html",
        {"errors": errors, "username": username, "next": next_path},
        status_code=400,
    )


def logout(ctx: RequestContext) -> Response:
    if ctx.active_session is not None:
        accounts.end_session(ctx.db, session=ctx.active_session.session, now=utc_now())
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
    accounts.extend_session(ctx.db, active=ctx.active_session, now=utc_now())
    if ctx.is_htmx:
        return Response(status_code=204)
    return ctx.redirect_to(safe_next(ctx.field("next")) or str(ctx.request.url_for("home").path))


# --- administration -------------------------------------------------------------------------


def admin_users(ctx: RequestContext) -> Response:
    return ctx.render("admin/users.html", {"users": repository.list_users(ctx.db)})


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


def admin_user_new(ctx: RequestContext) -> Response:
    return ctx.render(
        "admin/user_new.html",
        {"errors": FieldErrors(), "values": {}, "roles": _role_choices()},
    )


def admin_user_create(ctx: RequestContext) -> Response:
    values = {
        "username": ctx.field("username").strip(),
        "display_name": ctx.field("display_name").strip(),
        "role": ctx.field("role"),
    }
    password = ctx.field("password")
    errors = FieldErrors()
    if not values["display_name"]:
        errors.add("display_name", "Enter the person's full name")
    elif len(values["display_name"]) > 120:
        errors.add("display_name", "Full name must be 120 characters or fewer")
    if not values["username"]:
        errors.add("username", "Enter a username")
    elif (
        len(values["username"]) > 64
        or not values["username"].replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        errors.add(
            "username", "Username must be 64 characters or fewer: letters, numbers, . - and _ only"
        )
    if values["role"] not in {r.value for r in ALL_ROLES}:
        errors.add("role", "Select a role")
    if not password:
        errors.add("password", "Enter a password")
    else:
        verdict = check_password_policy(password, username=values["username"])
        if not verdict.ok:
            errors.add("password", verdict.message)
    if not errors:
        try:
            accounts.create_user(
                ctx.db,
                username=values["username"],
                display_name=values["display_name"],
                role=Role(values["role"]),
                password=password,
                now=utc_now(),
            )
        except UsernameTaken:
            errors.add("username", "A user with this username already exists")
        except PasswordRejected as exc:
            errors.add("password", exc.message)
    if errors:
        return ctx.render(
            "admin/user_new.html",
            {"errors": errors, "values": values, "roles": _role_choices()},
            status_code=400,
        )
    ctx.flash("User account created")
    return ctx.redirect("admin_users")


def admin_user_deactivate(ctx: RequestContext) -> Response:
    user = _user_or_404(ctx)
    if ctx.principal is not None and user.id == ctx.principal.user_id:
        raise HTTPException(status_code=400)
    accounts.set_active(ctx.db, user=user, active=False, now=utc_now())
    ctx.flash("User account deactivated and signed out everywhere")
    return ctx.redirect("admin_users")


def admin_user_activate(ctx: RequestContext) -> Response:
    user = _user_or_404(ctx)
    accounts.set_active(ctx.db, user=user, active=True, now=utc_now())
    ctx.flash("User account reactivated")
    return ctx.redirect("admin_users")


def _user_or_404(ctx: RequestContext) -> User:
    try:
        user_id = uuid.UUID(str(ctx.request.path_params["user_id"]))
    except ValueError:
        raise HTTPException(status_code=404) from None
    user = repository.get_user(ctx.db, user_id)
    if user is None:
        raise HTTPException(status_code=404)
    return user


ADMIN = allow(Role.ADMIN)
AUTHENTICATED = allow(ALL_ROLES)

routes = [
    PortalRoute("/login", login_page, access=PUBLIC, name="login"),
    PortalRoute(
        "/login",
        login_submit,
        access=PUBLIC,
        methods=["POST"],
        name="login_submit",
        manual_transactions=True,
    ),
    PortalRoute("/logout", logout, access=AUTHENTICATED, methods=["POST"], name="logout"),
    PortalRoute("/signed-out", signed_out, access=PUBLIC, name="signed_out"),
    PortalRoute(
        "/session/extend", extend_session, access=AUTHENTICATED, methods=["POST"], name="extend"
    ),
    PortalRoute("/admin/users", admin_users, access=ADMIN, name="admin_users"),
    PortalRoute("/admin/users/new", admin_user_new, access=ADMIN, name="admin_user_new"),
    PortalRoute(
        "/admin/users/new",
        admin_user_create,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_create",
    ),
    PortalRoute(
        "/admin/users/{user_id}/deactivate",
        admin_user_deactivate,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_deactivate",
    ),
    PortalRoute(
        "/admin/users/{user_id}/activate",
        admin_user_activate,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_activate",
    ),
]
