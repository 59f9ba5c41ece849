"""Issue 17 (point 4): every CSV export, found in the route table, is flat text through the one
``csv_response`` with the one formula-injection guard, and an auditor's export names nobody.

The exports are found by reading the route table (a handler that calls ``csv_response``), so a
new export is tested here as soon as it exists; the test fails until it is given its requests
below. Every role is tried on every export: the roles the route admits must get a flat, guarded
file; the others are refused. Known people (sealed and not) are seeded through the services, and
an audit entry carrying formula-like text makes the guard's work visible in the export.
"""

from __future__ import annotations

import csv
import inspect
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import portal
from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases.models import Case
from portal.compliance.service import DIMENSIONS
from portal.kit.csvsafe import FORMULA_TRIGGERS
from portal.outcomes.service.review import DIMENSIONS as REVIEW_DIMENSIONS
from portal.vlu.models import VluDecision
from portal.web.routing import PortalRoute
from tests.support.factories import make_user
from tests.support.known_world import DEFENDANTS, seed_known_world
from tests.support.web import csrf_from
from tests.web.test_case_pages import client_as
from tests.web.test_route_access import declared_routes

NUMBER = re.compile(r"-?\d+(\.\d+)?")
UNGUARDED = tuple(FORMULA_TRIGGERS)  # = + - @ TAB CR, and LF and NUL
INJECTED = '=HYPERLINK("http://example.invalid","open")'
# How the injected audit entry's cells must come out: one apostrophe in front, nothing else.
GUARDED = {"'+case", "'\r=1+1", "'\tcmd,-2+3," + INJECTED + ",@SUM(1)"}


def _exports(app) -> list[PortalRoute]:
    return [
        route
        for route, _ in declared_routes(app)
        if "csv_response(" in inspect.getsource(route.handler)
    ]


def _requests(world) -> dict[str, list[dict[str, str]]]:
    """What each export is asked for: every filter that changes its columns or rows."""
    return {
        "audit_export": [
            {},
            *({"person": reference} for reference in world["references"]),
            {"action": "test.injected"},
        ],
        "compliance_export": [{"by": dimension} for dimension in DIMENSIONS],
        "outcomes_review_csv": [{"by": dimension} for dimension in REVIEW_DIMENSIONS],
        "vlu_not_sent_csv": [{}, {"reason": "no_safe_channel"}],
    }


def _where(db, route: PortalRoute) -> tuple[str, str | None]:
    """The export's path, and the Area its user needs (an export of one VLU decision: the
    first decision of the seeded world, seen from its case's Area)."""
    if "{decision_id}" not in route.path:
        return route.path, None
    decision = db.scalars(select(VluDecision).order_by(VluDecision.id)).first()
    assert decision is not None
    case = db.get(Case, decision.case_id)
    db.commit()
    return route.path.format(case_id=decision.case_id, decision_id=decision.id), case.area


def test_only_the_one_csv_response_writes_csv() -> None:
    """No other module builds a CSV file or a CSV response by hand."""
    root = Path(portal.__file__).parent
    # The importers read CSV; they write none.
    allowed = {
        "kit/csvsafe.py",
        "web/downloads.py",
        "cases/import_rows.py",
        "outcomes/service/loss_import.py",
    }
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if str(path.relative_to(root)) not in allowed
        and re.search(r"text/csv|csv\.writer|csv\.DictWriter|^import csv", path.read_text(), re.M)
    ]
    assert offenders == []


@pytest.fixture
def world(db, settings):
    world = seed_known_world(db, settings)
    auditor = world["staff"]["auditor"]
    actor = Actor(auditor.id, Role.AUDITOR, auditor.area, auditor.unit)
    audit.record(
        db,
        actor=actor,
        category="consultation",
        action="test.injected",
        object_type="+case",
        fields=[INJECTED, "@SUM(1)", "\tcmd", "-2+3"],
        recipient="\r=1+1",
    )
    db.commit()
    return world


def _cells(text: str) -> list[list[str]]:
    assert "\0" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows, "an export has at least its header"
    assert len({len(row) for row in rows}) == 1, "every row has the header's columns"
    return rows


def test_every_csv_export_is_flat_guarded_and_names_nobody_for_auditors(app, db, world) -> None:
    needles = {n for k in world["people"] for n in k.needles()} | set(DEFENDANTS.values())
    exports = _exports(app)
    assert {route.name for route in exports} >= {"audit_export", "compliance_export"}
    requests = _requests(world)
    assert {route.name for route in exports} <= set(requests), "give a new export its requests"
    guarded_seen: set[str] = set()
    tried = 0
    for route in exports:
        path, area = _where(db, route)
        for role in Role:
            client = client_as(app, db, make_user(db, role=role, area=area, unit=None))
            token = csrf_from(client.get("/home").text)
            for data in requests[route.name]:
                method = sorted(m for m in route.methods or [] if m != "HEAD")[0]
                response = client.request(
                    method,
                    path,
                    data={"csrf_token": token, **data} if method == "POST" else None,
                    params=data if method == "GET" else None,
                    follow_redirects=False,
                )
                where = f"{route.name} {role.value} {data}"
                if not route.access.allows(role):
                    assert response.status_code in {403, 404}, where
                    continue
                tried += 1
                assert response.status_code == 200, where
                assert response.headers["content-type"] == "text/csv; charset=utf-8", where
                assert response.headers["content-disposition"].startswith("attachment;"), where
                assert response.headers["x-content-type-options"] == "nosniff", where
                assert "no-store" in response.headers["cache-control"], where
                for row in _cells(response.text):
                    for cell in row:
                        if cell.startswith(UNGUARDED) and not NUMBER.fullmatch(cell):
                            pytest.fail(f"{where}: unguarded cell {cell!r}")
                        guarded_seen |= {cell} & GUARDED
                if role is Role.AUDITOR:
                    leaked = sorted(n for n in needles if n in response.text)
                    assert leaked == [], where
    assert tried >= len(exports)
    assert guarded_seen == GUARDED, "the injected formulas reached an export, defused"
