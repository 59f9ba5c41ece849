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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import overload
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.responses import Response

from portal.accounts import factor_pages, factors
from portal.clock import utc_now
from portal.kit.errors import ValidationFailed
from portal.web.forms import FieldErrors
from portal.web.routing import Handler, RequestContext

CODE_FIELD = "step_up_code"
NOT_KEPT = frozenset({"csrf_token", CODE_FIELD})
CODE_MISSING = "Enter the 6-digit code from your authenticator app"


@overload
def step_up(handler: Handler) -> Handler: ...
@overload
def step_up(*, when: Callable[[RequestContext], bool]) -> Callable[[Handler], Handler]: ...
def step_up(
    handler: Handler | None = None, *, when: Callable[[RequestContext], bool] | None = None
) -> Handler | Callable[[Handler], Handler]:
    """The route needs a second factor proved within the last few minutes: ``@step_up``, or
    ``@step_up(when=...)`` for a route of several actions of which only some need it."""
    if handler is None:
        return functools.partial(_guard, when=when)
    return _guard(handler, when=when)


def _guard(handler: Handler, *, when: Callable[[RequestContext], bool] | None) -> Handler:
    @functools.wraps(handler)
    def guarded(ctx: RequestContext) -> Response:
        if (when is not None and not when(ctx)) or factors.fresh(
            ctx.active_session, ctx.settings, utc_now()
        ):
            return handler(ctx)
        if ctx.request.method in {"GET", "HEAD"}:
            target = ctx.request.url.path
            if ctx.request.url.query:
                target += "?" + ctx.request.url.query
            return ctx.redirect_to(ctx.url_for("step_up") + "?next=" + quote(target, safe="/"))
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
                ctx.form = _without_code(ctx.form)
                return handler(ctx)
        elif CODE_FIELD in (ctx.form or {}):
            errors.add(CODE_FIELD, CODE_MISSING)
        return _prompt(ctx, errors)

    guarded.step_up = True  # type: ignore[attr-defined]
    return guarded


def _without_code(form: FormData | None) -> FormData:
    items = [(k, v) for k, v in (form.multi_items() if form else []) if k != CODE_FIELD]
    return FormData(items)


def _prompt(ctx: RequestContext, errors: FieldErrors) -> Response:
    kept = [
        (name, value)
        for name, value in (ctx.form.multi_items() if ctx.form else [])
        if name not in NOT_KEPT and isinstance(value, str)
    ]
    headers = {"Cache-Control": "no-store"}
    if ctx.is_htmx:
        headers |= {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}
    return ctx.render(
        "accounts/step_up.html",
        {
            "errors": errors,
            "values": {},
            "kept": kept,
            "action": ctx.request.url.path,
            "next": "",
        },
        status_code=400 if errors else 200,
        headers=headers,
    )
