"""Issue 18 point 6: users see where they are signed in, sign out elsewhere, and are told at
sign-in about failed attempts since they last signed in and about changes of second factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.accounts import notices
from portal.accounts.models import AccountNotice, AuthSession
from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.clock import format_london, utc_now
from tests.support.factories import PASSWORD, make_user
from tests.support.web import (
    csrf_from,
    pass_second_factor,
    sign_in,
    sign_in_password_only,
    soup,
    text_of,
)
from tests.web.test_sign_in import attempt

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def signed_in(app, username: str, user_agent: str) -> TestClient:
    """Signed in on a device: the password, then the second factor."""
    client = TestClient(app, headers={"User-Agent": user_agent})
    sign_in(client, username, PASSWORD)
    return client


def sessions_of(db, user) -> list[AuthSession]:
    rows = list(
        db.scalars(
            select(AuthSession)
            .where(AuthSession.user_id == user.id)
            .order_by(AuthSession.id)
            .execution_options(populate_existing=True)
        )
    )
    db.commit()
    return rows


def events(db, action: str) -> list[AuditEvent]:
    rows = list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))
    db.commit()
    return rows


def on_sign_in_page(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.fixture
def user(db):
    made = make_user(db, role=Role.WITNESS_CARE_OFFICER, username="sam.sessions")
    db.commit()
    return made


# --- the sessions page ----------------------------------------------------------------------


def test_the_page_lists_each_session_with_its_device_and_marks_this_one(app, db, user) -> None:
    laptop = signed_in(app, user.username, FIREFOX)
    phone = signed_in(app, user.username, SAFARI)
    page = laptop.get("/account/sessions")
    assert page.status_code == 200
    html = soup(page.text)
    rows = html.select("tbody tr")
    assert len(rows) == 2
    first, second = (" ".join(r.get_text(" ").split()) for r in rows)
    assert first.startswith("Firefox on Windows This device")
    assert "Safari on iPhone" in second
    stored = sessions_of(db, user)
    assert sorted(s.device or "" for s in stored) == ["Firefox on Windows", "Safari on iPhone"]
    for session in stored:
        assert format_london(session.created_at) in text_of(page.text)
    # Only the other session has a "Sign out" button; this one is signed out from the header.
    buttons = [b.get_text(" ", strip=True) for b in html.select("tbody button")]
    assert buttons == [f"Sign out of Safari on iPhone, last seen {format_london(stored_last(db))}"]
    assert html.select_one("button.govuk-button--warning").get_text(strip=True) == (
        "Sign out of all other sessions"
    )
    assert phone.get("/home").status_code == 200


def stored_last(db) -> object:
    iphone = db.scalars(select(AuthSession).where(AuthSession.device == "Safari on iPhone")).one()
    db.commit()
    return iphone.last_seen_at


def test_signing_out_another_session_ends_it_at_once_and_is_audited(app, db, user) -> None:
    laptop = signed_in(app, user.username, FIREFOX)
    phone = signed_in(app, user.username, SAFARI)
    assert phone.get("/home").status_code == 200
    other = next(s for s in sessions_of(db, user) if s.device == "Safari on iPhone")
    page = laptop.get("/account/sessions")
    done = laptop.post(
        f"/account/sessions/{other.id}/sign-out",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/account/sessions"
    after = laptop.get("/account/sessions")
    banner = soup(after.text).select_one(".govuk-notification-banner--success")
    assert banner is not None and "Signed out of that session" in banner.get_text()
    assert len(soup(after.text).select("tbody tr")) == 1
    assert on_sign_in_page(phone.get("/home", follow_redirects=False))
    audited = events(db, "account.session_signed_out")
    assert [(e.actor_id, e.object_type, e.object_id, e.purpose) for e in audited] == [
        (user.id, "auth_session", str(other.id), "signed_out_elsewhere")
    ]


def test_sign_out_of_all_other_sessions_keeps_this_one(app, db, user) -> None:
    here = signed_in(app, user.username, FIREFOX)
    others = [signed_in(app, user.username, SAFARI) for _ in range(2)]
    page = here.get("/account/sessions")
    assert len(soup(page.text).select("tbody tr")) == 3
    done = here.post(
        "/account/sessions/sign-out-others",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    for client in others:
        assert on_sign_in_page(client.get("/home", follow_redirects=False))
    after = here.get("/account/sessions")
    assert after.status_code == 200
    assert "Signed out of 2 other sessions" in text_of(after.text)
    assert soup(after.text).select_one("#no-other-sessions") is not None
    audited = events(db, "account.sessions_ended")
    assert [(e.actor_id, e.object_id, e.purpose) for e in audited] == [
        (user.id, str(user.id), "signed_out_elsewhere")
    ]


def test_nobody_signs_out_a_session_that_is_not_their_own_other_one(app, db, user) -> None:
    mine = signed_in(app, user.username, FIREFOX)
    stranger = make_user(db, role=Role.PROSECUTOR, username="someone.else")
    db.commit()
    theirs = signed_in(app, stranger.username, SAFARI)
    their_session = sessions_of(db, stranger)[0]
    my_session = sessions_of(db, user)[0]
    token = csrf_from(mine.get("/account/sessions").text)
    for target in (their_session.id, my_session.id):
        refused = mine.post(f"/account/sessions/{target}/sign-out", data={"csrf_token": token})
        assert refused.status_code == 404
    assert theirs.get("/home").status_code == 200
    assert mine.get("/home").status_code == 200
    # Without the CSRF token nothing is ended.
    assert mine.post("/account/sessions/sign-out-others", data={}).status_code == 403


def test_every_page_links_to_your_sessions(app, db, user) -> None:
    client = signed_in(app, user.username, FIREFOX)
    link = soup(client.get("/home").text).select_one("header a[href='/account/sessions']")
    assert link is not None and link.get_text(strip=True) == "Your sessions"


def test_a_session_from_an_unknown_browser_says_so(app, db, user) -> None:
    client = signed_in(app, user.username, "curl/8.5.0")
    assert "Unknown device" in text_of(client.get("/account/sessions").text)


# --- notices at sign-in ---------------------------------------------------------------------


def notice_banner(html: str) -> str | None:
    """The "Important" banner's text (a success banner, such as the factor step's, is another
    thing)."""
    banner = soup(html).select_one(".govuk-notification-banner")
    if banner is None or "govuk-notification-banner--success" in banner["class"]:
        return None
    return " ".join(banner.get_text(" ").split())


def test_failed_attempts_since_the_last_sign_in_are_told_on_the_next_page(app, db, user) -> None:
    first = signed_in(app, user.username, FIREFOX)
    assert notice_banner(first.get("/home").text) is None  # nothing failed before
    stranger = TestClient(app)
    for n in range(3):
        assert attempt(stranger, user.username, f"a wrong guess number {n}").status_code == 400
    client = TestClient(app, headers={"User-Agent": FIREFOX})
    sign_in_password_only(client, user.username, PASSWORD)
    factor_step = client.get("/second-factor")
    assert notice_banner(factor_step.text) is None  # not to a password alone
    pass_second_factor(client, user.username)
    landed = client.get("/home")
    banner = notice_banner(landed.text)
    assert banner is not None
    assert banner.startswith("Important")
    assert "3 failed sign-in attempts since you last signed in" in banner
    assert "If this was not you, contact your service desk." in banner
    # Told once.
    assert notice_banner(client.get("/home").text) is None
    # The failures were before this sign-in: the next one has nothing to tell.
    again = signed_in(app, user.username, FIREFOX)
    assert notice_banner(again.get("/home").text) is None
    stored = db.scalars(select(AccountNotice)).all()
    db.commit()
    assert [(n.kind, n.count, n.seen_at is not None) for n in stored] == [
        ("failed_sign_ins", 3, True)
    ]


def test_one_failed_attempt_is_counted_in_the_singular(app, db, user) -> None:
    signed_in(app, user.username, FIREFOX)  # the app is set up: later sign-ins type a code
    client = TestClient(app)
    attempt(client, user.username, "just one wrong password")
    sign_in(client, user.username, PASSWORD)
    banner = notice_banner(client.get("/home").text)
    assert banner is not None
    assert "1 failed sign-in attempt since you last signed in" in banner


def test_a_change_of_second_factor_is_told_at_the_next_sign_in(app, db, user) -> None:
    signed_in(app, user.username, FIREFOX)  # the app is set up: later sign-ins type a code
    changed_at = utc_now() - timedelta(hours=2)
    notices.add_notice(db, user_id=user.id, kind=notices.FACTOR_CHANGED, now=changed_at)
    db.commit()
    assert [n.kind for n in notices.notices_for(db, user.id)] == ["factor_changed"]
    db.commit()
    client = TestClient(app)
    sign_in(client, user.username, PASSWORD)
    banner = notice_banner(client.get("/home").text)
    assert banner is not None
    assert f"Your second factor was changed on {format_london(changed_at)}" in banner
    assert "failed sign-in" not in banner
    assert notices.notices_for(db, user.id) == []
    db.commit()


def test_the_message_puts_failures_first_and_the_latest_factor_change() -> None:
    now = utc_now()
    earlier = now - timedelta(days=1)
    message = notices.message_for(
        [
            notices.Notice(notices.FACTOR_CHANGED, earlier),
            notices.Notice(notices.FAILED_SIGN_INS, earlier, 2),
            notices.Notice(notices.FACTOR_CHANGED, now),
            notices.Notice(notices.FAILED_SIGN_INS, now, 1),
        ]
    )
    assert message == (
        "3 failed sign-in attempts since you last signed in. "
        f"Your second factor was changed on {format_london(now)}. "
        "If this was not you, contact your service desk."
    )
    assert notices.message_for([]) is None
    assert len(message) + len(notices.NOTICE_MARK) <= 200  # fits the session's message


def test_only_sessions_in_force_are_listed_and_counted(app, db, user) -> None:
    here = signed_in(app, user.username, FIREFOX)
    signed_in(app, user.username, SAFARI)
    stale = signed_in(app, user.username, SAFARI)
    assert stale.get("/home").status_code == 200
    newest = max(sessions_of(db, user), key=lambda s: s.created_at)
    db.execute(
        AuthSession.__table__.update()
        .where(AuthSession.id == newest.id)
        .values(last_seen_at=utc_now() - timedelta(hours=1))  # idle past the limit
    )
    db.commit()
    page = here.get("/account/sessions")
    assert len(soup(page.text).select("tbody tr")) == 2
    done = here.post(
        "/account/sessions/sign-out-others",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Signed out of 1 other session" in text_of(here.get("/account/sessions").text)
    assert all(s.revoked_at is not None for s in sessions_of(db, user) if s.device == SAFARI_SHORT)


SAFARI_SHORT = "Safari on iPhone"


def test_a_confirmation_after_an_unshown_notice_is_added_to_it_not_put_in_its_place() -> None:
    held = notices.NOTICE_MARK + "1 failed sign-in attempt since you last signed in."
    both = notices.adding_to_flash(held, "Signed in with a recovery code. You have 9 left")
    assert both.startswith(held) and both.endswith("You have 9 left.")
    assert notices.adding_to_flash("Saved", "Signed in") == "Signed in"
    assert notices.adding_to_flash(None, "Signed in") == "Signed in"
