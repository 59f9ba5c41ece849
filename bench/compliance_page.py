"""Issue 9: how long the compliance dashboard takes to render over 100,000 obligations.

.venv/bin/python -m bench.compliance_page   (PORTAL_TEST_DATABASE_URL=... for PostgreSQL)
"""

import json
import statistics
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.app import create_app
from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.wiring import session_factory
from tests.conftest import make_settings
from tests.support.database import fresh_database
from tests.support.factories import make_session_token, make_user
from tests.support.obligations import seed_obligations

with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp), "dash") as url:
    settings = make_settings(url, Path(tmp))
    engine = make_engine(settings)
    upgrade(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as db:
        seed_obligations(db, cases=2500, per_case=40)
        auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
        token = make_session_token(db, auditor)
    app = create_app(settings)
    with TestClient(app) as client:
        client.cookies.set("portal_session", token)
        out = {}
        for by in ("entitlement", "category", "area", "child"):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                r = client.get(f"/compliance?by={by}")
                times.append(time.perf_counter() - t)
                assert r.status_code == 200
            out[by] = round(statistics.median(times) * 1000)
        print(
            json.dumps(
                {
                    "database": url.split(":")[0],
                    "obligations": 100000,
                    "median_ms_by_breakdown": out,
                }
            )
        )
    engine.dispose()
