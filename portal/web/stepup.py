"""Step-up (issue 18 point 3): the actions that can do the most harm ask for the second factor
again when the last proof is older than ``PORTAL_STEP_UP_MINUTES`` (5 by default).

Declared on the handler: ``@step_up`` (``PortalRoute.step_up`` reads it for the route table).

* A page (GET) redirects to "Confirm it is you" (``step_up``), which returns to the page.
* A form (POST) is answered with the same prompt *in place*: the page carries everything the
  user typed as hidden fields and a code field, and posts back to the same action. When the
  code passes, the handler runs with exactly what was typed (less the code), so nothing is
  lost and nothing typed is stored on the server in the meantime: it only travels back to the
  browser it came from (``Cache-Control: no-store``). A wrong code shows the prompt again with
  the error. htmx requests get the prompt as the whole page.

A proof that passes is committed before the action runs (``RequestContext.checkpoint``): if the
action then fails and its transaction rolls back, the code stays used (no replay within its 30
seconds) and the passkey's counter stays moved on.

The high-risk actions (``@step_up(passkey=True)``) ask for a passkey once the code is fresh:
the prompt carries what was typed, as above, and a button that asks the browser for the passkey
(``/static/js/passkeys.mjs``); a user without one registers it in the prompt first, and is then
asked to use it. Without JavaScript the prompt says passkeys need it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import overload
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.responses import Response

from portal.accounts import factor_pages, factors
from portal.accounts.devices import describe_device
from portal.accounts.factor_pages import PasskeyAnswer
from portal.clock import utc_now
from portal.kit.errors import ValidationFailed
from portal.web.forms import FieldErrors
from portal.web.routing import Handler, RequestContext

CODE_FIELD = "step_up_code"
ASSERTION_FIELD = "passkey_assertion"
REGISTRATION_FIELD = "passkey_registration"
NOT_KEPT = frozenset({"csrf_token", CODE_FIELD, ASSERTION_FIELD, REGISTRATION_FIELD})
CODE_MISSING = "Enter the 6-digit code from your authenticator app"


@overload
def step_up(handler: Handler) -> Handler: ...
@overload
def step_up(
    *, when: Callable[[RequestContext], bool] | None = None, passkey: bool = False
) -> Callable[[Handler], Handler]: ...
def step_up(
    handler: Handler | None = None,
    *,
    when: Callable[[RequestContext], bool] | None = None,
    passkey: bool = False,
) -> Handler | Callable[[Handler], Handler]:
    """The route needs a second factor proved within the last few minutes: ``@step_up``, or
    ``@step_up(when=...)`` for a route of several actions of which only some need it;
    ``passkey=True``: a high-risk action, for which only a passkey will do
    (``PORTAL_REQUIRE_PASSKEY``; ``PASSKEY_ACTIONS`` in portal.accounts.permissions)."""
    if handler is None:
        return functools.partial(_guard, when=when, passkey=passkey)
    return _guard(handler, when=when, passkey=passkey)


def _guard(
    handler: Handler, *, when: Callable[[RequestContext], bool] | None, passkey: bool
) -> Handler:
    @functools.wraps(handler)
    def guarded(ctx: RequestContext) -> Response:
        if when is not None and not when(ctx):
            return handler(ctx)
        need_key = passkey and ctx.settings.require_passkey
        fresh = factors.fresh(ctx.active_session, ctx.settings, utc_now())
        if fresh and (not need_key or factor_pages.passkey_fresh(ctx.active_session, ctx.settings)):
            return handler(ctx)
        if ctx.request.method in {"GET", "HEAD"}:
            target = ctx.request.url.path
            if ctx.request.url.query:
                target += "?" + ctx.request.url.query
            return ctx.redirect_to(ctx.url_for("step_up") + "?next=" + quote(target, safe="/"))
        if not fresh:
            errors = _code_proof(ctx)
            if errors is not None:
                return _prompt(ctx, errors)
            if not need_key or factor_pages.passkey_fresh(ctx.active_session, ctx.settings):
                return handler(ctx)
        return _passkey_proof(ctx, handler)

    guarded.step_up = True  # type: ignore[attr-defined]
    guarded.passkey = passkey  # type: ignore[attr-defined]
    return guarded


def _code_proof(ctx: RequestContext) -> FieldErrors | None:
    """A code typed into the prompt: None when it passed (committed before the action, so a
    rollback of the action leaves it used), else the prompt's errors."""
    errors = FieldErrors()
    code = ctx.field(CODE_FIELD).strip()
    if code:
        assert ctx.active_session is not None
        try:
            factor_pages.step_up(
                ctx.unit, ctx.settings, ctx.active_session, code=code, client=ctx.client_address
            )
        except ValidationFailed as refused:
            errors.add(CODE_FIELD, refused.errors.get(CODE_FIELD, CODE_MISSING))
        else:
            ctx.checkpoint(proof=True)
            ctx.form = _without(ctx.form, CODE_FIELD)
            return None
    elif CODE_FIELD in (ctx.form or {}):
        errors.add(CODE_FIELD, CODE_MISSING)
    return errors


