"""Issue 19 point 6: bad input never gives a 500.

Every declared route with an unsafe method is posted generated values (NUL and other control
characters, huge and negative numbers, odd dates, long strings, invalid UTF-8, unusual unicode)
in every field of its form, by a signed-in user of a role that may use it, with a valid session
and CSRF token. The forms are found on the pages of a seeded world (so the ids in the paths are
real and the handlers get past "not found" to the parsing), and every GET form (the filters) is
sent the same values in its query string. Nothing may answer 5xx or raise.

Hypothesis draws the values, derandomized (the same examples on every run) and few per route,
so the test is stable in CI and quick on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.routing import Match
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.anonymity.models import AnonymityApplication
from portal.cases.models import CaseParty
from portal.compliance.models import QualitySample
from portal.special_measures.models import SpecialMeasuresApplication
from portal.victims_code.models import Obligation
from portal.vlu.models import VluDecision, VluRequest
from portal.web.routing import UNSAFE_METHODS, PortalRoute
from tests.support.factories import make_session_token, make_user
from tests.support.known_world import seed_known_world
from tests.support.web import csrf_from, soup
from tests.web.test_route_access import declared_routes
from tests.web.test_sealed_crawl import concrete

EXAMPLES_PER_FORM = 2
# Posting these would end the fuzzing client's own session (it is still posted, last).
ENDS_SESSION = {"logout"}

NASTY_TEXT = [
    "\x00",
    "a\x00b",
    "\x00" * 40,
    "\x01\x02\x1b[31m",
    "\ud800",
    "\udfff\ud800",
    "\ufffe\uffff",
    "\u202e\u200b\u2028\u2029",
    "𝕏" * 30,
    "١٢٣",
    "²",
    "0" * 25,
    "9" * 20,
    "-" + "9" * 20,
    "99999999999999999999999999999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "-1",
    "1e309",
    "NaN",
    "0001",
    "0000",
    "10000",
    "1/1/0001",
    "0001-01-01",
    "9999-12-31",
    "x" * 5000,
    "a" * 70_000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    "%s%n{0}",
    "   ",
    "",
]
# Bytes that are not UTF-8, sent as they are (percent-encoded in the body or query string).
NASTY_BYTES = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"abc\x80def", b"\xf4\x90\x80\x80", b"\x00"]


TYPED = {"text", "search", "email", "tel", "number", "password", "url"}
# One value per kind of trouble, each tried in every typed field at once, then in every field.
PROFILES = [
    "a\x00b",
    "\x1b[31m\x07\x0b\x0c 𝕏\u202e\u2028٣\ud800",
    "9" * 25,
    "x" * 70_000,
]
# The few also tried in every field at once (hidden ones and choices too).
EVERYWHERE = ["a\x00b", "9" * 25]
ODD_DATES = [("1", "1", "0001"), ("1" * 20, "1", "2024")]


@dataclass(frozen=True)
class Value:
    raw: bytes

    @staticmethod
    def of(text: str) -> Value:
        return Value(text.encode("utf-8", "surrogatepass"))


def hostile_values() -> st.SearchStrategy[Value]:
    return st.one_of(
        st.sampled_from(NASTY_TEXT).map(Value.of),
        st.sampled_from(NASTY_BYTES).map(Value),
        st.text(max_size=30).map(Value.of),
        st.integers(min_value=-(10**30), max_value=10**30).map(lambda n: Value.of(str(n))),
    )


def date_parts() -> st.SearchStrategy[tuple[str, str, str]]:
    """Odd dates for a GOV.UK date input: year 1, year 0, a 20-digit day, 31 February..."""
    odd = st.sampled_from(
        [
            ("1", "1", "0001"),
            ("1", "1", "0000"),
            ("1", "1", "1"),
            ("31", "12", "9999"),
            ("1" * 20, "1", "2024"),
            ("1", "9" * 20, "2024"),
            ("1", "1", "9" * 20),
            ("31", "2", "2024"),
            ("0", "0", "2024"),
            ("-1", "1", "2024"),
            ("\x00", "1", "2024"),
            ("١", "١", "٢٠٢٤"),
            ("1", "1", "1899"),
            ("31", "12", "2200"),
        ]
    )
    any_parts = st.tuples(*[st.integers(-(10**20), 10**20).map(str)] * 3)
    return st.one_of(st.just(("", "", "")), odd, any_parts)


@dataclass
class FoundForm:
    """One form on a page: where it goes, how, and its fields with the values shown."""

    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)  # names of GOV.UK date inputs (prefix-day...)
    typed: set[str] = field(default_factory=set)  # text boxes and text areas (what people type)


def forms_on(html: str, page_path: str) -> list[FoundForm]:
    found = []
    for form in soup(html).select("form"):
        method = (form.get("method") or "get").upper()
        action = str(form.get("action") or page_path)
        action = urlsplit(action).path or page_path
        found_form = FoundForm(method=method, action=action)
        for element in form.select("input[name], select[name], textarea[name]"):
            name = str(element["name"])
            if element.name == "select":
                chosen = element.select_one("option[selected]") or element.select_one("option")
                value = str(chosen.get("value", "")) if chosen else ""
            elif element.name == "textarea":
                value = element.get_text()
            elif element.get("type") in {"checkbox", "radio"}:
                if name in found_form.fields and not element.has_attr("checked"):
                    continue
                value = str(element.get("value", ""))
            else:
                value = str(element.get("value", ""))
            found_form.fields[name] = value
            if element.name == "textarea" or element.get("type", "text") in TYPED:
                found_form.typed.add(name)
            if name.endswith("-day"):
                found_form.dates.add(name[: -len("-day")])
        found.append(found_form)
    return found


def encode(pairs: Iterable[tuple[str, bytes]]) -> bytes:
    return "&".join(
        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v, safe='')}" for k, v in pairs
    ).encode("ascii")


def route_for(app: Any, method: str, path: str) -> PortalRoute | None:
    scope = {"type": "http", "path": path, "method": method}
    for route in app.routes:
        if isinstance(route, PortalRoute) and method in (route.methods or ()):
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
    return None


@pytest.fixture
def world(db, settings):
    seeded = seed_known_world(db, settings)
    seeded["staff"]["admin"] = make_user(db, role=Role.ADMIN, area=None, unit=None)
    seeded["target"] = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Target")
    db.commit()
    return seeded


def _path_values(db, world) -> dict[str, Any]:
    applications = [
        *db.scalars(select(SpecialMeasuresApplication.id)),
        *db.scalars(select(AnonymityApplication.id)),
    ]
    values = {
        "case_id": [str(c.id) for c in world["cases"]],
        "person_id": [str(p) for p in world["person_ids"]],
        "obligation_id": [str(o) for o in db.scalars(select(Obligation.id))],
        "application_id": [str(a) for a in applications],
        "sample_id": [str(s) for s in db.scalars(select(QualitySample.id))],
        "user_id": [str(world["target"].id)],
        "decision_id": [str(d) for d in db.scalars(select(VluDecision.id))],
        "request_id": [str(r) for r in db.scalars(select(VluRequest.id))],
        "pairs": [
            (str(c), str(p)) for c, p in db.execute(select(CaseParty.case_id, CaseParty.person_id))
        ],
    }
    db.commit()
    return values


class Fuzzer:
    def __init__(self, app, db, world) -> None:
        self.app = app
        self.failures: list[str] = []
        self.answers: dict[str, set[int]] = {}
        self.clients: dict[Role | None, TestClient] = {}
        self.tokens: dict[Role | None, str] = {}
        anonymous = TestClient(app, raise_server_exceptions=True)
        self.clients[None] = anonymous
        self.tokens[None] = csrf_from(anonymous.get("/login").text)
        for user in world["staff"].values():
            client = TestClient(app, raise_server_exceptions=True)
            client.cookies.set("portal_session", make_session_token(db, user))
            db.commit()
            self.clients[user.role_enum] = client
            self.tokens[user.role_enum] = csrf_from(client.get("/home").text)
        self.roles = [r for r in self.clients if r is not None]

    def role_for(self, route: PortalRoute) -> Role | None:
        if route.access.public:
            return None
        for role in self.roles:
            if route.access.allows(role):
                return role
        return None

    def send(self, role: Role | None, method: str, path: str, pairs: list[tuple[str, bytes]]):
        client = self.clients[role]
        shown = [(k, v[:40]) for k, v in pairs]
        label = f"{method} {path} as {role or 'anonymous'}: {shown!r}"[:700]
        try:
            if method == "GET":
                # A URL has a length limit of its own (the client's, the server's): keep under it.
                query = encode([(k, v[:1000]) for k, v in pairs]).decode("ascii")
                response = client.get(f"{path}?{query}", follow_redirects=False)
            else:
                token = ("csrf_token", self.tokens[role].encode())
                response = client.request(
                    method,
                    path,
                    content=encode([*pairs, token]),
                    headers={"content-type": "application/x-www-form-urlencoded"},
                    follow_redirects=False,
                )
        except Exception as error:  # an unhandled error is the 500 this test looks for
            self.failures.append(f"{label} raised {type(error).__name__}: {error}"[:900])
            return None
        name = route.name if (route := route_for(self.app, method, path)) else path
        self.answers.setdefault(name, set()).add(response.status_code)
        if response.status_code >= 500:
            self.failures.append(f"{label} answered {response.status_code}")
        return response

    def fuzz(self, role: Role | None, form: FoundForm, path: str) -> None:
        names = [n for n in form.fields if n != "csrf_token"]
        plain = [n for n in names if not any(n.startswith(f"{d}-") for d in form.dates)]
        defaults = [Value.of(form.fields[n]) for n in plain]

        def post(value: Value, mask: tuple[bool, ...], day: tuple[str, str, str]) -> None:
            pairs = [
                (n, value.raw if hostile else default.raw)
                for n, default, hostile in zip(plain, defaults, mask, strict=True)
            ]
            for prefix in sorted(form.dates):
                for part, text in zip(("day", "month", "year"), day, strict=True):
                    pairs.append((f"{prefix}-{part}", text.encode("utf-8", "surrogatepass")))
            self.send(role, form.method, path, pairs)

        @settings(
            max_examples=EXAMPLES_PER_FORM,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            value=hostile_values(),
            mask=st.tuples(*[st.booleans() for _ in plain]),
            day=date_parts(),
        )
        def run(value: Value, mask: tuple[bool, ...], day: tuple[str, str, str]) -> None:
            post(value, mask, day)

        typed = tuple(n in form.typed for n in plain)
        every = tuple(True for _ in plain)
        none = tuple(False for _ in plain)
        for n, text in enumerate(PROFILES):
            run = example(value=Value.of(text), mask=typed, day=ODD_DATES[n % 2])(run)
        for text in EVERYWHERE:
            run = example(value=Value.of(text), mask=every, day=("", "", ""))(run)
        run = example(value=Value(NASTY_BYTES[0]), mask=typed, day=("", "", ""))(run)
        for day in ODD_DATES if form.dates else ():  # an odd date alone, the rest as shown
            run = example(value=Value.of(""), mask=none, day=day)(run)
        run()


def _paths(route: PortalRoute, values: dict[str, list[str]], limit: int) -> list[str]:
    """Concrete paths for ``route``: a case and a person from the same case where it takes
    both (so the pages exist), every other parameter from ``values``."""
    names = list(route.param_convertors)
    if not {"case_id", "person_id"} <= set(names):
        return concrete(route, values, limit=limit)
    paths = []
    for case_id, person_id in values["pairs"]:
        path = re.sub(r"\{case_id(:[a-z]+)?\}", case_id, route.path)
        path = re.sub(r"\{person_id(:[a-z]+)?\}", person_id, path)
        for name in names:
            if name not in ("case_id", "person_id"):
                path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", values.get(name, ["x"])[0], path)
        paths.append(path)
    return paths


def _discover(
    fuzzer: Fuzzer, app, values, *, pages_per_route: int = 1, every_action: bool = False
) -> dict[tuple[str, str], tuple[Role | None, FoundForm]]:
    """The forms on the pages each role can reach in the world, by (method, action): one per
    route, or with ``every_action`` one per distinct action (each record's own form). Each GET
    route is shown up to ``pages_per_route`` times per role (records in different states show
    different forms)."""
    found: dict[tuple[str, str], tuple[Role | None, FoundForm]] = {}
    routes_found: set[str] = set()
    pages: list[list[tuple[str, Role | None]]] = [[("/login", None)], [("/account/set-up", None)]]
    for role in fuzzer.roles:
        for route, method in declared_routes(app):
            if method == "GET" and not route.access.public and route.access.allows(role):
                pages.append([(p, role) for p in _paths(route, values, limit=30)])
    for candidates in pages:
        shown = 0
        for path, role in candidates:
            if shown >= pages_per_route:
                break
            response = fuzzer.clients[role].get(path, follow_redirects=False)
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or "text/html" not in kind:
                continue
            shown += 1
            for form in forms_on(response.text, path):
                route = route_for(app, form.method, form.action)
                if route is None or (route.name in routes_found and not every_action):
                    continue
                if (form.method, form.action) not in found and route.access.allows(role):
                    found[(form.method, form.action)] = (role, form)
                    routes_found.add(route.name)
    return found


def test_no_generated_value_in_any_form_field_gets_a_5xx(app, db, world) -> None:
    fuzzer = Fuzzer(app, db, world)
    values = _path_values(db, world)
    discovered = _discover(fuzzer, app, values)
    posted: set[str] = set()
    every_name = sorted({n for _, form in discovered.values() for n in form.fields})
    ordered = sorted(discovered.items(), key=lambda item: _ends_session(app, item[0]))
    for (method, action), (role, form) in ordered:
        route = route_for(app, method, action)
        assert route is not None
        fuzzer.fuzz(role, form, action)
        posted.add(route.name)
    # A route whose form no seeded page shows is still posted every field name seen anywhere.
    unsafe = [(r, m) for r, m in declared_routes(app) if m in UNSAFE_METHODS]
    for route, method in sorted(unsafe, key=lambda pair: pair[0].name in ENDS_SESSION):
        if route.name in posted:
            continue
        role = fuzzer.role_for(route)
        generic = FoundForm(method=method, action="", fields=dict.fromkeys(every_name, ""))
        generic.dates = {n[: -len("-day")] for n in every_name if n.endswith("-day")}
        for path in concrete(route, values, limit=1)[:2]:
            fuzzer.fuzz(role, generic, path)
        posted.add(route.name)
    assert posted >= {route.name for route, _ in unsafe}
    assert len(discovered) > 30, sorted(discovered)  # the forms really were found
    # The handlers were really reached: most routes answered more than refusals.
    reached = {name for name, codes in fuzzer.answers.items() if codes - {400, 403, 404}}
    assert len(reached) >= 25, sorted(fuzzer.answers.items())
    assert fuzzer.failures == [], "\n".join(fuzzer.failures[:40])


def _ends_session(app, key: tuple[str, str]) -> bool:
    route = route_for(app, *key)
    return route is not None and route.name in ENDS_SESSION


def test_nul_in_a_username_or_a_filter_is_a_400_page_not_a_500(app, db) -> None:
    client = TestClient(app)
    token = csrf_from(client.get("/login").text)
    body = encode([("username", b"a\x00b"), ("password", b"x"), ("csrf_token", token.encode())])
    response = client.post(
        "/login", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert "there is a problem with that request" in response.text
    user = make_user(db, role=Role.PROSECUTOR)
    client.cookies.set("portal_session", make_session_token(db, user))
    db.commit()
    assert client.get("/cases?urn=%00").status_code == 400
    assert client.get("/cases?urn=%ED%A0%80x").status_code != 500  # arrives as U+FFFD
    assert client.get("/cases?urn=%FF").status_code == 200
