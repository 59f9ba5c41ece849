"""Issue 12 point 7: every number a request carries is parsed in one place, with bounds.

A bad number in a link or hidden field (``page``, ``before``, ``version``, a compliance key) is
answered with the GOV.UK 400 page; a bad number a user typed gets the form's own error message.
Never a 500.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.cases.reference import EventKind
from portal.victims_code.models import Obligation
from portal.vlu.models import VluDecision, VluRequest
from portal.web.params import BadParameter, int_param, whole_number
from tests.support.factories import add_person, make_case, make_user
from tests.support.vlu import add_victims, record, victim
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as

# From the security test: non-ASCII digits (they pass str.isdigit), a number past SQLite's
# 64-bit integers, not a number at all; and their neighbours.
BAD_NUMBERS = ["²", "١٢", "99999999999999999999999", "x", "-1", "1.5", " 1", "1e3"]
PROBLEM_PAGE = "Sorry, there is a problem with that request"
REASONS = "We looked again at all the evidence. There is not enough evidence to go on."


def is_problem_page(response) -> bool:
    page = soup(response.text)
    return (
        response.status_code == 400
        and page.select_one("h1") is not None
        and page.select_one("h1").get_text(strip=True) == PROBLEM_PAGE
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("007", 7),
        ("1200", 1200),
        ("1201", None),
        ("", None),
        *((bad, None) for bad in BAD_NUMBERS),
        ("1" * 19, None),
        ("١", None),
        ("７", None),
    ],
)
def test_whole_number_takes_ascii_digits_within_bounds(text: str, expected: int | None) -> None:
    assert whole_number(text, low=0, high=1200) == expected


def test_int_param_defaults_when_absent_and_refuses_anything_else() -> None:
    assert int_param(None, 1, low=1, high=9) == 1
    assert int_param("", None, low=1, high=9) is None
    assert int_param("3", 1, low=1, high=9) == 3
    for bad in [*BAD_NUMBERS, "0", "10"]:
        with pytest.raises(BadParameter) as refused:
            int_param(bad, 1, low=1, high=9)
        assert refused.value.status_code == 400


# --- the web: every route that reads a number --------------------------------------------------


@pytest.fixture
def world(db, settings):
    users = {
        "prosecutor": make_user(db, role=Role.PROSECUTOR),
        "vlu": make_user(db, role=Role.VLU_OFFICER),
        "auditor": make_user(db, role=Role.AUDITOR, area=None, unit=None),
    }
    case = make_case(
        db, settings, prosecutor=users["prosecutor"], offences=("FA2006-S2",), urn="01NP0000001"
    )
    add_victims(db, settings, case, users["prosecutor"], [victim("Nia Number")])
    witness, _ = add_person(
        db, settings, case, name="Wes Witness", actor_user=users["prosecutor"], is_witness=True
    )
    event, _ = record(db, settings, users["prosecutor"], case, EventKind.DISCONTINUANCE)
    db.commit()
    decision = db.scalars(select(VluDecision).where(VluDecision.event_id == event.id)).one()
    request = db.scalars(select(VluRequest).where(VluRequest.decision_id == decision.id)).first()
    obligation = db.scalars(select(Obligation).order_by(Obligation.due_on)).first()
    db.commit()
    assert request is not None and obligation is not None
    return {
        **users,
        "case": case,
        "witness": witness,
        "decision": decision,
        "request": request,
        "obligation": obligation,
    }


def page_urls(world) -> dict[str, list[str]]:
    """Every page that reads a number from its query string, by who can see it."""
    case = world["case"]
    decision = world["decision"]
    return {
        "prosecutor": [
            "/cases?page={n}",
            f"/cases/{case.id}?page={{n}}",
            "/search?urn=01NP&page={n}",
            f"/cases/{case.id}/special-measures?page={{n}}",
            "/vlu?page={n}",
            f"/vlu/cases/{case.id}/decisions/{decision.id}?page={{n}}",
        ],
        "vlu": ["/work?page={n}", "/home?page={n}"],
        "auditor": [
            "/audit?before={n}",
            "/compliance/obligations?by=right&bucket=overdue&key={n}",
            "/compliance/obligations?by=entitlement&bucket=overdue&page={n}",
        ],
    }


def test_every_page_that_reads_a_number_answers_400_for_a_bad_one(app, db, world) -> None:
    checked = 0
    for who, urls in page_urls(world).items():
        client = client_as(app, db, world[who])
        for url in urls:
            good = client.get(url.format(n="1"))
            assert good.status_code == 200, (url, good.status_code)
            beyond = client.get(url.format(n="99999"))  # past the end: an empty page, not 5xx
            assert beyond.status_code == 200, (url, beyond.status_code)
            for bad in BAD_NUMBERS:
                response = client.get(url.format(n=bad))
                assert is_problem_page(response), (url, bad, response.status_code)
                checked += 1
    assert checked == 11 * len(BAD_NUMBERS)


def test_my_work_page_zero_and_past_the_bound_are_refused(app, db, world) -> None:
    client = client_as(app, db, world["vlu"])
    for value in ("0", "100001"):
        assert is_problem_page(client.get(f"/work?page={value}")), value


def _post(client: TestClient, page: str, action: str, data: dict, **kw):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False, **kw)


def version_forms(world) -> list[tuple[str, str, str, dict[str, str]]]:
    """(who, the page with the form, its action, otherwise valid fields) for forms that send a
    hidden ``version``: obligation actions, VLU reasons and drafts, a person's details."""
    case, obligation, request = world["case"], world["obligation"], world["request"]
    detail = f"/obligations/{obligation.id}"
    decision_page = f"/vlu/cases/{case.id}/decisions/{world['decision'].id}"
    request_page = f"/vlu/cases/{case.id}/requests/{request.id}"
    witness = f"/cases/{case.id}/people/{world['witness'].id}"
    return [
        ("vlu", detail, f"{detail}/met", {"when": "today", "channel": "letter"}),
        ("vlu", detail, f"{detail}/close", {"state": "not_applicable", "reason": "Moved away"}),
        ("vlu", detail, f"{detail}/reopen", {}),
        ("prosecutor", decision_page, f"{decision_page}/reasons", {"reasons": REASONS}),
        ("vlu", request_page, f"{request_page}/draft", {"body": "Dear Nia Number, " + REASONS}),
        ("prosecutor", f"{witness}/edit", f"{witness}/edit", {"full_name": "Wes Witness"}),
        ("prosecutor", f"{witness}/contact", f"{witness}/contact", {"phone": "07700 900111"}),
    ]


