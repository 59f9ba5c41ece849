"""What many routes files did again, once: a read model as a template context, a form page
first shown or sent back, the GET + POST pair of a form page, and the post-login destination.

A route still parses with its form, makes one service call and renders or redirects; these only
spell the rendering and the route table the same way everywhere (``RequestContext`` holds the
rest: ``ctx.path_id(name)``, ``ctx.url_for(name, **params)``, ``ctx.render``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response

from portal.web.access import Access
from portal.web.forms import Form, render_form
from portal.web.routing import Handler, PortalRoute, RequestContext


def model_context(page: Any, *, skip: Iterable[str] = (), **extra: Any) -> dict[str, Any]:
    """A dataclass read model's fields under their own names (less ``skip``), then ``extra``."""
    left_out = set(skip)
    values = {f.name: getattr(page, f.name) for f in fields(page) if f.name not in left_out}
    return {**values, **extra}


def show_form(
    ctx: RequestContext,
    template: str,
    form: Form | None,
    kind: type[Form],
    initial: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
    *,
    block: str | None = None,
) -> Response:
    """A form page: the form as sent back (``form``), or ``kind`` first shown from ``initial``."""
    shown = form if form is not None else kind.initial(**initial)
    return render_form(ctx, template, shown, context, block=block)


def form_page(
    path: str,
    show: Handler,
    save: Handler,
    access: Access,
    name: str,
    *,
    save_name: str | None = None,
    save_access: Access | None = None,
    **options: Any,
) -> list[PortalRoute]:
    """A page with a form (GET ``name``) and where it posts (POST ``save_name``, by default
    ``name``_save; ``save_access``, by default ``access``)."""
    return [
        PortalRoute(path, show, access=access, name=name),
        PortalRoute(
            path,
            save,
            access=access if save_access is None else save_access,
            methods=["POST"],
            name=save_name or f"{name}_save",
            **options,
        ),
    ]


def safe_next(value: str) -> str | None:
    """Only same-site absolute paths are accepted as a post-login destination."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def unprintable(ctx: RequestContext, reason: str | None, back: str, back_label: str) -> Response:
    """No PDF could be made (portal.rendering.Unprintable): why, and the way back (422)."""
    return ctx.render(
        "rendering/unprintable.html",
        {"reason": reason, "back": back, "back_label": back_label},
        status_code=422,
    )


def post(path: str, handler: Handler, access: Access, name: str, **options: Any) -> PortalRoute:
    """A route that only takes a form's POST (a button's action)."""
    return PortalRoute(path, handler, access=access, methods=["POST"], name=name, **options)


def get(path: str, handler: Handler, access: Access, name: str, **options: Any) -> PortalRoute:
    """A page (GET; HEAD too)."""
    return PortalRoute(path, handler, access=access, name=name, **options)
