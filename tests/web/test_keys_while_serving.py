"""Key rotation while the portal serves (issues 14 and 19): a running app follows a new KEK and
new data keys without a restart, and a key that is truly missing is a logged 500, not a 404."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.app import create_app
from portal.keys import rotation
from portal.keys.models import DataKey
from portal.settings import Settings, add_kek, write_key_file
from portal.wiring import session_factory
from tests.support.factories import add_person, make_case, make_session_token, make_user


@pytest.fixture
def keyed(tmp_path: Path, database_url: str, engine, db):
    """Settings whose KEKs come from an instance key file (as in production), and an app."""
    instance = tmp_path / "instance"
    write_key_file(instance)
    env = {
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_ALLOWED_HOSTS": "testserver",
    }
    settings = Settings.from_env(env)
    app = create_app(settings)
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    case = make_case(db, settings, prosecutor=prosecutor, officer=officer)
    for n in range(3):
        add_person(db, settings, case, name=f"Vera Canary{n}", actor_user=prosecutor)
    token = make_session_token(db, officer)
    db.commit()
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set("portal_session", token)
    yield {"env": env, "instance": instance, "app": app, "client": client, "case": case}
    app.state.engine.dispose()


def test_keys_rotate_while_the_app_serves_with_no_failed_request(keyed, engine, db) -> None:
    client, case = keyed["client"], keyed["case"]
    served: list[int] = []

    def serve(*_progress: int) -> None:
        response = client.get(f"/cases/{case.id}")
        ok = response.status_code == 200 and "Vera Canary2" in response.text
        served.append(response.status_code if not ok else 200)

    serve()
    add_kek(keyed["instance"])  # what `portal keys rotate` does first
    rotated = Settings.from_env(keyed["env"]).key_provider()
    factory = session_factory(engine)
    rewrapped = rotation.rewrap_all(factory, rotated, batch=1, progress=serve)
    assert rewrapped >= 4  # the case's key and each person's
    serve()
    assert keyed["app"].state.key_provider.active_kek_id == "kek-2"
    moved = rotation.rotate_data(factory, rotated, batch=1, progress=serve)
    assert moved >= 4
    serve()
    assert len(served) >= 10
    assert set(served) == {200}, served
    wrapped_by = set(db.scalars(select(DataKey.kek_id).where(DataKey.wrapped.is_not(None))))
    db.commit()
    assert wrapped_by == {"kek-2"}


def test_a_missing_key_is_a_logged_500_with_a_clear_page(keyed, db, caplog) -> None:
    client, case = keyed["client"], keyed["case"]
    assert client.get(f"/cases/{case.id}").status_code == 200
    db.execute(update(DataKey).where(DataKey.purpose == "person").values(kek_id="kek-nowhere"))
    db.commit()
    keyed["app"].state.key_cache.__init__()  # a new process: nothing unwrapped yet
    with caplog.at_level(logging.ERROR, logger="portal.security"):
        response = client.get(f"/cases/{case.id}")
    assert response.status_code == 500
    assert "cannot be opened at the moment" in response.text
    assert "Vera Canary" not in response.text
    assert any("security.key_missing" in r.getMessage() for r in caplog.records)
