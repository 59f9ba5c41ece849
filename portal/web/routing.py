"""Declared routes: every route says who may use it, and nothing else gets through.

``PortalRoute`` is the only way to add an endpoint. Its ``access`` is ``PUBLIC``, the permission
the route needs (``requires(Permission.X)``, portal.accounts.permissions) or, in routes not yet
converted, a set of roles (``allow(Role...)``); ``create_app`` refuses to start if any route in
the table is not a ``PortalRoute`` (deny by default). The wrapper around each handler is the
request's edge:

1. checks Fetch Metadata / Origin and reads the form within limits (on the event loop);
2. in a worker thread, behind a small limiter (performance.md 7.4: a capped pool keeps the tail
   short), opens the unit of work, loads the server-side session, enforces the declaration,
   checks the CSRF token, runs the handler and commits, or rolls back if anything raised.

Safe requests (GET, HEAD) never hold the write lock while they run: the handler queries and
renders in a read unit of work (``portal.db.session.read_unit_of_work``: on SQLite a WAL
snapshot, no lock; on PostgreSQL no advisory lock). What the read must write (its audit entries,
a due session touch, a shown flash message) is written afterwards in ONE short write transaction,
and the page is returned only once that has committed: if it fails, the page is not sent
("nothing shown unless logged"). Unsafe methods, and routes with ``manual_transactions``, run in
one ``BEGIN IMMEDIATE`` unit of work as before; their audit entries are appended in one INSERT
just before the commit (portal.audit.service).

Handlers are plain synchronous functions ``def handler(ctx: RequestContext) -> Response``. All
database and argon2 work therefore happens off the event loop, on one code path for SQLite and
PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.accounts import notices
from portal.accounts import service as accounts
from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission, disclosure_for, role_can
from portal.accounts.roles import Role
from portal.accounts.unit import Unit, Visitor
from portal.anonymity.banner import RestrictionBanner, banner_for
from portal.audit import service as audit
from portal.audit.service import request_id_var
from portal.breakglass.live import BreakGlass, emergency_access
from portal.clock import utc_now
from portal.db.faults import REQUEST_DEADLINE_S, DatabaseUnavailable
from portal.db.session import read_unit_of_work, take_later, unit_of_work
from portal.keys.vault import Disclosure, Vault
from portal.kit.errors import NotFound
from portal.kit.ids import as_uuid
from portal.settings import Settings
from portal.web import csrf, gate, params, sealed_views
from portal.web.access import PUBLIC as PUBLIC
from portal.web.access import Access as Access
from portal.web.access import allow as allow
from portal.web.access import requires as requires
from portal.web.access import requires_any as requires_any
from portal.web.denials import remember as remember_asker
from portal.web.formread import read_form
from portal.web.navigation import navigation_for
from portal.web.subjects import subject_of

log = logging.getLogger(__name__)
T = TypeVar("T")

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user, as the web layer sees them."""

    user_id: Any
    username: str
    display_name: str
    role: Role
    session_id: Any
    idle_expires_at: datetime
    area: str | None = None
    unit: str | None = None
    break_glass: BreakGlass = BreakGlass()

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.role, self.area, self.unit, self.break_glass.case_ids)

    def can(self, permission: Permission) -> bool:
        return role_can(self.role, permission)


