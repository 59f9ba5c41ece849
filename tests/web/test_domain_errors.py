"""Domain errors become responses in one place (portal.web.errors), whatever route raised them,
and the page never shows the error's own words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from portal.accounts.errors import UsernameTaken
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.app import create_app
from portal.cases.errors import CaseNotFound
from portal.db.session import unit_of_work
from portal.kit.errors import (
    ActionNotPermitted,
    DomainError,
    GuardRefused,
    NotFound,
    NotPermitted,
    StaleEdit,
    TransitionRefused,
    ValidationFailed,
)
from portal.web.routing import PortalRoute, requires
from portal.wiring import session_factory
from tests.support.factories import make_session_token, make_user

SECRET = "Jane Canary lives at 1 Secret Street"

RAISERS: dict[str, tuple[Callable[[], BaseException], int]] = {
    "not-found": (lambda: NotFound(SECRET), 404),
    "case-not-found": (lambda: CaseNotFound(SECRET), 404),
    "not-permitted": (lambda: NotPermitted(SECRET), 403),
    "action-not-permitted": (lambda: ActionNotPermitted("serve", SECRET), 403),
    "transition-refused": (lambda: TransitionRefused("serve", SECRET), 409),
    "guard-refused": (lambda: GuardRefused("send", SECRET), 409),
    "stale-edit": (lambda: StaleEdit({"name": SECRET}, 3), 409),
    "validation-failed": (lambda: ValidationFailed({"name": SECRET}), 400),
    "username-taken": (lambda: UsernameTaken(SECRET), 409),
    "unclassified": (lambda: DomainError(SECRET), 500),
}


@pytest.fixture
def raising_client(settings, engine):
    app = create_app(settings)
    for name, (make, _) in RAISERS.items():

        def handler(ctx, make=make):
            raise make()

        handler.__name__ = f"raise_{name.replace('-', '_')}"
        app.router.routes.insert(
            0,
            PortalRoute(
                f"/raise/{name}", handler, access=requires(Permission.VIEW_HOME), name=name
            ),
        )
    with TestClient(app, raise_server_exceptions=False) as client:
        with unit_of_work(session_factory(engine)) as db:
            token = make_session_token(db, make_user(db, role=Role.PROSECUTOR))
        client.cookies.set("portal_session", token)
        yield client
    app.state.engine.dispose()


@pytest.mark.parametrize("name", sorted(RAISERS))
def test_each_family_of_domain_error_has_one_status(raising_client, name: str) -> None:
    response = raising_client.get(f"/raise/{name}")
    assert response.status_code == RAISERS[name][1]
    assert "Jane Canary" not in response.text and "Secret Street" not in response.text
    assert "govuk-heading-l" in response.text
