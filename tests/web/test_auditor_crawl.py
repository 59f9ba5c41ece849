"""Issue 12 (point 2): auditors are pseudonymised by the vault, so no page can forget it.

Known people (sealed and unsealed; victims, witnesses, a child, a business) with every kind of
record: obligations, safeguards, special measures, VLU letters, documents, anonymity, quality
samples, and free text that names them. An auditor then fetches every GET route the role may
reach (from the route table, with the seeded ids, each as a page and as an htmx fragment), every
link and GET form those pages offer, the audit viewer's filters and both CSV exports: none of
the true values appears anywhere, and every route was really shown (not only refused).
"""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select
from starlette.routing import Match

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.anonymity import service as anonymity
from portal.anonymity.models import AnonymityApplication
from portal.cases.importer import NewPerson
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.cases.repository import defendants_of
from portal.compliance import quality
from portal.compliance.service import DIMENSIONS
from portal.documents import service as documents
from portal.people.models import Person
from portal.people.service import SafeContact
from portal.safeguards import service as safeguards
from portal.special_measures import service as sm
from portal.special_measures.models import SpecialMeasuresApplication
from portal.victims_code import lifecycle
from portal.victims_code.models import Obligation
from portal.vlu import service as vlu
from portal.web.routing import PortalRoute
from tests.support.factories import make_case, make_user
from tests.support.vlu import actor_of, add_victims, decision_of, record, requests_of, vault_for
from tests.support.web import csrf_from, soup
from tests.web.test_case_pages import client_as
from tests.web.test_route_access import declared_routes
from tests.web.test_sealed_crawl import concrete

CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"
MAX_FETCHES = 1500


@dataclass(frozen=True, slots=True)
class Known:
    """One person's true values, each distinctive enough to search a page for."""

    n: int
    token: str
    sealed: bool
    victim: bool
    witness: bool
    child: bool = False
    business: bool = False

    @property
    def name(self) -> str:
        return f"Knowncanary {self.token}"

    @property
    def born(self) -> date:
        if self.child:
            today = date.today()
            return date(today.year - 15, 1 + self.n % 12, 3 + self.n)
        return date(1961 + self.n, 1 + self.n % 12, 3 + self.n)

    @property
    def values(self) -> dict[str, str]:
        token = self.token
        return {
            "full_name": self.name,
            "alias": f"Aliascanary {token}",
            "address": f"{40 + self.n} {token.title()} Mews, Canaryton",
            "phone": f"07700 93{self.n:04d}",
            "email": f"{token.lower()}@canary.example",
            "business_contact": f"Contactcanary {token}",
            "representative": f"Repcanary {token}",
            "reference": f"{10 + self.n}/{70_000 + 7 * self.n}/24",
        }

    def needles(self) -> set[str]:
        born = self.born
        return {
            *self.values.values(),
            self.token,
            self.token.title(),
            self.token.lower(),
            born.isoformat(),
            born.strftime("%d/%m/%Y"),
            f"{born.day} {born:%B %Y}",
            f"{born.day} {born:%b %Y}",
        }


def _token(rng: random.Random) -> str:
    return "".join(rng.choice(CONSONANTS) for _ in range(9))


def known_people() -> dict[str, list[Known]]:
    rng = random.Random(12)
    a = [
        Known(0, _token(rng), sealed=False, victim=True, witness=False),
        Known(1, _token(rng), sealed=True, victim=True, witness=False),
        Known(2, _token(rng), sealed=False, victim=False, witness=True),
        Known(3, _token(rng), sealed=True, victim=False, witness=True),
        Known(4, _token(rng), sealed=False, victim=True, witness=False, business=True),
    ]
    b = [
        Known(5, _token(rng), sealed=False, victim=True, witness=True, child=True),
        Known(6, _token(rng), sealed=True, victim=True, witness=True),
        Known(7, _token(rng), sealed=False, victim=True, witness=False),
    ]
    return {"a": a, "b": b}


DEFENDANTS = {"a": "Defcanary QWXZRTPLM", "b": "Defcanary ZRTBVNMKQ"}


def _new_person(k: Known) -> NewPerson:
    v = k.values
    return NewPerson(
        full_name=f"{k.token} Holdings Ltd" if k.business else v["full_name"],
        is_victim=k.victim,
        is_witness=k.witness,
        date_of_birth=None if k.business else k.born,
        address=v["address"],
        phone=v["phone"],
        email=v["email"],
        is_business=k.business,
        business_contact=v["business_contact"] if k.business else None,
        references=(("police_crn", v["reference"]),),
        safe_contact=SafeContact(channels=("letter",), safe_times=f"After 6pm, ask for {k.name}"),
        enhanced_reasons=f"{k.name} was threatened at {v['address']}",
        risk_level="high",
    )