@pytest.mark.parametrize("bad", ["x", "²", "99999999999999999999999", "-1"])
def test_every_form_with_a_version_answers_400_for_a_bad_one(app, db, world, bad) -> None:
    clients: dict[str, TestClient] = {}
    for who, page, action, data in version_forms(world):
        client = clients.setdefault(who, client_as(app, db, world[who]))
        response = _post(client, page, action, {**data, "version": bad})
        assert is_problem_page(response), (action, bad, response.status_code)


def test_the_people_search_page_button_is_a_bounded_number(app, db, world) -> None:
    client = client_as(app, db, world["prosecutor"])
    search = {"name": "Wes Witness", "page": "1"}
    assert _post(client, "/search", "/search", search).status_code == 200
    past_the_end = _post(client, "/search", "/search", {**search, "page": "500"})
    assert past_the_end.status_code == 200  # the results shrank: the last page is shown
    assert "Wes Witness" in text_of(past_the_end.text)
    for bad in BAD_NUMBERS:
        response = _post(client, "/search", "/search", {**search, "page": bad})
        assert is_problem_page(response), (bad, response.status_code)


def test_numbers_a_user_types_get_the_forms_own_error_message(app, db, world) -> None:
    auditor = client_as(app, db, world["auditor"])
    prosecutor = client_as(app, db, world["prosecutor"])
    case = world["case"]
    today = date.today()
    typed_wrong = [bad for bad in BAD_NUMBERS if bad == bad.strip()]  # typed text is trimmed
    for bad in [*typed_wrong, "0", "201"]:
        drawn = _post(auditor, "/compliance/quality", "/compliance/quality", {"size": bad})
        assert drawn.status_code == 400, bad
        assert "Enter a sample size between 1 and 200" in text_of(drawn.text), bad
    for bad in typed_wrong:
        event = {
            "kind": "sentence",
            "event_date-day": str(today.day),
            "event_date-month": str(today.month),
            "event_date-year": str(today.year),
            "sentence-custody_months": bad,
        }
        page = f"/cases/{case.id}/events/new"
        sentenced = _post(prosecutor, page, page, event)
        assert sentenced.status_code == 400, bad
        assert "whole months" in text_of(sentenced.text), bad
        for part in ("day", "month", "year"):
            wrong_date = {**event, "sentence-custody_months": "", f"event_date-{part}": bad}
            dated = _post(prosecutor, page, page, wrong_date)
            assert dated.status_code == 400, (part, bad)
            assert "Date of the event must be a real date" in text_of(dated.text), (part, bad)


DIGIT_TESTS = {"isdigit", "isdecimal", "isnumeric"}
REQUEST_WORDS = ("ctx", "field", "param", "raw", "request", "form", "values", "query", "source")


def test_no_route_reads_a_number_any_other_way() -> None:
    """The one place: no route module parses a request's number itself."""
    import ast
    from pathlib import Path

    portal = Path(__file__).parents[2] / "portal"
    offenders = []
    for path in portal.rglob("*routes.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in DIGIT_TESTS:
                offenders.append(f"{path.relative_to(portal)}:{node.lineno} .{func.attr}()")
            if isinstance(func, ast.Name) and func.id == "int" and node.args:
                source = ast.unparse(node.args[0])
                if any(word in source for word in REQUEST_WORDS):
                    offenders.append(f"{path.relative_to(portal)}:{node.lineno} int({source})")
    assert offenders == []
