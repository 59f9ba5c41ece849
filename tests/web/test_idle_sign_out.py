"""Issue 12 point 11: an active user is never signed out for idleness (the clock, not sleeps)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from portal.accounts import service as accounts
from portal.accounts.roles import Role
from portal.app import create_app
from portal.clock import utc_now
from tests.conftest import make_settings
from tests.support.factories import make_user
from tests.support.web import pass_second_factor
from tests.web.test_cookies import login


@pytest.mark.parametrize("idle_minutes", [1, 2, 15, 60])
def test_touch_interval_is_well_below_the_idle_limit(idle_minutes: int) -> None:
    limit = timedelta(minutes=idle_minutes)
    interval = accounts.touch_interval(limit)
    assert timedelta(0) < interval <= limit / 10
    assert interval <= timedelta(seconds=60)  # at most one write a minute for long limits


def test_a_user_active_every_30_seconds_stays_signed_in_with_a_one_minute_limit(
    database_url, instance_dir, engine, db, monkeypatch
) -> None:
    application = create_app(
        make_settings(database_url, instance_dir, PORTAL_SESSION_IDLE_MINUTES="1")
    )
    user = make_user(db, role=Role.VLU_OFFICER)
    db.commit()
    start = utc_now()
    clock = {"now": start}
    monkeypatch.setattr("portal.web.routing.utc_now", lambda: clock["now"])
    try:
        with TestClient(application) as client:
            assert login(client, user.username).status_code == 303
            pass_second_factor(client, user.username)
            for step in range(1, 21):  # ten minutes of a page every 30 seconds
                clock["now"] = start + timedelta(seconds=30 * step)
                response = client.get("/home", follow_redirects=False)
                assert response.status_code == 200, f"signed out after {30 * step} s"
            # ...and a minute without any request still signs the user out.
            clock["now"] += timedelta(seconds=61)
            assert client.get("/home", follow_redirects=False).status_code == 303
    finally:
        application.state.engine.dispose()