def _today() -> date:
    return date.today()


def _seed_case(db, settings, staff, key: str, people: list[Known], offences, offence_date):
    prosecutor, wco = staff["prosecutor"], staff["wco"]
    case = make_case(
        db,
        settings,
        prosecutor=prosecutor,
        officer=wco,
        offences=offences,
        offence_date=offence_date,
        defendants=(DEFENDANTS[key],),
    )
    ids = add_victims(db, settings, case, prosecutor, [_new_person(k) for k in people])
    vault = vault_for(db, settings)
    persons = {p.id: p for p in db.scalars(select(Person).where(Person.id.in_(ids)))}
    parties = {
        p.person_id: p for p in db.scalars(select(CaseParty).where(CaseParty.person_id.in_(ids)))
    }
    rows = []
    for k, person_id in zip(people, ids, strict=True):
        person = persons[person_id]
        # No page writes these two yet; seal them as the vault would, so they are covered too.
        vault.put(person, "aliases", k.values["alias"])
        vault.put(person, "representative", json.dumps({"name": k.values["representative"]}))
        rows.append((k, person, parties[person_id]))
    db.flush()
    return case, rows


def _seed_records(db, settings, staff, case, rows, vault) -> None:
    prosecutor = actor_of(staff["prosecutor"])
    wco = actor_of(staff["wco"])
    today = _today()
    defendant = defendants_of(db, case)[0]
    for kind, on in (
        (EventKind.FIRST_HEARING, today - timedelta(days=60)),
        (EventKind.TRIAL_LISTING, today - timedelta(days=40)),
    ):
        record(db, settings, staff["prosecutor"], case, kind, ends_all=False, on=on)
    from portal.cases.service import NewEvent, record_event

    record_event(
        db,
        vault,
        prosecutor,
        case,
        NewEvent(
            kind=EventKind.PLEA,
            event_date=today - timedelta(days=3),
            defendant_id=defendant.id,
            outcome="not_guilty",
            notes=f"{rows[0][0].name} was in court for the plea",
        ),
    )
    for k, person, party in rows:
        text = f"Spoke to {k.name} at {k.values['address']} on {k.values['phone']}"
        safeguards.record_needs_assessment(
            db,
            vault,
            wco,
            case,
            party,
            person,
            safeguards.NeedsInput(
                needs={
                    kind: safeguards.Need(True, text)
                    if kind == "medical"
                    else safeguards.Need(False)
                    for kind, _ in safeguards.NEED_KINDS
                },
                notes=text,
                assessed_on=today - timedelta(days=10),
                risk_level="high",
            ),
        )
        safeguards.add_action(
            db,
            vault,
            wco,
            case,
            party,
            person,
            description=f"Call {k.name} on {k.values['phone']}",
            owner_id=staff["wco"].id,
            due_on=today + timedelta(days=5),
        )
        safeguards.add_referral(
            db,
            wco,
            case,
            party,
            person,
            service="victim_support",
            referred_on=today - timedelta(days=9),
            consent_given=True,
            consent_on=today - timedelta(days=9),
        )
        documents.upload(
            db,
            vault,
            wco,
            case,
            person,
            kind="statement",
            filename=f"statement-{k.token.lower()}.txt",
            data=f"Statement of {k.name}, {k.values['address']}\n".encode(),
        )
        if k.witness:
            application = sm.identify(
                db, wco, case, party, person, measures=("s23", "s24"), request_now=True
            )
            sm.save_assessment(
                db,
                vault,
                wco,
                case,
                party,
                person,
                sm.AssessmentCommand(
                    source="witness_care_unit",
                    hearing_on=None,
                    details=sm.AssessmentDetails(
                        fear_or_distress=True, factors=("offence",), views=text
                    ),
                ),
            )
            sm.save_draft(
                db,
                vault,
                prosecutor,
                application,
                person,
                sm.Draft(
                    measures=("s23", "s24"),
                    hearing_wanted=False,
                    live_link_location=f"The suite near {k.values['address']}",
                    grounds=f"{k.name} is frightened",
                    quality_reasons=text,
                    witness_views=f"{k.name} wants a screen",
                    late_reason=text,
                ),
            )
        if k.sealed:
            anonymity.draft_application(
                db,
                vault,
                prosecutor,
                case,
                person,
                condition_a=f"{k.name} of {k.values['address']} was threatened",
                condition_b="The defence can test the evidence.",
                condition_c=f"{k.name} will not testify otherwise.",
                considerations=text,
                measures=["pseudonym", "screening"],
            )
        elif k.child:
            anonymity.add_restriction(
                db,
                wco,
                case,
                person,
                kind="soaa_1992",
                starts_on=today - timedelta(days=200),
                ends_on=None,
                court_reference="T2025/1234",
            )
    for obligation in db.scalars(select(Obligation).where(Obligation.case_id == case.id)):
        k = next(k for k, _, party in rows if party.id == obligation.case_party_id)
        actor = wco if obligation.responsible_body == "witness_care_unit" else None
        if actor is None or obligation.state != "open":
            continue
        lifecycle.mark_met(
            db,
            vault,
            actor,
            obligation,
            met_on=today,
            channel="phone",
            evidence=f"Told {k.name} on {k.values['phone']}",
            expected_version=obligation.version,
        )
    db.flush()


