"""Erasing one person leaves their case readable for everyone who may see it (issue 19 point 2)."""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import pytest

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.people.models import Person
from portal.people.service import erase_person
from tests.support.factories import add_person, make_case, make_user, make_vault
from tests.web.test_auditor_crawl import _same_site_links
from tests.web.test_case_pages import client_as

ERASED_NAME = "Erasedcanary Quill"
KEPT_NAME = "Keptcanary Birch"


@pytest.fixture
def erased_world(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor")
    staff = {
        Role.PROSECUTOR: prosecutor,
        Role.WITNESS_CARE_OFFICER: make_user(db, role=Role.WITNESS_CARE_OFFICER),
        Role.VLU_OFFICER: make_user(db, role=Role.VLU_OFFICER),
        Role.AUDITOR: make_user(db, role=Role.AUDITOR, area=None, unit=None),
    }
    case = make_case(db, settings, prosecutor=prosecutor)
    erased, _ = add_person(db, settings, case, name=ERASED_NAME, actor_user=prosecutor)
    kept, _ = add_person(db, settings, case, name=KEPT_NAME, actor_user=prosecutor, is_witness=True)
    actor = Actor(prosecutor.id, Role.PROSECUTOR, prosecutor.area, prosecutor.unit)
    erase_person(db, make_vault(db, settings), actor, erased)
    db.commit()
    return {"staff": staff, "case": case, "erased": erased, "kept": kept}


@pytest.mark.parametrize(
    "role",
    [Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR],
    ids=lambda r: r.value,
)
def test_the_case_page_still_opens_after_one_person_is_erased(app, db, erased_world, role) -> None:
    client = client_as(app, db, erased_world["staff"][role])
    page = client.get(f"/cases/{erased_world['case'].id}")
    assert page.status_code == 200, page.text[:500]
    assert ERASED_NAME not in page.text
    if role is not Role.AUDITOR:  # auditors see references, never names
        assert KEPT_NAME in page.text
    person_page = client.get(f"/cases/{erased_world['case'].id}/people/{erased_world['erased'].id}")
    assert person_page.status_code in {200, 404}
    assert ERASED_NAME not in person_page.text


CRAWL_LIMIT = 400


@pytest.fixture
def known(db, settings):
    from tests.support.known_world import seed_known_world

    world = seed_known_world(db, settings)
    victim = next(k for k in world["people"] if k.n == 7)  # case b: letters, safeguards
    person = db.get(Person, world["person_ids"][victim.n])
    prosecutor = world["staff"]["prosecutor"]
    actor = Actor(prosecutor.id, Role.PROSECUTOR, prosecutor.area, prosecutor.unit)
    erase_person(db, make_vault(db, settings), actor, person)
    db.commit()
    return world, victim, person


@pytest.mark.parametrize("who", ["wco", "prosecutor", "vlu"])
def test_no_page_of_a_case_breaks_or_shows_the_erased_person(app, db, known, who) -> None:
    """Crawl every page reachable from both cases: no 5xx, no 404 for the case itself, and none
    of the erased person's own values (case-level free text that names them is the case's)."""
    world, victim, person = known
    needles = {victim.values[name] for name in ("address", "phone", "email", "alias", "reference")}
    client = client_as(app, db, world["staff"][who])
    queue: deque[str] = deque(f"/cases/{case.id}" for case in world["cases"])
    queue.extend(["/home", "/vlu"])
    for case in world["cases"]:
        assert client.get(f"/cases/{case.id}").status_code == 200, who
    seen: set[str] = set()
    errors: list[str] = []
    leaks: list[str] = []
    while queue and len(seen) < CRAWL_LIMIT:
        parts = urlsplit(queue.popleft())._replace(fragment="")
        url = parts.geturl()
        if not parts.path.startswith("/") or parts.netloc or url in seen:
            continue
        if parts.path.startswith(("/static", "/assets", "/logout", "/audit", "/admin")):
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=False)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        leaks += [f"{url}: {n}" for n in needles if n in response.text]
        if response.status_code == 200 and "text/html" in response.headers.get("content-type", ""):
            queue.extend(_same_site_links(response.text))
    assert errors == [], "\n".join(errors)
    assert leaks == [], "\n".join(leaks)
    assert any(str(person.id) in url for url in seen), "the crawl never reached the person"
    assert len(seen) > 20