def _passkey_proof(ctx: RequestContext, handler: Handler) -> Response:
    """The passkey stage of a high-risk action: register one first if there is none (in the
    prompt itself, so what was typed is kept), then answer with it."""
    active = ctx.active_session
    assert active is not None
    errors = FieldErrors()
    registered = False
    origin = _origin(ctx)
    made, answer = ctx.field(REGISTRATION_FIELD), ctx.field(ASSERTION_FIELD)
    try:
        if REGISTRATION_FIELD in (ctx.form or {}):
            factor_pages.register_passkey(
                ctx.unit,
                ctx.settings,
                active,
                credential=made,
                origin=origin,
                device=describe_device(ctx.request.headers.get("user-agent")),
            )
            ctx.form = _without(ctx.form, REGISTRATION_FIELD)
            registered = True
        elif ASSERTION_FIELD in (ctx.form or {}):
            factor_pages.passkey_step_up(
                ctx.unit, ctx.settings, active, PasskeyAnswer(answer, origin, ctx.client_address)
            )
            ctx.checkpoint(proof=True)
            ctx.form = _without(ctx.form, ASSERTION_FIELD)
            return handler(ctx)
    except ValidationFailed as refused:
        field = factor_pages.PASSKEY_FIELD
        errors.add(field, refused.errors.get(field, factor_pages.PASSKEY_REFUSED))
        ctx.form = _without(_without(ctx.form, REGISTRATION_FIELD), ASSERTION_FIELD)
    prompt = factor_pages.passkey_prompt(ctx.unit, ctx.settings, active, origin=origin)
    return _prompt(ctx, errors, passkey=prompt, registered=registered)


def _origin(ctx: RequestContext) -> str:
    url = ctx.request.url
    return f"{url.scheme}://{url.netloc}"


def _without(form: FormData | None, field: str) -> FormData:
    items = [(k, v) for k, v in (form.multi_items() if form else []) if k != field]
    return FormData(items)


def _prompt(
    ctx: RequestContext,
    errors: FieldErrors,
    *,
    passkey: factor_pages.PasskeyPrompt | None = None,
    registered: bool = False,
) -> Response:
    kept = [
        (name, value)
        for name, value in (ctx.form.multi_items() if ctx.form else [])
        if name not in NOT_KEPT and isinstance(value, str)
    ]
    headers = {"Cache-Control": "no-store"}
    if ctx.is_htmx:
        headers |= {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}
    return ctx.render(
        "accounts/step_up_passkey.html" if passkey is not None else "accounts/step_up.html",
        {
            "errors": errors,
            "values": {},
            "kept": kept,
            "action": ctx.request.url.path,
            "next": "",
            "passkey": passkey,
            "registered": registered,
        },
        status_code=400 if errors else 200,
        headers=headers,
    )
