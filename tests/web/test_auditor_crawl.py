"""Issue 12 (point 2): auditors are pseudonymised by the vault, so no page can forget it.

Known people (sealed and unsealed; victims, witnesses, a child, a business) with every kind of
record: obligations, safeguards, special measures, VLU letters, documents, anonymity, quality
samples, and free text that names them. An auditor then fetches every GET route the role may
reach (from the route table, with the seeded ids, each as a page and as an htmx fragment), every
link and GET form those pages offer, the audit viewer's filters and both CSV exports: none of
the true values appears anywhere, and every route was really shown (not only refused).
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select
from starlette.routing import Match

from portal.accounts.roles import Role
from portal.anonymity.models import AnonymityApplication
from portal.breakglass.models import BreakGlassUse, Reason
from portal.compliance.service import DIMENSIONS
from portal.special_measures.models import SpecialMeasuresApplication
from portal.victims_code.models import Obligation
from portal.web.routing import PortalRoute
from tests.support.known_world import DEFENDANTS, seed_known_world
from tests.support.web import csrf_from, soup
from tests.web.test_case_pages import client_as
from tests.web.test_route_access import declared_routes
from tests.web.test_sealed_crawl import concrete

MAX_FETCHES = 1500


@pytest.fixture
def world(db, settings):
    known = seed_known_world(db, settings)
    # One emergency access waiting for review, so the queue links to a review page.
    started = datetime.now(UTC)
    db.add(
        BreakGlassUse(
            user_id=known["staff"]["wco"].id,
            case_id=known["cases"][0].id,
            case_urn=known["cases"][0].urn,
            reason=Reason.OTHER.value,
            detail="Court asked for the file out of hours",
            started_at=started,
            expires_at=started + timedelta(minutes=60),
        )
    )
    db.commit()
    return known


def _route_values(db, world) -> dict[str, list[str]]:
    """The ids each path parameter of an auditor's route can take in this world."""
    applications = [
        *db.scalars(select(SpecialMeasuresApplication.id)),
        *db.scalars(select(AnonymityApplication.id)),
    ]
    values = {
        "case_id": [str(c.id) for c in world["cases"]],
        "person_id": [str(p) for p in world["person_ids"]],
        "obligation_id": [str(o) for o in db.scalars(select(Obligation.id))],
        "application_id": [str(a) for a in applications],
    }
    db.commit()
    return values


def _same_site_links(html: str) -> list[str]:
    """Every link and GET form (submitted with its current values) on a page."""
    page = soup(html)
    found = [a["href"] for a in page.select("a[href]")]
    for form in page.select("form"):
        if (form.get("method") or "get").lower() != "get":
            continue
        fields = {}
        for field in form.select("input[name], select[name]"):
            if field.name == "select":
                chosen = field.select_one("option[selected]") or field.select_one("option")
                fields[field["name"]] = chosen.get("value", "") if chosen else ""
            elif field.get("type") not in {"checkbox", "radio"} or field.has_attr("checked"):
                fields[field["name"]] = field.get("value", "")
        found.append(f"{form.get('action') or ''}?{urlencode(fields)}")
    return [str(link) for link in found]


def test_no_page_an_auditor_can_reach_shows_a_true_value(app, db, world) -> None:
    needles = {n for k in world["people"] for n in k.needles()} | set(DEFENDANTS.values())
    needles |= {d.split()[1] for d in DEFENDANTS.values()}
    _the_values_are_really_there(app, db, world)
    client = client_as(app, db, world["staff"]["auditor"])
    values = _route_values(db, world)
    routes = [
        route
        for route, method in declared_routes(app)
        if method == "GET"
        and not route.access.public
        and route.access.allows(Role.AUDITOR)
        # the factor step sends a signed-in session on (portal.accounts.factor_routes)
        and not route.factor_step
    ]
    queue: deque[str] = deque()
    for route in routes:
        queue.extend(concrete(route, values, limit=100))
    queue.extend(f"/audit?person={reference}" for reference in world["references"])
    queue.extend(f"/cases?urn={case.urn}" for case in world["cases"])
    queue.extend(f"/search?urn={case.urn[:6]}" for case in world["cases"])
    seen: set[str] = set()
    shown: set[str] = set()  # the routes (by name) that answered with a page
    leaks: list[str] = []
    errors: list[str] = []
    fetches = 0
    while queue:
        parts = urlsplit(queue.popleft())._replace(fragment="")
        url = parts.geturl()
        if not parts.path.startswith("/") or parts.netloc or url in seen:
            continue
        if parts.path.startswith(("/static", "/assets", "/logout")):
            continue
        seen.add(url)
        for headers in ({}, {"HX-Request": "true"}):  # the page, then its htmx fragment
            response = client.get(url, headers=headers, follow_redirects=False)
            fetches += 1
            body = response.text
            leaks += [f"{url} (htmx={bool(headers)}): {n}" for n in needles if n in body]
            if response.status_code >= 500:
                errors.append(f"{url}: {response.status_code}")
            if response.status_code != 200:
                break  # a refusal or a redirect: its fragment says no more
            if not headers:
                shown.add(_route_name(app, parts.path) or parts.path)
                if "text/html" in response.headers.get("content-type", ""):
                    queue.extend(_same_site_links(body))
        assert fetches < MAX_FETCHES, "the crawl does not end"
    token = csrf_from(client.get("/audit").text)
    exports = [("/audit/export", {})] + [
        ("/audit/export", {"person": reference}) for reference in world["references"]
    ]
    exports += [("/compliance/export", {"by": dimension}) for dimension in DIMENSIONS]
    for path, data in exports:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 200, (path, data)
        assert "csv" in response.headers["content-type"], (path, data)
        leaks += [f"POST {path} {data}: {n}" for n in needles if n in response.text]
    assert errors == [], "\n".join(errors)
    assert leaks == [], "\n".join(sorted(leaks))
    assert shown >= {route.name for route in routes}, {route.name for route in routes} - shown
    assert len(seen) > 150


def _the_values_are_really_there(app, db, world) -> None:
    """A control: the case's prosecutor sees the unsealed names on the case pages and their
    phone numbers in the free text on their pages (so the auditor's 0 hits mean something)."""
    prosecutor = client_as(app, db, world["staff"]["prosecutor"])
    pages = " ".join(prosecutor.get(f"/cases/{case.id}").text for case in world["cases"])
    plain = [k for k in world["people"] if not k.sealed and not k.business]
    sealed = [k for k in world["people"] if k.sealed]
    assert plain and all(k.name in pages for k in plain)
    assert sealed and not any(k.name in pages for k in sealed)
    # Free text naming an unsealed person (needs notes, obligation evidence) is on their page.
    person_pages = " ".join(
        prosecutor.get(f"/cases/{case.id}/people/{person_id}").text
        for case in world["cases"]
        for person_id in world["person_ids"]
    )
    assert all(k.values["phone"] in person_pages for k in plain)


def _route_name(app, path: str) -> str | None:
    scope = {"type": "http", "path": path, "method": "GET"}
    for route in app.routes:
        if isinstance(route, PortalRoute) and route.matches(scope)[0] is Match.FULL:
            return route.name
    return None
