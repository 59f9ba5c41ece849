"""Staff account administration: asking for accounts, approving them, set-up codes, deactivation.

Administrators never choose or see a password (portal.accounts.onboarding explains the flow).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from starlette.responses import Response

from portal.accounts import access_requests, administration
from portal.accounts.administration import Decided
from portal.accounts.forms import (
    GRANTS,
    ServiceRefusals,
    access_role_choices,
    access_values,
    area_choices,
    parse_access_change,
    parse_account_request,
    parse_deactivation,
    reason_choices,
    role_choices,
    unit_choices,
)
from portal.accounts.onboarding import IssuedCode
from portal.accounts.permissions import Permission
from portal.cases.reference import AREAS, UNITS
from portal.home import handover
from portal.web.forms import FieldErrors
from portal.web.pages import get, model_context, post
from portal.web.routing import RequestContext, requires
from portal.web.stepup import step_up

ADMIN = requires(Permission.ADMINISTER_ACCOUNTS)
DECISIONS = [("approve", "Approve: create the account"), ("refuse", "Refuse: no account")]
T = TypeVar("T")


def admin_users(ctx: RequestContext) -> Response:
    return ctx.render("admin/users.html", model_context(administration.users_page(ctx.unit)))


def _ticked(ctx: RequestContext, name: str) -> list[str]:
    if ctx.form is None:
        return []
    return [v for v in ctx.form.getlist(name) if isinstance(v, str)]


def _request_form(
    ctx: RequestContext,
    values: dict[str, str],
    granted: list[str],
    errors: FieldErrors,
    status: int = 200,
) -> Response:
    fields = _access_fields(values, granted, errors, role_choices())
    return ctx.render("admin/user_new.html", fields, status_code=status)


def _access_fields(
    values: dict[str, str], granted: list[str], errors: FieldErrors, roles: list[tuple[str, str]]
) -> dict[str, Any]:
    """What both access forms (a new account's, a change of access) show: the answers so far,
    their errors, and the choices of role, Area, unit and permissions."""
    return {
        "errors": errors,
        "values": values,
        "grants": GRANTS,
        "granted": granted,
        "roles": roles,
        "areas": area_choices(),
        "units": unit_choices(),
    }


def admin_user_new(ctx: RequestContext) -> Response:
    return _request_form(ctx, {}, [], FieldErrors())


def admin_user_create(ctx: RequestContext) -> Response:
    return _asked(
        ctx,
        parse_account_request(ctx.field, _ticked(ctx, "grants")),
        partial(administration.request_account, ctx.unit),
        _request_form,
        "Account requested. Another administrator must approve it before it can be set up",
    )


def _asked(
    ctx: RequestContext,
    parsed: tuple[dict[str, str], list[str], FieldErrors, T | None],
    ask: Callable[[T], object],
    again: Callable[[RequestContext, dict[str, str], list[str], FieldErrors, int], Response],
    done: str,
) -> Response:
    """An access form's POST (a new account, a change of access): what it asks for, once the
    form is valid, handed to ``ask``; then back to the users, or the form ``again`` with its
    errors."""
    values, granted, errors, asked = parsed
    if asked is not None:
        with ServiceRefusals(errors):
            ask(asked)
    if errors:
        return again(ctx, values, granted, errors, 400)
    ctx.flash(done)
    return ctx.redirect("admin_users")


def _review(ctx: RequestContext, errors: FieldErrors, status: int = 200) -> Response:
    page = administration.request_review(ctx.unit, ctx.path_id("request_id"))
    asked = page.account_request
    return ctx.render(
        "admin/request.html",
        model_context(
            page,
            area=AREAS.get(asked.area or "", ""),
            unit=UNITS.get(asked.unit or "", ""),
            decisions=DECISIONS,
            errors=errors,
        ),
        status_code=status,
    )


def admin_request(ctx: RequestContext) -> Response:
    return _review(ctx, FieldErrors())


def _approves(ctx: RequestContext) -> bool | None:
    """A decision form's answer: approve (True), refuse (False), or neither chosen (None)."""
    return {"approve": True, "refuse": False}.get(ctx.field("decision"))


def _undecided(what: str) -> FieldErrors:
    errors = FieldErrors()
    errors.add("decision", f"Select whether to approve or refuse this {what}")
    return errors


@step_up(passkey=True)
def admin_request_decide(ctx: RequestContext) -> Response:
    approve = _approves(ctx)
    if approve is None:
        return _review(ctx, _undecided("request"), 400)
    errors = FieldErrors()
    with ServiceRefusals(errors) as refusals:
        done = administration.decide(
            ctx.unit, ctx.settings, ctx.path_id("request_id"), approve=approve
        )
    if refusals.refused:
        return _review(ctx, errors, 400)
    if done.outcome is Decided.ALREADY:
        ctx.flash("This request had already been decided")
        return ctx.redirect("admin_request", request_id=done.request_id)
    if done.issued is None:
        ctx.flash("Request refused. No account was created")
        return ctx.redirect("admin_users")
    return _show_code(ctx, done.issued, heading="Account approved")


def _show_code(ctx: RequestContext, issued: IssuedCode, *, heading: str) -> Response:
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


@step_up(passkey=True)
def admin_user_setup_code(ctx: RequestContext) -> Response:
    issued = administration.issue_setup_code(ctx.unit, ctx.settings, ctx.path_id("user_id"))
    return _show_code(ctx, issued, heading="New set-up code")


def _deactivation(
    ctx: RequestContext, values: dict[str, str], errors: FieldErrors, status: int = 200
) -> Response:
    page = handover.deactivation_page(ctx.unit, ctx.path_id("user_id"))
    return ctx.render(
        "admin/deactivate.html",
        {
            "user": page.user,
            "work": page.work,
            "colleagues": [(str(c.id), c.display_name) for c in page.colleagues],
            "reasons": reason_choices(),
            "values": values,
            "errors": errors,
            "detail_max": handover.DETAIL_MAX,
        },
        status_code=status,
    )


def admin_user_deactivation(ctx: RequestContext) -> Response:
    return _deactivation(ctx, {}, FieldErrors())


@step_up(passkey=True)
def admin_user_deactivate(ctx: RequestContext) -> Response:
    answers = parse_deactivation(ctx.field)
    errors = FieldErrors()
    with ServiceRefusals(errors) as refusals:
        handover.deactivate(
            ctx.unit,
            ctx.path_id("user_id"),
            reason=answers.reason,
            detail=answers.detail,
            handed_to=answers.handed_to,
            confirmed=answers.confirmed,
        )
    if refusals.refused:
        return _deactivation(ctx, answers.values, errors, 400)
    ctx.flash("User account deactivated and signed out everywhere; their open work handed over")
    return ctx.redirect("admin_users")


@step_up(passkey=True)
def admin_user_activate(ctx: RequestContext) -> Response:
    administration.set_active(ctx.unit, ctx.path_id("user_id"), active=True)
    ctx.flash("User account reactivated")
    return ctx.redirect("admin_users")


# --- changing what an account may do (two administrators) -----------------------------------


def _access_form(
    ctx: RequestContext,
    values: dict[str, str] | None,
    granted: list[str],
    errors: FieldErrors,
    status: int = 200,
) -> Response:
    page = access_requests.access_page(ctx.unit, ctx.path_id("user_id"))
    if values is None:
        values, granted = access_values(page.user)
    fields = _access_fields(values, granted, errors, access_role_choices())
    return ctx.render(
        "admin/user_access.html",
        model_context(page, **fields),
        status_code=status,
    )


def admin_user_access(ctx: RequestContext) -> Response:
    return _access_form(ctx, None, [], FieldErrors())


def admin_user_access_request(ctx: RequestContext) -> Response:
    return _asked(
        ctx,
        parse_access_change(ctx.field, _ticked(ctx, "grants")),
        partial(access_requests.request_change, ctx.unit, ctx.path_id("user_id")),
        _access_form,
        "Change asked for. Another administrator must approve it before it takes effect",
    )


def _change_review(ctx: RequestContext, errors: FieldErrors, status: int = 200) -> Response:
    page = access_requests.change_review(ctx.unit, ctx.path_id("change_id"))
    return ctx.render(
        "admin/access_change.html",
        model_context(
            page, areas=AREAS, units=UNITS, grants=GRANTS, decisions=CHANGE_DECISIONS, errors=errors
        ),
        status_code=status,
    )


def admin_access_change(ctx: RequestContext) -> Response:
    return _change_review(ctx, FieldErrors())


@step_up(passkey=True)
def admin_access_change_decide(ctx: RequestContext) -> Response:
    approve = _approves(ctx)
    if approve is None:
        return _change_review(ctx, _undecided("change"), 400)
    access_requests.decide_change(ctx.unit, ctx.path_id("change_id"), approve=approve)
    ctx.flash("Change approved: it applies now" if approve else "Change refused: nothing changed")
    return ctx.redirect("admin_users")


CHANGE_DECISIONS = [("approve", "Approve: change the account now"), ("refuse", "Refuse")]
REQUEST = "/admin/account-requests/{request_id}"
CHANGE = "/admin/access-changes/{change_id}"
USER = "/admin/users/{user_id}"

routes = [
    get("/admin/users", admin_users, ADMIN, "admin_users"),
    get("/admin/users/new", admin_user_new, ADMIN, "admin_user_new"),
    post("/admin/users/new", admin_user_create, ADMIN, "admin_user_create"),
    get(REQUEST, admin_request, ADMIN, "admin_request"),
    post(REQUEST, admin_request_decide, ADMIN, "admin_request_decide"),
    post(USER + "/setup-code", admin_user_setup_code, ADMIN, "admin_user_setup_code"),
    get(USER + "/access", admin_user_access, ADMIN, "admin_user_access"),
    post(USER + "/access", admin_user_access_request, ADMIN, "admin_user_access_request"),
    get(CHANGE, admin_access_change, ADMIN, "admin_access_change"),
    post(CHANGE, admin_access_change_decide, ADMIN, "admin_access_change_decide"),
    get(USER + "/deactivate", admin_user_deactivation, ADMIN, "admin_user_deactivation"),
    post(USER + "/deactivate", admin_user_deactivate, ADMIN, "admin_user_deactivate"),
    post(USER + "/activate", admin_user_activate, ADMIN, "admin_user_activate"),
]
