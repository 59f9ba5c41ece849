"""Sealed identities: the pseudonym everywhere, unmasking only with two people and a limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from portal.accounts.models import LoginAttempt, User
from portal.accounts.roles import Role
from portal.anonymity.models import UnmaskRequest
from portal.audit.models import AuditEvent
from portal.clock import utc_now
from portal.people.models import Person
from tests.support.factories import PASSWORD, add_person, make_case, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_case_pages import client_as
from tests.web.test_sign_in import attempt

CONDITIONS = {
    "condition_a": "Credible threats to the witness's safety from associates of the accused.",
    "condition_b": "The evidence can be tested without the name; it is not sole or decisive.",
    "condition_c": "The witness will not testify without the order.",
    "measures": ["withhold_name", "pseudonym", "screening"],
}


@pytest.fixture
def sealed(app, db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, display_name="First Prosecutor")
    second = make_user(db, role=Role.PROSECUTOR, display_name="Second Prosecutor")
    third = make_user(db, role=Role.PROSECUTOR)  # no unmask permission
    prosecutor.may_unmask = True
    second.may_unmask = True
    prosecutor.may_approve = True  # the anonymity applications' second person
    second.may_approve = True
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("MDA1971-S4",))
    case.prosecutor_id = prosecutor.id
    person, _ = add_person(
        db,
        settings,
        case,
        name="Ozymandias Canarybird",
        actor_user=prosecutor,
        address="1 Hidden Lane",
    )
    db.commit()
    pros = client_as(app, db, prosecutor)
    page = pros.get(f"/cases/{case.id}/people/{person.id}/anonymity")
    response = pros.post(
        f"/cases/{case.id}/people/{person.id}/anonymity/apply",
        data={"csrf_token": csrf_from(page.text), **CONDITIONS},
    )
    assert "identity is now sealed" in text_of(response.text)
    return {
        "prosecutor": prosecutor,
        "second": second,
        "third": third,
        "officer": officer,
        "case": case,
        "person": person,
        "pros": pros,
    }


def test_drafting_seals_the_identity_everywhere(app, db, sealed) -> None:
    case, person = sealed["case"], sealed["person"]
    stored = db.execute(
        select(Person.identity_sealed, Person.name_index, Person.dob_index).where(
            Person.id == person.id
        )
    ).one()
    db.commit()
    assert tuple(stored) == (True, None, None)
    officer = client_as(app, db, sealed["officer"])
    for url in (
        f"/cases/{case.id}",
        f"/cases/{case.id}/people/{person.id}",
        f"/cases/{case.id}/people/{person.id}/anonymity",
        "/home",
    ):
        body = officer.get(url).text
        assert "Canarybird" not in body, url
        assert "Hidden Lane" not in body, url
    page = officer.get(f"/cases/{case.id}/people/{person.id}")
    assert f"Witness {person.reference}" in page.text
    banner = soup(page.text).select_one(".portal-restrictions")
    assert banner is not None and "Identity sealed" in banner.get_text()


def test_editing_a_sealed_identity_is_refused(app, db, sealed) -> None:
    case, person = sealed["case"], sealed["person"]
    response = sealed["pros"].get(f"/cases/{case.id}/people/{person.id}/edit")
    assert response.status_code in (403, 200)
    assert "Canarybird" not in response.text


def unmask(
    client,
    case,
    person,
    *,
    reason="Court asks the prosecution to confirm identity",
    password=PASSWORD,
):
    base = f"/cases/{case.id}/people/{person.id}/anonymity"
    token = csrf_from(client.get(base).text)
    return client.post(
        base + "/unmask", data={"csrf_token": token, "reason": reason, "password": password}
    )


def approve(client, case, person, request_id, *, password=PASSWORD, decision="approve", comment=""):
    base = f"/cases/{case.id}/people/{person.id}/anonymity"
    token = csrf_from(client.get(base).text)
    return client.post(
        f"{base}/unmask/{request_id}",
        data={
            "csrf_token": token,
            f"password-{request_id}": password,
            f"decision-{request_id}": decision,
            f"comment-{request_id}": comment,
        },
    )


def test_unmasking_needs_reason_password_permission_and_a_second_person(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person, reason="").status_code == 400
    assert unmask(pros, case, person, password="wrong password entirely").status_code == 400
    assert unmask(client_as(app, db, sealed["officer"]), case, person).status_code == 403
    assert db.scalars(select(UnmaskRequest)).all() == []
    db.commit()
    assert unmask(pros, case, person).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    # Not yet approved: still the pseudonym.
    assert "Canarybird" not in pros.get(f"/cases/{case.id}/people/{person.id}").text
    # The requester cannot approve their own request.
    assert approve(pros, case, person, request.id).status_code == 403
    second = client_as(app, db, sealed["second"])
    assert approve(second, case, person, request.id, password="not my password").status_code == 400
    assert approve(second, case, person, request.id).status_code == 200
    shown = pros.get(f"/cases/{case.id}/people/{person.id}")
    assert "Ozymandias Canarybird" in shown.text
    # Only the requester sees it; the approver does not.
    assert "Canarybird" not in second.get(f"/cases/{case.id}/people/{person.id}").text
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action.like("unmask.%"))).all()
    db.commit()
    approved = [r for r in rows if r.action == "unmask.approve"]
    assert len(approved) == 1
    assert approved[0].category == "disclosure"
    assert approved[0].actor_id == sealed["second"].id
    assert approved[0].recipient == f"user:{sealed['prosecutor'].id}"
    # After the time limit the identity is sealed again.
    db.execute(update(UnmaskRequest).values(expires_at=utc_now() - timedelta(seconds=1)))
    db.commit()
    assert "Canarybird" not in pros.get(f"/cases/{case.id}/people/{person.id}").text


def test_approval_by_a_person_without_the_permission_fails(app, db, sealed) -> None:
    case, person = sealed["case"], sealed["person"]
    unmask(sealed["pros"], case, person)
    request = db.scalars(select(UnmaskRequest)).one()
    db.execute(update(User).where(User.id == sealed["second"].id).values(may_unmask=False))
    db.commit()
    second = client_as(app, db, sealed["second"])
    assert approve(second, case, person, request.id).status_code == 403


def test_application_states_and_second_person_approval(app, db, sealed) -> None:
    from portal.anonymity.models import AnonymityApplication

    case = sealed["case"]
    application = db.scalars(select(AnonymityApplication)).one()
    db.commit()
    base = f"/cases/{case.id}/anonymity/{application.id}"
    pros = sealed["pros"]
    own_page = pros.get(base).text
    # The author is not offered the approval (and is refused if they post it anyway).
    assert "Approve the application" not in text_of(own_page)
    token = csrf_from(own_page)
    own = pros.post(base + "/approve", data={"csrf_token": token, "decision": "approve"})
    assert own.status_code == 403  # the author cannot approve
    second = client_as(app, db, sealed["second"])
    to_approve = second.get(base).text
    # The approver sees who drafted it and when, beside exactly what is being applied for.
    assert "First Prosecutor on" in soup(to_approve).select_one("#drafted-by").get_text()
    assert "Approve the application" in text_of(to_approve)
    token2 = csrf_from(to_approve)
    ok = second.post(base + "/approve", data={"csrf_token": token2, "decision": "approve"})
    assert "recorded" in text_of(ok.text)
    served = pros.get(base + "/served")
    assert f"Witness {sealed['person'].reference}" in served.text
    assert "Canarybird" not in served.text
    assert "Drafted by" not in served.text and "Approved by" not in served.text
    assert pros.get(base + "/court").status_code == 403  # needs an approved unmask
    officer = client_as(app, db, sealed["officer"])
    token3 = csrf_from(officer.get(base).text)
    assert officer.post(base + "/serve", data={"csrf_token": token3}).status_code == 403


def test_wrong_passwords_on_the_unmask_form_are_throttled_and_logged(
    app, db, sealed, caplog
) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    prosecutor = sealed["prosecutor"]
    caplog.set_level("WARNING")
    for n in range(10):
        wrong = unmask(pros, case, person, password=f"a wrong password, guess {n}")
        assert wrong.status_code == 400
        assert "The password is not correct" in text_of(wrong.text)
    # Over the limit: not even the right password is checked, and the page says why.
    refused = unmask(pros, case, person)
    assert refused.status_code == 400
    summary = soup(refused.text).select_one(".govuk-error-summary")
    assert summary is not None and "wrong password too many times" in summary.get_text()
    assert db.scalars(select(UnmaskRequest)).all() == []
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("account.password_recheck%"))
    ).all()
    attempts = db.scalars(select(LoginAttempt)).all()
    db.commit()
    failed = [r for r in rows if r.action == "account.password_recheck_failed"]
    assert len(failed) == 10
    assert {(r.actor_id, r.object_id, r.purpose) for r in failed} == {
        (prosecutor.id, str(prosecutor.id), "unmask.request")
    }
    assert [r.action for r in rows].count("account.password_recheck_throttled") == 1
    assert len(attempts) == 10 and not any(a.succeeded for a in attempts)
    logged = [r.getMessage() for r in caplog.records if "password_recheck" in r.getMessage()]
    assert len(logged) == 11
    assert not any("wrong password" in line or PASSWORD in line for line in logged)
    # It is the sign-in count: signing in to this account is refused too.
    signing_in = attempt(TestClient(app), prosecutor.username, PASSWORD)
    assert "Too many attempts" in text_of(signing_in.text)


def test_the_approval_password_shares_the_same_count(app, db, sealed) -> None:
    case, person = sealed["case"], sealed["person"]
    assert unmask(sealed["pros"], case, person).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    second = client_as(app, db, sealed["second"])
    for n in range(10):
        wrong = approve(second, case, person, request.id, password=f"not it, guess {n}")
        assert wrong.status_code == 400
    refused = approve(second, case, person, request.id)
    assert refused.status_code == 400
    assert "wrong password too many times" in text_of(refused.text)
    assert db.get(UnmaskRequest, request.id).state == "pending"
    db.commit()


def test_the_unmask_approver_sees_who_when_why_and_what_and_must_choose(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    reason = "The court asks us to confirm the witness's identity before the hearing"
    assert unmask(pros, case, person, reason=reason).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    rid, reference, case_id, person_id = request.id, person.reference, case.id, person.id
    db.commit()
    base = f"/cases/{case_id}/people/{person_id}/anonymity"

    # The requester is not offered a decision on their own request, and is refused if they try.
    own = soup(pros.get(f"{base}/unmask/{rid}").text)
    assert own.select(f'input[name="decision-{rid}"]') == []
    assert "Waiting for a second person" in own.get_text()
    assert approve(pros, case, person, rid).status_code == 403

    second = client_as(app, db, sealed["second"])
    listed = soup(second.get(base).text).select_one("#unmask-requests").get_text(" ", strip=True)
    assert "Decide" in listed and "First Prosecutor" in listed
    page = soup(second.get(f"{base}/unmask/{rid}").text)
    shown = page.select_one(f"#unmask-request-{rid}").get_text(" ", strip=True)
    assert "First Prosecutor" in shown  # who asked
    assert "Asked on" in shown  # when
    assert reason in shown  # the reason given
    assert f"witness {reference}" in shown and "15 minutes" in shown  # what exactly
    assert "Canarybird" not in page.get_text()
    radios = page.select(f'input[name="decision-{rid}"]')
    assert [r["value"] for r in radios] == ["approve", "refuse", "return"]
    assert not any(r.has_attr("checked") for r in radios)  # nothing pre-selected

    # Choosing nothing is an error, not an approval.
    blank = approve(second, case, person, rid, decision="")
    assert blank.status_code == 400
    assert "Select whether you approve, refuse or return this request" in text_of(blank.text)
    link = soup(blank.text).select_one(".govuk-error-summary a")
    assert link["href"] == f"#decision-{rid}"
    assert db.scalar(select(UnmaskRequest.state).where(UnmaskRequest.id == rid)) == "pending"
    db.commit()

    # Refusing is recorded as a refusal; the identity stays sealed.
    assert approve(second, case, person, rid, decision="refuse").status_code == 200
    assert db.scalar(select(UnmaskRequest.state).where(UnmaskRequest.id == rid)) == "refused"
    db.commit()
    assert "Canarybird" not in pros.get(f"/cases/{case.id}/people/{person.id}").text
