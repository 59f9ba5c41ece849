"""Staff account administration: asking for accounts, approving them, set-up codes, deactivation.

Administrators never choose or see a password (portal.accounts.onboarding explains the flow).
"""

from __future__ import annotations

import uuid

from starlette.exceptions import HTTPException
from starlette.responses import Response

from portal.accounts import onboarding, repository
from portal.accounts import service as accounts
from portal.accounts.errors import RequestAlreadyDecided, UsernameTaken
from portal.accounts.forms import (
    area_choices,
    parse_account_request,
    role_choices,
    unit_choices,
)
from portal.accounts.models import AccountRequest, User
from portal.accounts.roles import Role
from portal.cases.reference import AREAS, UNITS
from portal.clock import utc_now
from portal.web.forms import FieldErrors
from portal.web.routing import PortalRoute, RequestContext, allow

ADMIN = allow(Role.ADMIN)
DECISIONS = [("approve", "Approve: create the account"), ("refuse", "Refuse: no account")]


def admin_users(ctx: RequestContext) -> Response:
    return ctx.render(
        "admin/users.html",
        {
            "users": repository.list_users(ctx.db),
            "pending": repository.pending_requests(ctx.db),
            "requested_by": repository.requesters_of_accounts(ctx.db),
        },
    )


def _request_form(
    ctx: RequestContext, values: dict[str, str], errors: FieldErrors, status: int = 200
) -> Response:
    return ctx.render(
        "admin/user_new.html",
        {
            "errors": errors,
            "values": values,
            "roles": role_choices(),
            "areas": area_choices(),
            "units": unit_choices(),
        },
        status_code=status,
    )


def admin_user_new(ctx: RequestContext) -> Response:
    return _request_form(ctx, {}, FieldErrors())


def admin_user_create(ctx: RequestContext) -> Response:
    values, errors, details = parse_account_request(ctx.field)
    if details is not None:
        try:
            onboarding.request_account(ctx.db, ctx.actor, details, now=utc_now())
        except UsernameTaken:
            errors.add("username", "A user with this username already exists or has been asked for")
    if errors:
        return _request_form(ctx, values, errors, 400)
    ctx.flash("Account requested. Another administrator must approve it before it can be set up")
    return ctx.redirect("admin_users")


def _request_or_404(ctx: RequestContext) -> AccountRequest:
    request = repository.get_request(ctx.db, _path_uuid(ctx, "request_id"))
    if request is None:
        raise HTTPException(status_code=404)
    return request


def _review(
    ctx: RequestContext, request: AccountRequest, errors: FieldErrors, status: int = 200
) -> Response:
    requester = repository.get_user(ctx.db, request.requested_by_id)
    decider = repository.get_user(ctx.db, request.decided_by_id) if request.decided_by_id else None
    return ctx.render(
        "admin/request.html",
        {
            "account_request": request,
            "requester": requester,
            "decider": decider,
            "area": AREAS.get(request.area or "", ""),
            "unit": UNITS.get(request.unit or "", ""),
            "mine": ctx.actor.user_id == request.requested_by_id,
            "decisions": DECISIONS,
            "errors": errors,
        },
        status_code=status,
    )


def admin_request(ctx: RequestContext) -> Response:
    return _review(ctx, _request_or_404(ctx), FieldErrors())


def admin_request_decide(ctx: RequestContext) -> Response:
    request = _request_or_404(ctx)
    decision = ctx.field("decision")
    errors = FieldErrors()
    if decision not in {"approve", "refuse"}:
        errors.add("decision", "Select whether to approve or refuse this request")
        return _review(ctx, request, errors, 400)
    try:
        issued = onboarding.decide(
            ctx.db, ctx.actor, ctx.settings, request, approve=decision == "approve", now=utc_now()
        )
    except RequestAlreadyDecided:
        ctx.flash("This request had already been decided")
        return ctx.redirect("admin_request", request_id=request.id)
    except UsernameTaken:
        errors.add("decision", "A user with this username now exists: refuse this request")
        return _review(ctx, request, errors, 400)
    if issued is None:
        ctx.flash("Request refused. No account was created")
        return ctx.redirect("admin_users")
    return _show_code(ctx, issued, heading="Account approved")


def _show_code(ctx: RequestContext, issued: onboarding.IssuedCode, *, heading: str) -> Response:
    """The only time the code is ever shown (it is stored only as a hash)."""
    return ctx.render(
        "admin/setup_code.html",
        {
            "heading": heading,
            "user": issued.user,
            "code": issued.code,
            "expires_at": issued.expires_at,
            "setup_url": str(ctx.request.url_for("account_setup")),
        },
    )


def admin_user_setup_code(ctx: RequestContext) -> Response:
    user = _user_or_404(ctx)
    issued = onboarding.issue_setup_code(ctx.db, ctx.actor, ctx.settings, user, now=utc_now())
    return _show_code(ctx, issued, heading="New set-up code")


def admin_user_deactivate(ctx: RequestContext) -> Response:
    user = _user_or_404(ctx)
    accounts.set_active(ctx.db, actor=ctx.actor, user=user, active=False, now=utc_now())
    ctx.flash("User account deactivated and signed out everywhere")
    return ctx.redirect("admin_users")


def admin_user_activate(ctx: RequestContext) -> Response:
    user = _user_or_404(ctx)
    accounts.set_active(ctx.db, actor=ctx.actor, user=user, active=True, now=utc_now())
    ctx.flash("User account reactivated")
    return ctx.redirect("admin_users")


def _path_uuid(ctx: RequestContext, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(ctx.request.path_params[name]))
    except ValueError:
        raise HTTPException(status_code=404) from None


def _user_or_404(ctx: RequestContext) -> User:
    user = repository.get_user(ctx.db, _path_uuid(ctx, "user_id"))
    if user is None:
        raise HTTPException(status_code=404)
    return user


REQUEST = "/admin/account-requests/{request_id}"
USER = "/admin/users/{user_id}"

routes = [
    PortalRoute("/admin/users", admin_users, access=ADMIN, name="admin_users"),
    PortalRoute("/admin/users/new", admin_user_new, access=ADMIN, name="admin_user_new"),
    PortalRoute(
        "/admin/users/new",
        admin_user_create,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_create",
    ),
    PortalRoute(REQUEST, admin_request, access=ADMIN, name="admin_request"),
    PortalRoute(
        REQUEST, admin_request_decide, access=ADMIN, methods=["POST"], name="admin_request_decide"
    ),
    PortalRoute(
        USER + "/setup-code",
        admin_user_setup_code,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_setup_code",
    ),
    PortalRoute(
        USER + "/deactivate",
        admin_user_deactivate,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_deactivate",
    ),
    PortalRoute(
        USER + "/activate",
        admin_user_activate,
        access=ADMIN,
        methods=["POST"],
        name="admin_user_activate",
    ),
]
