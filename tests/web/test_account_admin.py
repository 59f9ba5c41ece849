"""Staff accounts: one administrator asks, a different one approves, the new user chooses their
own password with a one-time code, and every account event is in the hash-chained log."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from portal.accounts import models
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.clock import utc_now
from tests.support.factories import PASSWORD, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_sign_in import attempt

CHOSEN = "a password the administrator picked"
NEW_PASSWORD = "tundra orchid velvet semaphore"
CODE = re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){6}\b")


@pytest.fixture
def admins(app, db):
    first = make_user(db, role=Role.ADMIN, display_name="Asha Asker", area=None, unit=None)
    second = make_user(db, role=Role.ADMIN, display_name="Bo Approver", area=None, unit=None)
    db.commit()
    return {
        "first": first,
        "second": second,
        "asker": client_as(app, db, first),
        "approver": client_as(app, db, second),
    }


def ask_for(client: TestClient, **fields: str):
    token = csrf_from(client.get("/admin/users/new").text)
    form = {"display_name": "Jordan Example", "username": "jordan.example", "role": "auditor"}
    form.update(fields)
    return client.post("/admin/users/new", data={"csrf_token": token, **form})


def pending_request(db) -> models.AccountRequest:
    request = db.scalars(select(models.AccountRequest)).one()
    db.commit()
    return request


def decide(client: TestClient, request_id, decision: str | None):
    page = client.get(f"/admin/account-requests/{request_id}")
    data = {"csrf_token": csrf_from(page.text)}
    if decision is not None:
        data["decision"] = decision
    return client.post(f"/admin/account-requests/{request_id}", data=data)


def set_up(client: TestClient, code: str, password: str):
    token = csrf_from(client.get("/account/set-up").text)
    return client.post(
        "/account/set-up",
        data={"csrf_token": token, "code": code, "password": password},
        follow_redirects=False,
    )


def account_events(db) -> list[AuditEvent]:
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("account.%")).order_by(AuditEvent.seq)
    ).all()
    db.commit()
    return list(rows)


def test_one_administrator_alone_cannot_make_an_account_that_signs_in(app, db, admins) -> None:
    # The old form let an administrator choose an auditor's password and sign in with it.
    response = ask_for(admins["asker"], password=CHOSEN)
    assert db.scalar(select(func.count()).select_from(User)) == 2  # just the two administrators
    db.commit()
    assert attempt(TestClient(app), "jordan.example", CHOSEN).status_code == 400
    assert response.status_code == 200
    assert "Another administrator must approve it" in text_of(response.text)
    request = pending_request(db)
    assert (request.state, request.role, request.requested_by_id) == (
        "pending",
        "auditor",
        admins["first"].id,
    )
    # Nothing on the form asks for a password any more.
    form = soup(admins["asker"].get("/admin/users/new").text)
    assert form.select('input[type="password"]') == []
    # The requester can look at the request but has no way to approve it ...
    own = admins["asker"].get(f"/admin/account-requests/{request.id}")
    assert "A different administrator must approve or refuse it" in text_of(own.text)
    assert soup(own.text).select('input[name="decision"]') == []
    # ... and posting a decision anyway is refused, leaving the request pending.
    assert decide(admins["asker"], request.id, "approve").status_code == 403
    assert pending_request(db).state == "pending"
    assert db.scalar(select(func.count()).select_from(User)) == 2
    db.commit()


def test_a_second_administrator_approves_and_the_user_chooses_their_password(
    app, db, admins
) -> None:
    ask_for(admins["asker"])
    request = pending_request(db)
    # The approver sees who asked, when, and exactly what is being approved; nothing chosen.
    review = admins["approver"].get(f"/admin/account-requests/{request.id}")
    shown = text_of(review.text)
    for expected in ("Jordan Example", "jordan.example", "Auditor", "Asha Asker"):
        assert expected in shown
    assert re.search(r"Asked on \d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m", shown)
    radios = soup(review.text).select('input[name="decision"]')
    assert len(radios) == 2 and not any(r.has_attr("checked") for r in radios)
    unanswered = decide(admins["approver"], request.id, None)
    assert unanswered.status_code == 400
    assert "Select whether to approve or refuse this request" in text_of(unanswered.text)

    approved = decide(admins["approver"], request.id, "approve")
    assert approved.status_code == 200
    match = CODE.search(text_of(approved.text))
    assert match, text_of(approved.text)
    code = match.group(0)
    user = db.scalars(select(User).where(User.username == "jordan.example")).one()
    stored = db.scalars(select(models.SetupCode)).one()
    db.commit()
    assert (user.role, user.is_active, user.has_password) == ("auditor", True, False)
    # Only a hash of the code is stored, and it is at least 128 bits.
    assert len(code.replace("-", "")) * 5 >= 128
    assert stored.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert stored.expires_at - stored.issued_at == timedelta(hours=24)
    # The administrator who asked never sees the code.
    assert code not in admins["asker"].get("/admin/users").text
    # Until it is set up, the account cannot sign in with anything.
    assert attempt(TestClient(app), "jordan.example", PASSWORD).status_code == 400

    newcomer = TestClient(app)
    short = set_up(newcomer, code.lower(), "too short")
    assert short.status_code == 400
    assert "Password must be 15 characters or more" in text_of(short.text)
    assert soup(short.text).select_one("#code")["value"] == code.lower()  # typed code kept
    done = set_up(newcomer, code.lower(), NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login?ready=1"
    assert "Your password is set" in text_of(newcomer.get("/login?ready=1").text)
    assert set_up(TestClient(app), code, "another long password here").status_code == 400
    assert attempt(TestClient(app), "jordan.example", NEW_PASSWORD).status_code == 303

    events = account_events(db)
    assert [e.action for e in events] == [
        "account.requested",
        "account.approved",
        "account.created",
        "account.setup_code_issued",
        "account.sign_in_failed",  # before it was set up
        "account.setup_completed",
        "account.signed_in",
    ]
    assert [e.actor_id for e in events] == [
        admins["first"].id,
        admins["second"].id,
        admins["second"].id,
        admins["second"].id,
        None,
        user.id,
        user.id,
    ]
    assert {e.object_id for e in events[2:]} == {str(user.id)}
    assert events[2].purpose == "second_approval"
    assert {e.category for e in events} == {"security"}
    everything = " ".join(str(v) for e in events for v in vars(e).values())
    for secret in (code, code.replace("-", ""), NEW_PASSWORD, "jordan.example", "Jordan"):
        assert secret not in everything


def test_a_set_up_code_expires_and_only_another_administrator_can_issue_a_new_one(
    app, db, admins, settings
) -> None:
    ask_for(admins["asker"], role="prosecutor", area="london-north", unit="ccu")
    request = pending_request(db)
    approved = decide(admins["approver"], request.id, "approve")
    code = CODE.search(text_of(approved.text)).group(0)
    user = db.scalars(select(User).where(User.username == "jordan.example")).one()
    assert (user.area, user.unit) == ("london-north", "ccu")
    db.execute(update(models.SetupCode).values(expires_at=utc_now() - timedelta(seconds=1)))
    db.commit()
    expired = set_up(TestClient(app), code, NEW_PASSWORD)
    assert expired.status_code == 400
    assert "This set-up code does not work" in text_of(expired.text)

    # The administrator who asked for the account cannot get a code for it ...
    users_page = admins["asker"].get("/admin/users")
    assert "New set-up code" not in text_of(users_page.text)
    token = csrf_from(users_page.text)
    path = f"/admin/users/{user.id}/setup-code"
    assert admins["asker"].post(path, data={"csrf_token": token}).status_code == 403
    # ... another one can; the new code works and the old one stays dead.
    token = csrf_from(admins["approver"].get("/admin/users").text)
    reissued = admins["approver"].post(path, data={"csrf_token": token})
    new_code = CODE.search(text_of(reissued.text)).group(0)
    assert new_code != code
    assert set_up(TestClient(app), code, NEW_PASSWORD).status_code == 400
    assert set_up(TestClient(app), new_code, NEW_PASSWORD).status_code == 303
    # Once the user has a password, no administrator can issue a code to take the account over.
    token = csrf_from(admins["approver"].get("/admin/users").text)
    assert admins["approver"].post(path, data={"csrf_token": token}).status_code == 403


def test_no_administrator_can_take_over_an_existing_account(app, db, admins) -> None:
    auditor = make_user(db, role=Role.AUDITOR, area=None, unit=None)
    db.commit()
    for client in (admins["asker"], admins["approver"]):
        token = csrf_from(client.get("/admin/users").text)
        refused = client.post(f"/admin/users/{auditor.id}/setup-code", data={"csrf_token": token})
        assert refused.status_code == 403
    assert db.scalar(select(func.count()).select_from(models.SetupCode)) == 0
    db.commit()


def test_refusing_creates_nothing_and_frees_the_username(app, db, admins) -> None:
    ask_for(admins["asker"])
    again = ask_for(admins["asker"])
    assert again.status_code == 400
    assert "already exists or has been asked for" in text_of(again.text)
    request = pending_request(db)
    refused = decide(admins["approver"], request.id, "refuse")
    assert "Request refused" in text_of(refused.text)
    assert db.scalar(select(func.count()).select_from(User)) == 2
    db.commit()
    assert decide(admins["approver"], request.id, "approve").status_code == 200  # a no-op
    assert db.scalar(select(func.count()).select_from(User)) == 2
    db.commit()
    assert ask_for(admins["asker"]).status_code == 200
    assert [e.action for e in account_events(db)] == [
        "account.requested",
        "account.refused",
        "account.requested",
    ]


def test_the_request_form_keeps_what_was_typed_and_says_what_is_missing(admins) -> None:
    response = ask_for(admins["asker"], display_name="", role="witness_care_officer")
    assert response.status_code == 400
    summary = soup(response.text).select_one(".govuk-error-summary")
    links = {a["href"]: a.get_text() for a in summary.select("a")}
    assert links == {
        "#display_name": "Enter the person's full name",
        "#area": "Select the Area this witness care officer works in",
        "#unit": "Select the unit this witness care officer works in",
    }
    page = soup(response.text)
    assert page.select_one("#username")["value"] == "jordan.example"
    assert page.select_one('input[value="witness_care_officer"]').has_attr("checked")


def test_deactivating_and_reactivating_are_audited(app, db, admins) -> None:
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    db.commit()
    client = admins["asker"]
    token = csrf_from(client.get("/admin/users").text)
    answers = {"csrf_token": token, "reason": "left", "confirm": "yes"}
    done = client.post(f"/admin/users/{officer.id}/deactivate", data=answers)
    assert done.status_code == 200 and "deactivated" in text_of(done.text)
    client.post(f"/admin/users/{officer.id}/activate", data={"csrf_token": token})
    own = client.post(f"/admin/users/{admins['first'].id}/deactivate", data=answers)
    assert own.status_code == 403
    events = [(e.action, e.actor_id, e.object_id) for e in account_events(db)]
    assert events == [
        ("account.deactivated", admins["first"].id, str(officer.id)),
        ("account.sessions_ended", admins["first"].id, str(officer.id)),  # issue 18 point 5
        ("account.reactivated", admins["first"].id, str(officer.id)),
    ]


def test_signing_in_and_out_is_audited_with_ids_only(app, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR, username="priya.audited")
    db.commit()
    client = TestClient(app)
    attempt(client, "priya.audited", "not the right password here")
    attempt(client, "nobody.at.all", "not the right password here")
    assert attempt(client, "priya.audited", PASSWORD).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})
    events = account_events(db)
    assert [(e.action, e.object_type) for e in events] == [
        ("account.sign_in_failed", "user_account"),
        ("account.sign_in_failed", "login_attempt"),
        ("account.signed_in", "user_account"),
        ("account.signed_out", "user_account"),
    ]
    assert events[0].object_id == str(user.id) and events[0].actor_id is None
    assert events[2].actor_id == events[3].actor_id == user.id
    everything = " ".join(str(v) for e in events for v in vars(e).values())
    assert "priya" not in everything and "nobody" not in everything


def test_a_throttled_sign_in_is_audited(app, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR)
    db.commit()
    client = TestClient(app)
    for n in range(10):
        attempt(client, user.username, f"wrong guess number {n} here")
    attempt(client, user.username, PASSWORD)
    events = account_events(db)
    assert [e.action for e in events].count("account.sign_in_failed") == 10
    assert events[-1].action == "account.sign_in_throttled"
    assert events[-1].object_id == str(user.id)


def test_accounts_made_at_the_console_are_audited(db) -> None:
    from portal.accounts import service

    user = service.create_user(
        db,
        username="Console.Admin",
        display_name="Console Admin",
        role=Role.ADMIN,
        password=NEW_PASSWORD,
        now=utc_now(),
    )
    service.set_password_as_operator(db, user=user, password=NEW_PASSWORD + " two", now=utc_now())
    db.commit()
    assert [(e.action, e.actor_id, e.object_id, e.purpose) for e in account_events(db)] == [
        ("account.created", None, str(user.id), "operator"),
        ("account.password_changed", None, str(user.id), "operator"),
    ]
