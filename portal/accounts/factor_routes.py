"""The second-factor step of signing in, and step-up (issue 18 points 1 and 3).

After the password, a session is ``password`` only: these pages (declared ``factor_step``) are
all it can reach (portal.web.gate). A user without a factor sets one up here (a QR code drawn by
the portal and the secret for typing in), confirms it with a code and is shown ten recovery
codes once; a user with one types the code from their app, or a recovery code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from portal.accounts import factor_pages, factor_resets
from portal.accounts.devices import describe_device
from portal.accounts.factor_pages import Passed, PasskeyAnswer
from portal.accounts.permissions import Permission
from portal.accounts.service import ActiveSession
from portal.web import csrf
from portal.web.fields import Choice, Text
from portal.web.forms import FieldErrors, Form, ServiceRefusals, render_form
from portal.web.pages import get, model_context, post, safe_next
from portal.web.routing import Handler, PortalRoute, RequestContext, requires
from portal.web.stepup import step_up as needs_step_up

FACTOR_STEP = requires(Permission.MANAGE_OWN_SESSION)
ADMIN = requires(Permission.ADMINISTER_ACCOUNTS)
CODE_MISSING = "Enter the 6-digit code from your authenticator app"
PASSKEY_ANSWER = "passkey_assertion"  # the hidden field passkeys.mjs fills
# A factor_pages check of a typed code (verify, use_recovery_code, confirm_enrolment).
CodeCheck = Callable[..., Passed]


class CodeForm(Form):
    code = Text("Code", max_length=64, message=CODE_MISSING)


class RecoveryForm(Form):
    code = Text("Recovery code", max_length=64, message="Enter one of your recovery codes")


class ResetDecisionForm(Form):
    decision = Choice(
        "Decision",
        [("approve", "Approve"), ("refuse", "Refuse")],
        message="Choose approve or refuse",
    )


class StepUpForm(Form):
    step_up_code = Text("Code", max_length=64, message=CODE_MISSING)


def _next(ctx: RequestContext) -> str:
    return safe_next(ctx.field("next") or ctx.request.query_params.get("next", "")) or ""


def _with_next(ctx: RequestContext, route: str) -> str:
    url = ctx.url_for(route)
    return f"{url}?next={quote(_next(ctx), safe='/')}" if _next(ctx) else url


def _signed_in(ctx: RequestContext, token: str) -> Response:
    ctx.set_cookie(csrf.session_cookie_name(ctx.settings), token)
    return ctx.redirect_to(_next(ctx) or ctx.url_for("home"))


def _page(ctx: RequestContext, template: str, form: Form, **extra: Any) -> Response:
    return render_form(ctx, template, form, {"next": _next(ctx), **extra})


def _checked(ctx: RequestContext, form: CodeForm | RecoveryForm, check: CodeCheck) -> Passed | None:
    """The form's code checked by ``check``; None when the form or the check refused it (the
    form then holds the error)."""
    if form.valid:
        with form.service_errors():
            return check(
                ctx.unit, ctx.settings, _current(ctx), code=form.code, client=ctx.client_address
            )
    return None


# --- the code, or a recovery code ----------------------------------------------------------


def second_factor(ctx: RequestContext) -> Response:
    active = ctx.active_session
    assert active is not None
    if active.session.signed_in:
        return ctx.redirect_to(_next(ctx) or ctx.url_for("home"))
    step = factor_pages.factor_step(ctx.unit, active)
    if not step.enrolled:
        return ctx.render(
            "accounts/factor_start.html", {"next": _next(ctx), "reset_on": step.reset_on}
        )
    return _page(ctx, "accounts/second_factor.html", CodeForm())


def second_factor_submit(ctx: RequestContext) -> Response:
    form = CodeForm(ctx.form)
    return _sign_in_by_code(ctx, form, "accounts/second_factor.html", factor_pages.verify)


def _sign_in_by_code(
    ctx: RequestContext, form: CodeForm | RecoveryForm, template: str, check: CodeCheck
) -> Response:
    """Signed in by the form's code, or its page again with the error. After a recovery code,
    the message says how many are left."""
    passed = _checked(ctx, form, check)
    if passed is None:
        return _page(ctx, template, form)
    if passed.codes_left is not None:
        ctx.flash(_codes_left(passed.codes_left))
    return _signed_in(ctx, passed.token)


def second_factor_passkey(ctx: RequestContext) -> Response:
    """The second factor by passkey, for a user who has registered one."""
    if _current(ctx).session.signed_in:
        return ctx.redirect_to(_next(ctx) or ctx.url_for("home"))
    return _passkey_sign_in(ctx, FieldErrors())


def second_factor_passkey_submit(ctx: RequestContext) -> Response:
    errors = FieldErrors()
    with ServiceRefusals(errors, onto=factor_pages.PASSKEY_FIELD) as refusals:
        answer = PasskeyAnswer(ctx.field(PASSKEY_ANSWER), _origin(ctx), ctx.client_address)
        passed = factor_pages.verify_passkey(ctx.unit, ctx.settings, _current(ctx), answer)
    if refusals.refused:
        return _passkey_sign_in(ctx, errors, 400)
    return _signed_in(ctx, passed.token)


def _passkey_sign_in(ctx: RequestContext, errors: FieldErrors, status: int = 200) -> Response:
    options = factor_pages.passkey_sign_in_options(
        ctx.unit, ctx.settings, _current(ctx), origin=_origin(ctx)
    )
    return ctx.render(
        "accounts/second_factor_passkey.html",
        {"errors": errors, "options": options, "next": _next(ctx)},
        status_code=status,
    )


def recovery_code(ctx: RequestContext) -> Response:
    return _page(ctx, "accounts/recovery_code.html", RecoveryForm())


def recovery_code_submit(ctx: RequestContext) -> Response:
    form = RecoveryForm(ctx.form)
    return _sign_in_by_code(
        ctx, form, "accounts/recovery_code.html", factor_pages.use_recovery_code
    )


def _codes_left(left: int) -> str:
    if left > 2:
        return f"Signed in with a recovery code. You have {left} left"
    return (
        f"Signed in with a recovery code. You have {left} left: ask an administrator to reset "
        "your second factor, then set up your authenticator app again"
    )


# --- setting up the factor -----------------------------------------------------------------


def factor_enrol_start(ctx: RequestContext) -> Response:
    assert ctx.active_session is not None
    factor_pages.start_enrolment(ctx.unit, ctx.active_session)
    return ctx.redirect_to(_with_next(ctx, "factor_enrol"))


def factor_enrol(ctx: RequestContext) -> Response:
    return _enrol_page(ctx, CodeForm())


def _enrol_page(ctx: RequestContext, form: CodeForm) -> Response:
    active = ctx.active_session
    assert active is not None
    page = factor_pages.enrol_page(ctx.unit, active)
    if page is None:  # not started, or finished already
        return ctx.redirect_to(_with_next(ctx, "second_factor"))
    return _page(ctx, "accounts/factor_enrol.html", form, page=page)


def factor_enrol_submit(ctx: RequestContext) -> Response:
    form = CodeForm(ctx.form)
    passed = _checked(ctx, form, factor_pages.confirm_enrolment)
    if passed is None:
        return _enrol_page(ctx, form)
    ctx.set_cookie(csrf.session_cookie_name(ctx.settings), passed.token)
    # This page's forms (sign out, stay signed in) speak for the new token already.
    ctx.csrf_token = csrf.session_token(ctx.settings, _current(ctx).session.token_hash)
    # Shown once, never stored: the page must not be kept by the browser either.
    return ctx.render(
        "accounts/recovery_codes.html",
        {"codes": passed.recovery_codes, "next": _next(ctx) or ctx.url_for("home")},
        headers={"Cache-Control": "no-store"},
    )


# --- step-up ---------------------------------------------------------------------------------


def step_up(ctx: RequestContext) -> Response:
    return _page(ctx, "accounts/step_up.html", StepUpForm(), kept=[], action=None)


def step_up_submit(ctx: RequestContext) -> Response:
    active = ctx.active_session
    assert active is not None
    form = StepUpForm(ctx.form)
    if form.valid:
        with form.service_errors():
            factor_pages.step_up(
                ctx.unit, ctx.settings, active, code=form.step_up_code, client=ctx.client_address
            )
            return ctx.redirect_to(_next(ctx) or ctx.url_for("home"))
    return _page(ctx, "accounts/step_up.html", form, kept=[], action=None)


# --- an administrator resets a user's factor (a second administrator approves) ----------------


def admin_factors(ctx: RequestContext) -> Response:
    return _admin_page(ctx, FieldErrors())


def _admin_page(ctx: RequestContext, errors: FieldErrors, status: int = 200) -> Response:
    page = factor_resets.factors_page(ctx.unit)
    return ctx.render(
        "admin/second_factors.html", model_context(page, errors=errors), status_code=status
    )


@needs_step_up(passkey=True)
def admin_factor_reset_request(ctx: RequestContext) -> Response:
    errors = FieldErrors()
    with ServiceRefusals(errors, onto="reset"):
        factor_resets.request_reset(ctx.unit, ctx.path_id("user_id"))
    if errors:
        return _admin_page(ctx, errors, 400)
    ctx.flash("Reset asked for. A second administrator must approve it")
    return ctx.redirect("admin_factors")


@needs_step_up(passkey=True)
def admin_factor_reset_decide(ctx: RequestContext) -> Response:
    form = ResetDecisionForm(ctx.form)
    if not form.valid:
        return _admin_page(ctx, form.errors, 400)
    decision = form.decision == "approve"
    factor_resets.decide_reset(ctx.unit, ctx.path_id("reset_id"), approve=decision)
    ctx.flash("Second factor reset: the user sets it up again" if decision else "Reset refused")
    return ctx.redirect("admin_factors")


# --- the user's passkeys (issue 18 point 2; the ceremony's JavaScript: passkeys.mjs) ------


def _current(ctx: RequestContext) -> ActiveSession:
    assert ctx.active_session is not None  # the route requires sign-in
    return ctx.active_session


def _origin(ctx: RequestContext) -> str:
    return f"{ctx.request.url.scheme}://{ctx.request.url.netloc}"


def _passkeys_page(ctx: RequestContext, errors: FieldErrors, status: int = 200) -> Response:
    page = factor_pages.passkeys_page(ctx.unit, ctx.settings, _current(ctx), origin=_origin(ctx))
    return ctx.render(
        "accounts/passkeys.html",
        {"page": page, "errors": errors},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def account_passkeys(ctx: RequestContext) -> Response:
    return _passkeys_page(ctx, FieldErrors())


@needs_step_up
def account_passkey_register(ctx: RequestContext) -> Response:
    errors = FieldErrors()
    with ServiceRefusals(errors, onto=factor_pages.PASSKEY_FIELD) as refusals:
        factor_pages.register_passkey(
            ctx.unit,
            ctx.settings,
            _current(ctx),
            credential=ctx.field("credential"),
            origin=_origin(ctx),
            device=describe_device(ctx.request.headers.get("user-agent")),
        )
    if refusals.refused:
        return _passkeys_page(ctx, errors, 400)
    ctx.flash("Passkey registered")
    return ctx.redirect("account_passkeys")


@needs_step_up
def account_passkey_remove(ctx: RequestContext) -> Response:
    factor_pages.remove_passkey(ctx.unit, _current(ctx), ctx.path_id("passkey_id"))
    ctx.flash("Passkey removed")
    return ctx.redirect("account_passkeys")


PASSKEYS = "/account/passkeys"
STEP = "/second-factor"
SET_UP = STEP + "/set-up"
RESET_ASK = "/admin/users/{user_id}/second-factor-reset"
RESET_DECIDE = "/admin/second-factor-resets/{reset_id}"


def _step(route: Callable[..., PortalRoute], path: str, handler: Handler, name: str) -> PortalRoute:
    """A page of the second-factor step: all that a password-only session may reach."""
    return route(path, handler, FACTOR_STEP, name, factor_step=True)


routes = [
    _step(get, STEP, second_factor, "second_factor"),
    _step(post, STEP, second_factor_submit, "second_factor_submit"),
    _step(get, STEP + "/recovery-code", recovery_code, "recovery_code"),
    _step(get, STEP + "/passkey", second_factor_passkey, "second_factor_passkey"),
    _step(post, STEP + "/passkey", second_factor_passkey_submit, "second_factor_passkey_submit"),
    _step(post, STEP + "/recovery-code", recovery_code_submit, "recovery_code_submit"),
    _step(post, SET_UP + "/start", factor_enrol_start, "factor_enrol_start"),
    _step(get, SET_UP, factor_enrol, "factor_enrol"),
    _step(post, SET_UP, factor_enrol_submit, "factor_enrol_submit"),
    get("/account/confirm-it-is-you", step_up, FACTOR_STEP, "step_up"),
    post("/account/confirm-it-is-you", step_up_submit, FACTOR_STEP, "step_up_submit"),
    get("/admin/second-factors", admin_factors, ADMIN, "admin_factors"),
    post(RESET_ASK, admin_factor_reset_request, ADMIN, "admin_factor_reset_request"),
    post(RESET_DECIDE, admin_factor_reset_decide, ADMIN, "admin_factor_reset_decide"),
    get(PASSKEYS, account_passkeys, FACTOR_STEP, "account_passkeys"),
    post(PASSKEYS, account_passkey_register, FACTOR_STEP, "account_passkey_register"),
    post(
        PASSKEYS + "/{passkey_id}/remove",
        account_passkey_remove,
        FACTOR_STEP,
        "account_passkey_remove",
    ),
]