def _seed_letters(db, settings, staff, case, rows) -> None:
    """Discontinue the case: VLU decision letters for its victims, drafted by the VLU."""
    event, _ = record(db, settings, staff["prosecutor"], case, EventKind.DISCONTINUANCE)
    decision = decision_of(db, event)
    vault = vault_for(db, settings)
    named = ", ".join(k.name for k, _, _ in rows)
    vlu.supply_reasons(
        db,
        vault,
        actor_of(staff["prosecutor"]),
        decision,
        reasons=f"The evidence of {named} could not be used.",
        meeting_offered=True if decision.meeting_required else None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    for request, person in requests_of(db, decision):
        body = vlu.first_draft(
            vault,
            request=request,
            decision=decision,
            case=case,
            person=person,
            reasons=f"The evidence of {named} could not be used.",
            officer_name="Grace Lewis",
        )
        vlu.save_draft(
            db,
            vault,
            actor_of(staff["vlu"]),
            request,
            decision,
            person,
            body=body,
            expected_version=request.version,
        )


@pytest.fixture
def world(db, settings):
    staff = {
        "prosecutor": make_user(db, role=Role.PROSECUTOR, display_name="Priya Prosecutor"),
        "wco": make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wendy Carer"),
        "vlu": make_user(db, role=Role.VLU_OFFICER, display_name="Grace Lewis"),
        "auditor": make_user(db, role=Role.AUDITOR, area=None, unit=None, display_name="Alex"),
    }
    people = known_people()
    today = _today()
    vault = vault_for(db, settings)
    case_a, rows_a = _seed_case(
        db, settings, staff, "a", people["a"], ("MSA2015-S2", "FA2006-S2"), today - timedelta(300)
    )
    case_b, rows_b = _seed_case(
        db, settings, staff, "b", people["b"], ("SOA2003-S48",), today - timedelta(200)
    )
    for case, rows in ((case_a, rows_a), (case_b, rows_b)):
        _seed_records(db, settings, staff, case, rows, vault)
    for _, person, party in rows_a[:1]:
        safeguards.add_nrm_decision(
            db,
            actor_of(staff["wco"]),
            case_a,
            party,
            person,
            stage="referral",
            outcome="",
            decided_on=today - timedelta(days=100),
        )
    _seed_letters(db, settings, staff, case_b, rows_b)
    auditor = Actor(staff["auditor"].id, Role.AUDITOR)
    quality.draw(db, auditor, size=3)
    db.commit()
    return {
        "staff": staff,
        "cases": [case_a, case_b],
        "people": [k for group in people.values() for k in group],
        "person_ids": [p.id for _, p, _ in rows_a + rows_b],
        "references": [p.reference for _, p, _ in rows_a + rows_b],
    }


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
        if method == "GET" and not route.access.public and route.access.allows(Role.AUDITOR)
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
    """A control: the case's prosecutor sees the unsealed names on the case pages, and the free
    text naming a sealed witness on their anonymity application."""
    prosecutor = client_as(app, db, world["staff"]["prosecutor"])
    pages = " ".join(prosecutor.get(f"/cases/{case.id}").text for case in world["cases"])
    plain = [k for k in world["people"] if not k.sealed and not k.business]
    sealed = [k for k in world["people"] if k.sealed]
    assert plain and all(k.name in pages for k in plain)
    assert sealed and not any(k.name in pages for k in sealed)
    case_id, application_id = db.execute(
        select(AnonymityApplication.case_id, AnonymityApplication.id)
    ).first()
    db.commit()
    application = prosecutor.get(f"/cases/{case_id}/anonymity/{application_id}").text
    assert any(k.name in application for k in sealed)


def _route_name(app, path: str) -> str | None:
    scope = {"type": "http", "path": path, "method": "GET"}
    for route in app.routes:
        if isinstance(route, PortalRoute) and route.matches(scope)[0] is Match.FULL:
            return route.name
    return None
