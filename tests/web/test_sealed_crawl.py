"""Issue 7 acceptance: with 50 sealed canary identities, a crawl of every page, fragment and
export available to every role, plus every log line written, never shows a true identity."""

from __future__ import annotations

import itertools
import logging
import random
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.anonymity import service as anonymity
from portal.cases.reference import EventKind
from portal.cases.service import NewEvent, record_event
from portal.db.base import Base
from portal.web.routing import PortalRoute
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.support.web import csrf_from
from tests.web.test_case_pages import client_as

CANARIES = 50


def canary(n: int) -> dict[str, str]:
    rng = random.Random(n)
    token = "".join(rng.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(8))
    return {
        "name": f"Sealedcanary {token}",
        "address": f"{n} Quietcanary {token} Close",
        "dob": date(1960 + n % 40, 1 + n % 12, 1 + n % 27).isoformat(),
    }


@pytest.fixture
def world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    users = {
        "prosecutor": prosecutor,
        "wco": make_user(db, role=Role.WITNESS_CARE_OFFICER),
        "vlu": make_user(db, role=Role.VLU_OFFICER),
        "auditor": make_user(db, role=Role.AUDITOR, area=None, unit=None),
        "admin": make_user(db, role=Role.ADMIN, area=None, unit=None),
    }
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        offences=("MSA2015-S2", "FA2006-S2"),
        offence_date=date(2025, 2, 1),
    )
    actor = Actor(prosecutor.id, Role.PROSECUTOR, "london-north", "ccu")
    vault = make_vault(db, settings)
    people = []
    for n in range(CANARIES):
        c = canary(n)
        person, _ = add_person(
            db,
            settings,
            case,
            name=c["name"],
            actor_user=prosecutor,
            born=date.fromisoformat(c["dob"]),
            address=c["address"],
        )
        anonymity.draft_application(
            db,
            vault,
            actor,
            case,
            person,
            condition_a="Threats.",
            condition_b="Fair.",
            condition_c="Would not testify.",
            considerations="",
            measures=["pseudonym"],
        )
        people.append(person)
    record_event(
        db,
        vault,
        actor,
        case,
        NewEvent(kind=EventKind.DISCONTINUANCE, event_date=date(2026, 11, 2)),
    )
    db.commit()
    return {"users": users, "case": case, "people": people}


def candidates(db) -> dict[str, list[str]]:
    """Every primary key in the database, by the URL parameter names that may carry it."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            continue
        ids = [str(v) for v in db.execute(select(pk[0]).limit(60)).scalars()]
        if not ids:
            continue
        if table.name == "case_file":
            names = ["case_id"]
        elif table.name == "person":
            names = ["person_id"]
        else:
            singular = table.name.split("_")[-1]
            names = [
                f"{table.name}_id",
                f"{singular}_id",
                "request_id",
                "application_id",
                "decision_id",
                "job_id",
                "sample_id",
                "action_id",
                "document_id",
                "user_id",
            ]
        for name in names:
            found.setdefault(name, []).extend(ids)
    return found


def concrete(route: PortalRoute, values: dict[str, list[str]], limit: int) -> list[str]:
    names = list(route.param_convertors)
    if not names:
        return [route.path]
    choices = [values.get(n, [str(uuid.uuid4())])[:limit] for n in names]
    urls = []
    for combo in itertools.islice(itertools.product(*choices), 400):
        path = route.path
        for name, value in zip(names, combo, strict=True):
            path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", value, path)
        urls.append(path)
    return urls


def test_no_page_fragment_export_or_log_shows_a_sealed_identity(app, db, world, caplog) -> None:
    caplog.set_level(logging.INFO)
    secrets_ = [canary(n) for n in range(CANARIES)]
    needles = {s[k] for s in secrets_ for k in ("name", "address", "dob")}
    needles |= {s["name"].split()[1] for s in secrets_}  # the unique part alone
    values = candidates(db)
    db.commit()
    routes = [r for r in app.routes if isinstance(r, PortalRoute) and "GET" in (r.methods or ())]
    visited = 0
    leaks: list[str] = []
    for who, user in world["users"].items():
        client = client_as(app, db, user)
        for route in routes:
            if not route.access.allows(Role(user.role)) or route.name in {"logout"}:
                continue
            per_person = "person_id" in route.param_convertors
            for index, url in enumerate(concrete(route, values, CANARIES if per_person else 4)):
                # Every sealed person as a full page; fragments (htmx) for a handful of them.
                variants = ({}, {"HX-Request": "true"}) if index < 4 else ({},)
                for headers in variants:
                    response = client.get(url, headers=headers, follow_redirects=True)
                    visited += 1
                    body = response.text
                    leaks += [f"{who} {url}: {n}" for n in needles if n in body]
        if who == "auditor":
            token = csrf_from(client.get("/audit").text)
            for export in ("/audit/export", "/compliance/export"):
                body = client.post(export, data={"csrf_token": token}).text
                leaks += [f"{who} {export}: {n}" for n in needles if n in body]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    leaks += [f"log: {n}" for n in needles if n in logged]
    assert visited > 1000
    assert leaks == []


def test_search_for_a_sealed_true_name_finds_nothing(app, db, world) -> None:
    client = client_as(app, db, world["users"]["prosecutor"])
    page = client.get("/search")
    token = csrf_from(page.text)
    target = world["people"][0]
    response = client.post(
        "/search", data={"csrf_token": token, "name": canary(0)["name"], "kind": "name"}
    )
    assert response.status_code in (200, 400)
    assert target.reference not in response.text
    assert str(target.id) not in response.text


def test_sealed_people_have_no_blind_index(db, world) -> None:
    rows = db.execute(text("SELECT name_index, dob_index FROM person")).all()
    db.commit()
    assert len(rows) == CANARIES
    assert all(r == (None, None) for r in rows)
    assert sa_inspect(db.get_bind()).has_table("person")
