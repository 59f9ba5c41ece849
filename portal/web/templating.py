"""The one Jinja environment: autoescape on for every template, undefined variables raise.

Starlette's default environment escapes only ``.html``/``.htm``/``.xml`` names (security.md 1.7);
ours escapes everything whatever the file name, and ``StrictUndefined`` turns a typo into an error
instead of an empty string (house rule 8). A fragment is a named block of its page template
(jinja2-fragments), so htmx and full-page requests share one template.

Templates ask what the signed-in user may do with the ``can`` filter, against the same named
permissions as routes and services: ``{% if principal | can("send_letter") %}`` or
``principal | can(Permission.SEND_LETTER)``. An unknown name raises, so a typo fails the page's
test instead of hiding a button.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2_fragments.starlette import Jinja2Blocks

from portal.accounts.permissions import Permission
from portal.clock import format_london
from portal.rendering.glossary import words

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def _london(value: datetime | None) -> str:
    return "" if value is None else format_london(value)


class _CanAct(Protocol):
    def can(self, permission: Permission) -> bool: ...


def can(principal: _CanAct | None, permission: Permission | str) -> bool:
    """The ``can`` filter: whether ``principal`` (None when signed out) holds ``permission``."""
    wanted = Permission(permission)
    return principal is not None and principal.can(wanted)


def make_templates() -> Jinja2Blocks:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["london"] = _london
    env.filters["can"] = can
    env.filters["words"] = words
    env.globals["Permission"] = Permission
    templates = Jinja2Blocks(env=env)
    return templates