@dataclass(slots=True)
class RequestContext:
    """Everything a handler needs, and the helpers to answer."""

    request: Request
    db: Session
    settings: Settings
    principal: Principal | None
    form: FormData | None
    csrf_token: str
    active_session: accounts.ActiveSession | None
    response_cookies: dict[str, str] = field(default_factory=dict)
    session_factory: sessionmaker[Session] | None = None
    allow_checkpoint: bool = False
    db_slot: tuple[anyio.CapacityLimiter, object] | None = None
    _vault: Vault | None = None

    @property
    def actor(self) -> Actor:
        """The signed-in user as services see them. Only on routes that require sign-in."""
        if self.principal is None:
            raise RuntimeError("no signed-in user on this route")
        return self.principal.actor

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            disclosure = disclosure_for(self.principal.role if self.principal else None)
            self._vault = Vault(
                self.db,
                self.request.app.state.key_provider,
                self.request.app.state.key_cache,
                index_bits=self.settings.blind_index_bits,
                disclosure=disclosure,
                ledger=self.request.app.state.erasure_ledger,
            )
            if self.principal is not None and disclosure is Disclosure.CASEWORK:
                from portal.anonymity.service import active_grants

                self._vault.unsealed_keys = active_grants(self.db, self.principal.actor)
        return self._vault

    @property
    def visitor(self) -> Visitor:
        """What a public route's service call needs (sign-in, set-up): the session alone."""
        return Visitor(self.db)

    @property
    def unit(self) -> Unit:
        """What a service call needs (session, actor, vault): routes pass this, never ``db``."""
        return Unit(self.db, self.actor, lambda: self.vault)

    def query_int(self, name: str, default: int, *, low: int, high: int) -> int:
        """A number from the query string (see ``portal.web.params``); bad ones are a 400."""
        return params.int_param(self.request.query_params.get(name), default, low=low, high=high)

    def form_int(self, name: str, default: int, *, low: int, high: int) -> int:
        """A number from a hidden form field or button value; bad ones are a 400."""
        return params.int_param(self.field(name), default, low=low, high=high)

    @property
    def client_address(self) -> str:
        """The connecting address (a trusted proxy's X-Forwarded-For, see portal.web.proxies)."""
        return self.request.client.host if self.request.client else "unknown"

    def page_number(self) -> int:
        return self.query_int("page", 1, low=1, high=params.MAX_PAGE)

    def version(self) -> int | None:
        """An edit form's hidden ``version`` (optimistic locking): None if the form has none."""
        return params.int_param(self.field("version"), None, low=0, high=params.MAX_INTEGER)

    @property
    def is_htmx(self) -> bool:
        return (
            self.request.headers.get("HX-Request") == "true"
            and self.request.headers.get("HX-History-Restore-Request") != "true"
        )

    @property
    def nonce(self) -> str:
        return str(self.request.scope.get("state", {}).get("csp_nonce", ""))

    def field(self, name: str, default: str = "") -> str:
        if self.form is None:
            return default
        value = self.form.get(name, default)
        return value if isinstance(value, str) else default

    def flash(self, message: str) -> None:
        if self.active_session is not None:
            held = notices.adding_to_flash(self.active_session.session.flash, message)
            accounts.set_flash(self.db, active=self.active_session, message=held)

    def render(
        self,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        block: str | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Render a page, or only its ``block`` for an htmx request (with ``Vary: HX-Request``);
        ``fragment`` tells the template which."""
        templates = self.request.app.state.templates
        fragment = block is not None and self.is_htmx  # the template may ask which it is
        values: dict[str, Any] = {"fragment": fragment, **(context or {})}
        values.update(self.base_context())
        options: dict[str, Any] = {"block_name": block} if fragment else {}
        response: Response = templates.TemplateResponse(
            self.request, template, values, status_code=status_code, **options
        )
        for key, value in (headers or {}).items():
            response.headers[key] = value
        if self._vault is not None and self.principal is not None:
            sealed_views.log_unmasked(self.db, self.principal.actor, self._vault)
        return response

    def base_context(self) -> dict[str, Any]:
        principal = self.principal
        signed_in = self.active_session is not None and self.active_session.session.signed_in
        # Shown once, and only once the second factor has passed: a password alone does not
        # learn of the account's failed sign-ins.
        flash_message = notices.take_flash(self.db, self.active_session) if signed_in else None
        return {
            "restriction_banner": self._restriction_banner(),
            "principal": principal,
            "csrf_token": self.csrf_token,
            "csp_nonce": self.nonce,
            "navigation": navigation_for(principal.role if principal and signed_in else None),
            "current_path": self.request.url.path,
            "flash_message": flash_message,
            "session_idle_seconds": self.settings.session_idle_minutes * 60,
            "session_warning_seconds": self.settings.session_warning_seconds,
            "sealed_for_viewer": self.sealed_for_viewer,
        }

    def sealed_for_viewer(self, person: Any) -> bool:
        return sealed_views.sealed_for(self.vault, person)

    def _restriction_banner(self) -> RestrictionBanner | None:
        """Every page that shows a person or their case carries their restrictions (issue 7).
        Computed here from the URL's ids (portal.web.subjects), so no page can forget it."""
        if self.principal is None or self.principal.role is Role.ADMIN:
            return None
        case_id, person_id = subject_of(self.db, self.request.path_params)
        if case_id is None and person_id is None:
            return None
        return banner_for(self.db, case_id=case_id, person_id=person_id)

    def path_id(self, name: str) -> uuid.UUID:
        """The URL's ``name`` id; one that is no id is a page not found (404)."""
        if (found := as_uuid(self.request.path_params[name])) is None:
            raise NotFound(name)
        return found

    def url_for(self, route_name: str, **path_params: Any) -> str:
        """The path of a named route (no scheme or host)."""
        return str(self.request.url_for(route_name, **path_params).path)

    def redirect(self, route_name: str, **path_params: Any) -> Response:
        return self.redirect_to(self.url_for(route_name, **path_params))

    def redirect_to(self, url: str) -> Response:
        """POST/redirect/GET: a 303, or ``HX-Redirect`` for htmx so the whole page changes."""
        if self.is_htmx:
            return Response(status_code=200, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    def checkpoint(self, *, proof: bool = False) -> None:
        """Commit what is done so far and start a new transaction: routes declared with
        ``manual_transactions=True`` (sign-in commits its throttle record before the slow
        password check), and a step-up proof before its action (``proof``: a rollback of the
        action must not bring a used code back: portal.web.stepup)."""
        if not (self.allow_checkpoint or proof):
            raise RuntimeError("this route does not allow intermediate commits")
        self.db.commit()

    def outside_db_slot(self, work: Callable[[], T]) -> T:
        """Run slow work that needs no database (argon2) without holding a database slot.

        Only after ``checkpoint``: nothing is open in the database meanwhile. The request's
        slot goes back to the limiter for the duration and is taken again afterwards, so other
        requests keep being served while this one hashes (issue 14, R5).
        """
        if not self.allow_checkpoint:
            raise RuntimeError("this route does not allow intermediate commits")
        if self.db_slot is None:
            return work()
        limiter, borrower = self.db_slot
        anyio.from_thread.run_sync(limiter.release_on_behalf_of, borrower)
        try:
            return work()
        finally:
            anyio.from_thread.run(limiter.acquire_on_behalf_of, borrower)

    def set_cookie(self, name: str, value: str) -> None:
        """Set one of the portal's cookies (all share ``csrf.cookie_options``)."""
        self.response_cookies[name] = value

    def clear_cookie(self, name: str) -> None:
        self.response_cookies[name] = ""


Handler = Callable[[RequestContext], Response]
# An inline (public, event-loop) handler may be a coroutine: the health check awaits its probe.
InlineHandler = Callable[[RequestContext], Awaitable[Response]]


class PortalRoute(Route):
    """A route with a mandatory access declaration."""

    def __init__(
        self,
        path: str,
        handler: Handler | InlineHandler,
        *,
        access: Access,
        methods: list[str] | None = None,
        name: str | None = None,
        csrf_exempt: bool = False,
        manual_transactions: bool = False,
        factor_step: bool = False,
        max_files: int = 0,
        max_body_bytes: int | None = None,
        inline: bool = False,
    ) -> None:
        self.access = access
        self.handler = handler
        self.csrf_exempt = csrf_exempt
        self.manual_transactions = manual_transactions
        self.factor_step = factor_step  # open to a password-only session (portal.web.gate)
        self.step_up = bool(getattr(handler, "step_up", False))  # portal.web.stepup
        # Uploads: a route that accepts files says how many and how large the body may be;
        # ProtectionMiddleware applies the larger limit to this route's path only.
        self.max_files = max_files
        self.max_body_bytes = max_body_bytes
        # A public handler that touches no database (the health check) runs on the event loop,
        # so it keeps answering even when every database slot is busy.
        if inline and not access.public:
            raise ValueError("only public routes may run inline")
        self.inline = inline
        endpoint = _make_endpoint(self)
        endpoint.__name__ = handler.__name__
        super().__init__(path, endpoint, methods=methods or ["GET"], name=name or handler.__name__)


def _make_endpoint(route: PortalRoute) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        form: FormData | None = None
        params.refuse_unstorable(request.query_params.multi_items())
        if request.method in UNSAFE_METHODS and not route.csrf_exempt:
            csrf.check_fetch_metadata(request)
            form = await read_form(request, settings, route.max_files)
        if route.inline:
            answer = route.handler(_bare_context(request))
            return await answer if inspect.isawaitable(answer) else answer
        limiter: anyio.CapacityLimiter = request.app.state.db_limiter
        if route.manual_transactions:  # long, checkpointed work (imports, sign-in): own timeouts
            # The slot is borrowed for this task; a handler may hand it back while it does slow
            # work needing no database (RequestContext.outside_db_slot).
            slot = (limiter, asyncio.current_task())
            return await anyio.to_thread.run_sync(
                partial(_run_handler, route, request, form, slot), limiter=limiter
            )
        # A frozen database never answers: give up on it (the thread finishes, or fails, when
        # the database does) and say the service is unavailable (issue 19 point 4).
        with anyio.move_on_after(REQUEST_DEADLINE_S) as waited:
            return await anyio.to_thread.run_sync(
                partial(_run_handler, route, request, form),
                limiter=limiter,
                abandon_on_cancel=True,
            )
        assert waited.cancelled_caught
        raise DatabaseUnavailable("the request's deadline passed")

    return endpoint


def _bare_context(request: Request) -> RequestContext:
    """A context with no database session, for inline handlers that never need one."""
    return RequestContext(
        request=request,
        db=None,  # type: ignore[arg-type]
        settings=request.app.state.settings,
        principal=None,
        form=None,
        csrf_token="",
        active_session=None,
    )


def _run_handler(
    route: PortalRoute,
    request: Request,
    form: FormData | None,
    slot: tuple[anyio.CapacityLimiter, object] | None = None,
) -> Response:
    factory: sessionmaker[Session] = request.app.state.session_factory
    request_id_var.set(str(request.scope.get("state", {}).get("request_id", "")) or None)
    if request.method in READ_METHODS and not route.manual_transactions:
        with read_unit_of_work(factory) as db:
            response = _handle(route, request, form, db, factory)
            entries = audit.take_pending(db)
            writes = take_later(db)
        if entries or writes:
            # The read is over (no snapshot, no lock). One short write: the queued changes and
            # every audit entry in one INSERT; the page goes out only if this commits.
            with unit_of_work(factory) as write:
                for change in writes:
                    change(write)
                audit.add_pending(write, entries)
        return response
    with unit_of_work(factory) as db:
        return _handle(route, request, form, db, factory, slot)


def _handle(
    route: PortalRoute,
    request: Request,
    form: FormData | None,
    db: Session,
    factory: sessionmaker[Session],
    slot: tuple[anyio.CapacityLimiter, object] | None = None,
) -> Response:
    settings: Settings = request.app.state.settings
    now = utc_now()
    cookie_token = request.cookies.get(csrf.session_cookie_name(settings))
    active = None
    if cookie_token:
        active = accounts.load_session(db, settings=settings, token=cookie_token, now=now)
    principal = _principal(active, emergency_access(db, active, request.path_params))
    role = principal.role if principal else None
    if principal is not None:
        remember_asker(request, principal.actor, route.name)  # a refusal is logged (denials)
    if not route.access.allows(role):
        if principal is None:
            return gate.to_sign_in(request)
        log.warning(
            "authz.denied user_id=%s route=%s", principal.user_id, route.name
        )  # ASVS 16.3.2: failed authorisation decisions are logged (ids only)
        raise HTTPException(status_code=403)
    if (refused := gate.factor_gate(route, request, active)) is not None:
        return refused
    if active is not None:
        token = csrf.session_token(settings, active.session.token_hash)
    else:
        token = csrf.anonymous_token(settings, request)
    if request.method in UNSAFE_METHODS and not route.csrf_exempt:
        csrf.check_token(request, form, expected=token)
    ctx = RequestContext(
        request=request,
        db=db,
        settings=settings,
        principal=principal,
        form=form,
        csrf_token=token,
        active_session=active,
        session_factory=factory,
        allow_checkpoint=route.manual_transactions,
        db_slot=slot,
    )
    response = route.handler(ctx)
    assert isinstance(response, Response), "only inline routes may be coroutines"
    cookies: dict[str, str] = {}
    if active is None and cookie_token:
        # A stale or revoked session cookie: clear it, unless the handler (sign-in) sets a
        # new one, which must then be the only session cookie in the response.
        cookies[csrf.session_cookie_name(settings)] = ""
    created = csrf.new_anonymous_cookie(settings, request, signed_in=active is not None)
    if created:
        cookies[csrf.anonymous_cookie_name(settings)] = created
    cookies.update(ctx.response_cookies)
    csrf.write_cookies(settings, response, cookies)
    return response


def _principal(active: accounts.ActiveSession | None, glass: BreakGlass) -> Principal | None:
    if active is None:
        return None
    return Principal(
        user_id=active.user.id,
        username=active.user.username,
        display_name=active.user.display_name,
        role=active.user.role_enum,
        session_id=active.session.id,
        idle_expires_at=active.idle_expires_at,
        area=active.user.area,
        unit=active.user.unit,
        break_glass=glass,
    )
