"""Issue 18 point 3: unmasking, approvals, exports of personal data, break-glass and factor
changes ask for the second factor again when the last proof is over 5 minutes old; the user is
returned to what they were doing, with what they typed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts import factors
from portal.accounts.models import AuthSession
from portal.accounts.roles import Role
from portal.clock import utc_now
from portal.keys.vault import KeyCache, Vault
from portal.web.routing import PortalRoute
from tests.support import totp
from tests.support.factories import make_session_token, make_user
from tests.support.web import csrf_from, soup, text_of

STEP_UP_ROUTES = {
    "anonymity_unmask",
    "anonymity_unmask_decide",
    "anonymity_action",  # only its "approve" action
    "person_document_override",
    "breakglass_request_save",
    "admin_request_decide",
    "admin_access_change_decide",
    "admin_user_deactivate",
    "admin_user_setup_code",
    "admin_user_activate",
    "compliance_export",
    "outcomes_review_csv",
    "vlu_not_sent_csv",
    "admin_factor_reset_request",
    "admin_factor_reset_decide",
    "audit_export",
    "account_passkey_register",
    "account_passkey_remove",
}


def enrolled_client(app: Starlette, db, settings, role: Role, *, minutes_ago: int) -> tuple:
    """A signed-in user with a factor set up, whose last proof was ``minutes_ago``."""
    user = make_user(db, role=role)
    vault = Vault(db, settings.key_provider(), KeyCache())
    totp.remember(user.username, factors.enrol_as_operator(db, vault, user, utc_now()))
    token = make_session_token(db, user)
    db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id)
        .values(factor_at=utc_now() - timedelta(minutes=minutes_ago))
    )
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return client, user


def test_the_step_up_routes_are_the_expected_ones(app: Starlette) -> None:
    named = {r.name for r in app.routes if isinstance(r, PortalRoute) and r.step_up}
    assert named == STEP_UP_ROUTES


def test_a_stale_export_asks_again_and_keeps_what_was_chosen(app, db, settings) -> None:
    client, user = enrolled_client(app, db, settings, Role.AUDITOR, minutes_ago=6)
    token = csrf_from(client.get("/compliance").text)
    typed = {"csrf_token": token, "by": "right", "from": "2026-01-01", "to": "2026-06-30"}
    asked = client.post("/compliance/export", data=typed)
    assert asked.status_code == 200
    assert "text/html" in asked.headers["content-type"]  # the prompt, not the file
    page = soup(asked.text)
    assert page.select_one("h1").get_text(strip=True) == "Confirm it is you"
    form = page.select_one("main form")
    assert form["action"] == "/compliance/export"
    kept = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert kept == {**typed, "csrf_token": kept["csrf_token"]}
    # A wrong code: the prompt again, with the error and what was typed.
    wrong = client.post("/compliance/export", data={**kept, "step_up_code": "000000"})
    assert wrong.status_code == 400
    assert soup(wrong.text).select_one(".govuk-error-summary a")["href"] == "#step_up_code"
    again = {i["name"]: i["value"] for i in soup(wrong.text).select("main form input[type=hidden]")}
    assert again["from"] == "2026-01-01" and again["by"] == "right"
    # The right code: the export itself, made from what was typed.
    done = client.post(
        "/compliance/export", data={**again, "step_up_code": totp.unused_code(user.username)}
    )
    assert done.status_code == 200
    assert done.headers["content-type"].startswith("text/csv")
    assert "compliance-by-right.csv" in done.headers["content-disposition"]
    # Proved just now: the next export goes straight through.
    direct = client.post("/compliance/export", data=typed)
    assert direct.headers["content-type"].startswith("text/csv")
    proved = db.scalar(select(AuthSession.factor_at).where(AuthSession.user_id == user.id))
    assert utc_now() - proved < timedelta(minutes=1)


def test_a_fresh_factor_is_not_asked_for(app, db, settings) -> None:
    client, _ = enrolled_client(app, db, settings, Role.AUDITOR, minutes_ago=4)
    token = csrf_from(client.get("/compliance").text)
    done = client.post("/compliance/export", data={"csrf_token": token, "by": "right"})
    assert done.headers["content-type"].startswith("text/csv")


def test_a_stale_download_page_asks_again_then_returns_to_it(app, db, settings) -> None:
    client, user = enrolled_client(app, db, settings, Role.PROSECUTOR, minutes_ago=10)
    asked = client.get("/outcomes/review.csv?by=area", follow_redirects=False)
    assert asked.status_code == 303
    location = asked.headers["location"]
    assert location == "/account/confirm-it-is-you?next=/outcomes/review.csv%3Fby%3Darea"
    prompt = client.get(location)
    assert "Confirm it is you" in text_of(prompt.text)
    data = {
        "csrf_token": csrf_from(prompt.text),
        "next": soup(prompt.text).select_one("input[name=next]")["value"],
        "step_up_code": totp.unused_code(user.username),
    }
    back = client.post("/account/confirm-it-is-you", data=data, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/outcomes/review.csv?by=area"
    assert client.get(back.headers["location"]).headers["content-type"].startswith("text/csv")


def test_a_step_up_code_works_once_too(app, db, settings) -> None:
    client, user = enrolled_client(app, db, settings, Role.AUDITOR, minutes_ago=6)
    code = totp.unused_code(user.username)
    token = csrf_from(client.get("/compliance").text)
    first = client.post(
        "/compliance/export", data={"csrf_token": token, "by": "right", "step_up_code": code}
    )
    assert first.headers["content-type"].startswith("text/csv")
    db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id)
        .values(factor_at=utc_now() - timedelta(minutes=6))
    )
    db.commit()
    replayed = client.post(
        "/compliance/export", data={"csrf_token": token, "by": "right", "step_up_code": code}
    )
    assert replayed.status_code == 400
    assert "used already" in text_of(replayed.text)


def test_an_htmx_request_gets_the_prompt_as_the_whole_page(app, db, settings) -> None:
    client, _ = enrolled_client(app, db, settings, Role.AUDITOR, minutes_ago=6)
    token = csrf_from(client.get("/compliance").text)
    asked = client.post(
        "/compliance/export",
        data={"csrf_token": token, "by": "right"},
        headers={"HX-Request": "true"},
    )
    assert asked.status_code == 200
    assert asked.headers["HX-Retarget"] == "body"
    form = soup(asked.text).select_one("main form")
    assert form["action"] == "/compliance/export" and not form.get("hx-post")


def test_a_stale_access_log_export_asks_again(app, db, settings) -> None:
    client, user = enrolled_client(app, db, settings, Role.AUDITOR, minutes_ago=6)
    token = csrf_from(client.get("/audit").text)
    asked = client.post("/audit/export", data={"csrf_token": token})
    assert asked.status_code == 200 and "text/html" in asked.headers["content-type"]
    assert soup(asked.text).select_one("h1").get_text(strip=True) == "Confirm it is you"
    kept = {i["name"]: i["value"] for i in soup(asked.text).select("main form input[type=hidden]")}
    done = client.post(
        "/audit/export", data={**kept, "step_up_code": totp.unused_code(user.username)}
    )
    assert done.headers["content-type"].startswith("text/csv")
