"""Words for officers, not developers (issue 15 point 9), on every page every role can reach.

Each role fetches every GET route it may use, with the ids of a seeded world, and every page
that answers must: have a back link or breadcrumbs (the home page excepted: it is where every
journey starts); show no rules-data confidence tag, rule number or raw code; and explain each
abbreviation it uses (spelled out on the page, or an ``<abbr title>``).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.anonymity.models import AnonymityApplication
from portal.rendering.glossary import ABBREVIATIONS
from portal.special_measures.models import SpecialMeasuresApplication
from portal.victims_code.models import Obligation
from portal.vlu.models import Job, VluDecision, VluRequest
from tests.support.factories import make_user
from tests.support.known_world import seed_known_world
from tests.support.web import soup
from tests.web.test_auditor_crawl import _route_name as route_name
from tests.web.test_auditor_crawl import _same_site_links as same_site_links
from tests.web.test_case_pages import client_as
from tests.web.test_route_access import declared_routes
from tests.web.test_sealed_crawl import concrete

DEVELOPER_WORDS = re.compile(r"UNCONFIRMED|source confidence|\bDR ?\d|\[[PSR]\]|\(None\)|: None\b")
# A snake_case key shown as if it were a word (not a username such as ``vlu_officer-1a2b``).
RAW_CODE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b(?!-)")
WITHOUT_BACK_LINK = {"home", "root"}
MAX_FETCHES_PER_ROLE = 400
# GET routes that answer with no page of their own: downloads, redirects, the factor step of a
# signed-in session, htmx-only pieces.
NOT_PAGES = {
    "logout",
    "outcomes_review_csv",
    "person_document",
    "sm_document_pdf",
    "vlu_letter_pdf",
    "vlu_not_sent_csv",
}
# Pages the seeded world leads no link to, each with why (their templates carry a back link;
# the tests named check the pages themselves).
NOT_IN_THIS_WORLD = {
    "admin_request",  # no account request waiting (test_account_admin)
    "admin_access_change",  # no change of access waiting (test_account_handover)
    "breakglass_review",  # no emergency access to review (test_break_glass)
    "factor_enrol",  # a password-only session's pages (test_second_factor)
    "second_factor",
    "second_factor_passkey",  # (test_passkeys: a passkey at sign-in)
    "anonymity_court",  # an application's court copy (test_anonymity)
    "anonymity_unmask_request",  # no unmask request waiting (test_two_person)
    "sm_decision",  # special measures steps in states the world has not reached
    "sm_identify",
    "sm_variation",
    "vlu_job",  # no bulk job has run (test_vlu_jobs)
    "vlu_bulk_check_letter",  # no bulk check has begun (test_vlu_not_sent)
    "vlu_letter",  # letters are drafted, none printable yet (test_vlu_pages)
}


@pytest.fixture
def world(db, settings):
    known = seed_known_world(db, settings)
    known["staff"]["admin"] = make_user(db, role=Role.ADMIN, area=None, unit=None)
    db.commit()
    return known


def _values(db, world) -> dict[str, list[str]]:
    values = {
        "case_id": [str(c.id) for c in world["cases"]],
        "person_id": [str(p) for p in world["person_ids"]],
        "obligation_id": [str(o) for o in db.scalars(select(Obligation.id).limit(3))],
        "application_id": [
            *map(str, db.scalars(select(SpecialMeasuresApplication.id).limit(2))),
            *map(str, db.scalars(select(AnonymityApplication.id).limit(2))),
        ],
        "decision_id": [str(d) for d in db.scalars(select(VluDecision.id).limit(2))],
        "request_id": [str(r) for r in db.scalars(select(VluRequest.id).limit(2))],
        "job_id": [str(j) for j in db.scalars(select(Job.id).limit(2))],
    }
    db.commit()
    return values


def visible_text(html: str) -> str:
    page = soup(html)
    # Code (a spreadsheet's column names, say) is meant to be typed as shown.
    for hidden in page.select("script, style, template, noscript, code"):
        hidden.decompose()
    main = page.select_one("body") or page
    return " ".join(main.get_text(" ").split())


def explained(html: str, text: str, abbreviation: str) -> bool:
    if ABBREVIATIONS[abbreviation].lower() in text.lower():
        return True
    return any(
        tag.get_text(strip=True) == abbreviation and tag.get("title")
        for tag in soup(html).select("abbr")
    )


def test_every_page_has_a_way_back_and_words_for_officers(app, db, world) -> None:
    values = _values(db, world)
    problems: dict[str, set[str]] = defaultdict(set)
    seen_routes: set[str] = set()
    for who, user in world["staff"].items():
        client = client_as(app, db, user)
        queue: deque[str] = deque()
        for route, method in declared_routes(app):
            if method != "GET" or route.access.public or route.name in {"logout"}:
                continue
            if route.access.allows(Role(user.role)):
                queue.extend(concrete(route, values, limit=2)[:2])
        seen: set[str] = set()
        fetched = 0
        while queue and fetched < MAX_FETCHES_PER_ROLE:
            parts = urlsplit(queue.popleft())._replace(fragment="")
            url = parts.geturl()
            if not parts.path.startswith("/") or parts.netloc or url in seen:
                continue
            if parts.path.startswith(("/static", "/assets", "/vendor", "/logout")):
                continue
            seen.add(url)
            response = client.get(url, follow_redirects=False)
            fetched += 1
            if response.status_code != 200:
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            html = response.text
            name = route_name(app, parts.path) or parts.path
            seen_routes.add(name)
            queue.extend(same_site_links(html))
            page = soup(html)
            where = f"{name} ({who})"
            if name not in WITHOUT_BACK_LINK and not page.select(
                ".govuk-back-link, .govuk-breadcrumbs"
            ):
                problems["no back link or breadcrumbs"].add(where)
            text = visible_text(html)
            for found in DEVELOPER_WORDS.findall(text):
                problems[f"shows {found!r}"].add(where)
            for found in RAW_CODE.findall(text):
                problems[f"shows the code {found!r}"].add(where)
            for abbreviation in ABBREVIATIONS:
                if re.search(rf"\b{abbreviation}\b", text) and not explained(
                    html, text, abbreviation
                ):
                    problems[f"{abbreviation} not explained"].add(where)
    pages = {
        route.name
        for route, method in declared_routes(app)
        if method == "GET" and not route.access.public and route.name not in NOT_PAGES
    }
    missed = sorted(pages - seen_routes - NOT_IN_THIS_WORLD)
    assert missed == [], f"pages the crawl never reached: {missed}"
    report = "\n".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(problems.items()))
    assert not problems, report
