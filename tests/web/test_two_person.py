"""Two-person decisions (issue 16 points 1 and 2): the second person sees what they approve and
may approve, refuse or return with a comment; the requester sees the outcome and the expiry;
a witness care officer's request has its own approver rule; nobody decides their own."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.anonymity.models import AnonymityApplication, UnmaskRequest
from portal.audit.models import AuditEvent
from tests.support.factories import add_person, make_user
from tests.support.web import csrf_from, soup, text_of
from tests.web.test_anonymity import approve, unmask
from tests.web.test_anonymity import sealed as sealed  # the fixture
from tests.web.test_case_pages import client_as
from tests.web.test_vlu_pages import world  # noqa: F401  (fixture)


def _application_id(db):
    found = db.scalars(select(AnonymityApplication.id)).one()
    db.commit()
    return found


def _only_request(db) -> UnmaskRequest:
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    return request


def test_returning_needs_a_comment_and_the_requester_sees_it(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person).status_code == 200
    rid = _only_request(db).id
    second = client_as(app, db, sealed["second"])
    blank = approve(second, case, person, rid, decision="return")
    assert blank.status_code == 400
    assert "Enter a comment for the requester" in text_of(blank.text)
    comment = "Say which hearing needs the identity confirmed"
    done = approve(second, case, person, rid, decision="return", comment=comment)
    assert done.status_code == 200
    assert db.get(UnmaskRequest, rid).state == "returned"
    db.commit()
    base = f"/cases/{case.id}/people/{person.id}/anonymity"
    seen = text_of(pros.get(f"{base}/unmask/{rid}").text)
    assert "Returned with a comment" in seen and comment in seen
    assert "Second Prosecutor" in seen
    assert "Canarybird" not in pros.get(f"/cases/{case.id}/people/{person.id}").text
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(rid))).all()
    db.commit()
    assert "unmask.return" in actions


def test_the_requester_sees_the_approval_and_how_long_it_lasts(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person).status_code == 200
    rid = _only_request(db).id
    second = client_as(app, db, sealed["second"])
    assert approve(second, case, person, rid).status_code == 200
    base = f"/cases/{case.id}/people/{person.id}/anonymity"
    page = soup(pros.get(f"{base}/unmask/{rid}").text)
    assert "Approved" in page.select_one("#unmask-outcome").get_text()
    assert page.select_one("#unmask-expires") is not None
    listed = soup(pros.get(base).text).select_one("#unmask-requests").get_text(" ", strip=True)
    assert "Approved (visible until" in listed
    # Decided once: a second decision is refused.
    assert approve(second, case, person, rid, decision="refuse").status_code == 403
    assert db.get(UnmaskRequest, rid).state == "approved"
    db.commit()


def test_a_witness_care_officer_asks_and_a_prosecutor_decides(app, db, sealed) -> None:
    case, person = sealed["case"], sealed["person"]
    officer = sealed["officer"]
    officer.may_unmask = True
    other_officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Other Officer")
    other_officer.may_unmask = True
    db.commit()
    wco = client_as(app, db, officer)
    reason = "I must call the witness about the trial date"
    assert unmask(wco, case, person, reason=reason).status_code == 200
    request = _only_request(db)
    assert request.approver_role == "prosecutor"  # the default rule for the WCU
    rid = request.id
    # The requester cannot decide their own request.
    assert approve(wco, case, person, rid).status_code == 403
    # Another witness care officer is not the approver the rule names: told so, not offered.
    other = client_as(app, db, other_officer)
    base = f"/cases/{case.id}/people/{person.id}/anonymity"
    refused_page = soup(other.get(f"{base}/unmask/{rid}").text)
    assert "must be decided by a prosecutor" in refused_page.select_one("#unmask-refused").text
    assert refused_page.select(f'input[name="decision-{rid}"]') == []
    assert reason not in refused_page.get_text()  # the reason is for who may decide
    refused = approve(other, case, person, rid)
    assert refused.status_code == 403
    assert "govuk-heading-l" in refused.text  # a GOV.UK page, not a bare 403
    # The prosecutor sees who asked, when and why, and approves.
    second = client_as(app, db, sealed["second"])
    shown = text_of(second.get(f"{base}/unmask/{rid}").text)
    assert reason in shown and "Test Officer" in shown
    assert approve(second, case, person, rid).status_code == 200
    assert "Ozymandias Canarybird" in wco.get(f"/cases/{case.id}/people/{person.id}").text


def test_the_rule_for_the_wcu_is_a_setting(settings) -> None:
    from dataclasses import replace

    from portal.anonymity.unmasking import approver_rule

    assert approver_rule(settings, Role.WITNESS_CARE_OFFICER) == "prosecutor"
    changed = replace(settings, wcu_unmask_approver_role="witness_care_officer")
    assert approver_rule(changed, Role.WITNESS_CARE_OFFICER) == "witness_care_officer"
    assert approver_rule(changed, Role.PROSECUTOR) is None


def test_my_work_shows_the_decision_to_the_approver_and_the_wait_to_the_requester(
    app, db, sealed
) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person).status_code == 200
    rid = _only_request(db).id
    link = f"/cases/{case.id}/people/{person.id}/anonymity/unmask/{rid}"
    second = client_as(app, db, sealed["second"])
    theirs = soup(second.get("/work").text)
    # The unmask request, and the drafted anonymity application waiting for its approval.
    assert "2 decisions waiting for you as a second person" in theirs.get_text()
    assert "anonymity application for witness" in theirs.get_text()
    assert theirs.select_one(f'a[href="{link}"]') is not None
    assert "First Prosecutor" in theirs.get_text()
    mine = soup(pros.get("/work").text)
    assert "Waiting for a second person" in mine.get_text()
    assert mine.select_one(f'a[href="{link}"]') is not None
    assert "waiting for you as a second person" not in mine.get_text()
    # Once decided, it leaves both lists.
    assert approve(second, case, person, rid).status_code == 200
    after = soup(second.get("/work").text)
    assert after.select_one(f'a[href="{link}"]') is None
    assert "1 decision waiting for you as a second person" in after.get_text()
    assert soup(pros.get("/work").text).select_one(f'a[href="{link}"]') is None


def test_sealed_fields_read_sealed_and_offer_no_edit(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    page = soup(pros.get(f"/cases/{case.id}/people/{person.id}").text)
    details = page.select_one("#person-details").get_text(" ", strip=True)
    assert "Address Sealed" in details and "Telephone number Sealed" in details
    assert "Not given" not in details and "Not known" not in details
    assert page.select_one(f'#person-details a[href$="/people/{person.id}/edit"]') is None
    # Asked for anyway: a GOV.UK message and no form for the sealed fields.
    edit = soup(pros.get(f"/cases/{case.id}/people/{person.id}/edit").text)
    assert "identity is sealed" in edit.select_one("#details-sealed").get_text()
    assert edit.select('input[name="address"], textarea[name="address"]') == []
    # An htmx request refused is sent to the whole GOV.UK page, never swapped in bare.
    court = f"/cases/{case.id}/anonymity/{_application_id(db)}/court"
    refused = pros.get(court, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert refused.headers["HX-Redirect"] == court
    assert "govuk-heading-l" in refused.text


def test_an_unmasked_view_is_logged_as_a_disclosure(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    shown = f"/cases/{case.id}/people/{person.id}"
    pros.get(shown)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "unmask.view")).all() == []
    db.commit()
    assert unmask(pros, case, person).status_code == 200
    rid = _only_request(db).id
    assert approve(client_as(app, db, sealed["second"]), case, person, rid).status_code == 200
    page = soup(pros.get(shown).text)
    assert "1 Hidden Lane" in page.select_one("#person-details").get_text()
    assert page.select_one(f'#person-details a[href$="/people/{person.id}/edit"]') is not None
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action == "unmask.view")).all()
    db.commit()
    assert len(rows) == 1
    assert rows[0].category == "disclosure"
    assert rows[0].actor_id == sealed["prosecutor"].id
    assert rows[0].subject_ref == person.reference


def test_the_application_approver_must_choose_and_may_return_it(app, db, sealed) -> None:
    case, pros = sealed["case"], sealed["pros"]
    base = f"/cases/{case.id}/anonymity/{_application_id(db)}"
    # The author is offered no decision and is refused one.
    own = pros.get(base).text
    assert soup(own).select('input[name="decision"]') == []
    refused = pros.post(
        base + "/approve", data={"csrf_token": csrf_from(own), "decision": "approve"}
    )
    assert refused.status_code == 403
    second = client_as(app, db, sealed["second"])
    page = soup(second.get(base).text)
    assert "drafted by First Prosecutor" in page.select_one("#what-you-approve").get_text()
    radios = page.select('input[name="decision"]')
    assert [r["value"] for r in radios] == ["approve", "return", "decline"]
    assert not any(r.has_attr("checked") for r in radios)
    token = csrf_from(second.get(base).text)
    blank = second.post(base + "/approve", data={"csrf_token": token})
    assert blank.status_code == 400
    assert "Select whether you approve, return or refuse the application" in text_of(blank.text)
    no_comment = second.post(base + "/approve", data={"csrf_token": token, "decision": "return"})
    assert "Enter a comment for the author" in text_of(no_comment.text)
    comment = "Condition C needs the witness's own statement of fear"
    returned = second.post(
        base + "/approve", data={"csrf_token": token, "decision": "return", "comment": comment}
    )
    assert "Returned to the author" in text_of(returned.text)
    seen = soup(pros.get(base).text).select_one("#returned-by").get_text()
    assert "Second Prosecutor" in seen and comment in seen
    assert db.get(AnonymityApplication, _application_id(db)).state == "drafted"
    db.commit()


def test_the_application_approver_may_refuse_it_with_a_comment(app, db, sealed) -> None:
    case, pros = sealed["case"], sealed["pros"]
    application_id = _application_id(db)
    base = f"/cases/{case.id}/anonymity/{application_id}"
    second = client_as(app, db, sealed["second"])
    token = csrf_from(second.get(base).text)
    no_comment = second.post(base + "/approve", data={"csrf_token": token, "decision": "decline"})
    assert no_comment.status_code == 400
    assert "Enter a comment for the author" in text_of(no_comment.text)
    comment = "The evidence does not meet condition B"
    refused = second.post(
        base + "/approve", data={"csrf_token": token, "decision": "decline", "comment": comment}
    )
    assert "Refused: the author has your comment" in text_of(refused.text)
    db.expire_all()
    assert db.get(AnonymityApplication, application_id).state == "declined"
    db.commit()  # the test's session lets the pages write their logs
    page = soup(pros.get(base).text)
    assert "Not approved" in page.select_one("#status").get_text()
    seen = page.select_one("#returned-by").get_text()
    assert "Second Prosecutor" in seen and comment in seen
    # Nothing is left to decide: no decision, no court step, and off the approver's My work.
    again = soup(second.get(base).text)
    assert again.select('input[name="decision"]') == []
    assert again.select("form[action$='/serve']") == []
    assert base not in second.get("/work").text
    late = second.post(base + "/approve", data={"csrf_token": token, "decision": "approve"})
    assert late.status_code in (403, 409)
    db.expire_all()
    assert db.get(AnonymityApplication, application_id).state == "declined"
    actions = [
        e.action
        for e in db.scalars(select(AuditEvent).where(AuditEvent.object_id == str(application_id)))
    ]
    assert "anonymity.decline" in actions
    db.commit()


def test_an_approver_of_the_area_outside_the_unit_can_approve(app, db, sealed) -> None:
    case = sealed["case"]
    elsewhere = make_user(
        db, role=Role.PROSECUTOR, display_name="Other Unit Prosecutor", unit="seocid"
    )
    unpermitted = make_user(db, role=Role.PROSECUTOR, unit="seocid")
    elsewhere.may_approve = True  # given by an administrator; ``unpermitted`` was not
    db.commit()
    base = f"/cases/{case.id}/anonymity/{_application_id(db)}"
    # Without the permission to approve, the approving role alone is not enough.
    refused = client_as(app, db, unpermitted)
    assert base not in refused.get("/work").text
    assert refused.get(base).status_code == 404
    other = client_as(app, db, elsewhere)
    assert other.get(f"/cases/{case.id}").status_code == 404  # not one of their cases
    assert base in other.get("/work").text  # but waiting for them as second person
    token = csrf_from(other.get(base).text)
    ok = other.post(base + "/approve", data={"csrf_token": token, "decision": "approve"})
    assert "Approve the application: recorded" in text_of(ok.text)


def test_after_the_order_the_served_copy_is_a_document_and_the_order_replaces_the_form(
    app, db, sealed
) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    other, _ = add_person(
        db, app.state.settings, case, name="Another Protected", actor_user=sealed["prosecutor"]
    )
    db.commit()
    token = csrf_from(pros.get(f"/cases/{case.id}/people/{other.id}/anonymity").text)
    pros.post(
        f"/cases/{case.id}/people/{other.id}/anonymity/restrictions",
        data={
            "csrf_token": token,
            "kind": "soaa_1992",
            "starts_on-day": "1",
            "starts_on-month": "1",
            "starts_on-year": "2024",
            "waived": "no",
        },
    )
    application_id = db.scalars(
        select(AnonymityApplication.id).where(AnonymityApplication.person_id == person.id)
    ).one()
    db.commit()
    base = f"/cases/{case.id}/anonymity/{application_id}"
    second = client_as(app, db, sealed["second"])
    token = csrf_from(second.get(base).text)
    second.post(base + "/approve", data={"csrf_token": token, "decision": "approve"})
    for action in ("serve", "grant"):
        token = csrf_from(pros.get(base).text)
        pros.post(
            f"{base}/{action}",
            data={
                "csrf_token": token,
                "on-day": "2",
                "on-month": "2",
                "on-year": "2026",
                "court_reference": "T20260001",
            },
        )
    assert db.get(AnonymityApplication, application_id).state == "granted"
    db.commit()
    assert other.reference in pros.get(base).text  # the portal's page carries the banner
    served = pros.get(base + "/served")
    page = soup(served.text)
    assert page.select_one(".portal-restrictions") is None  # no banner
    assert other.reference not in served.text  # nobody else's reference
    text = page.get_text(" ", strip=True)
    assert "Status" not in text and "Granted" not in text and "Drafted by" not in text
    assert f"Witness {person.reference}" in text
    assert page.select_one("header") is None  # a document, not a portal page
    anonymity = soup(pros.get(f"/cases/{case.id}/people/{person.id}/anonymity").text)
    order = anonymity.select_one("#anonymity-order").get_text(" ", strip=True)
    assert "T20260001" in order and "2 February 2026" in order
    assert "Apply for a witness anonymity order" not in anonymity.get_text()
    assert anonymity.select('textarea[name="condition_a"]') == []


def test_the_override_decider_sees_who_asked_when_and_what(app, db, settings) -> None:
    from tests.web import test_document_disclosure as docs

    people, witness, officer = docs.setup(db, settings)
    case = people["case"]
    uploader = client_as(app, db, people["uploader"])
    pdf = docs._statement("I was with AMIRA\nKHAN that evening.")
    assert docs._upload(uploader, case, officer, "statement.pdf", pdf).status_code == 303
    document = docs._latest(db)
    page_url = f"{docs._base(case, officer)}/{document.id}/check"
    # The uploader is offered no override of their own document.
    own = soup(uploader.get(page_url).text)
    assert own.select('textarea[name^="reason-"]') == []
    second = client_as(app, db, people["second"])
    page = soup(second.get(page_url).text)
    shown = page.select_one('[id^="override-request-"]').get_text(" ", strip=True)
    assert "Priya Prosecutor" in shown  # who asked for it to be served
    assert "When" in shown
    assert f"Witness {witness.reference}" in shown and "stays in the document" in shown
    assert "Amira" not in page.get_text()


def test_the_letter_checker_sees_who_drafted_it_when_and_what(app, db, world) -> None:  # noqa: F811
    from portal.clock import utc_now
    from portal.vlu.models import VluRequest
    from tests.web.test_vlu_reasons import _decide

    _decide(app, db, world)
    drafter, checker = world["drafter"], world["checker"]
    request = db.scalars(select(VluRequest)).first()
    request.state, request.drafted_by_id, request.drafted_at = "drafted", drafter.id, utc_now()
    path = f"/vlu/cases/{world['case'].id}/requests/{request.id}"
    db.commit()
    page = soup(client_as(app, db, checker).get(path).text)
    shown = page.select_one("#check-request").get_text(" ", strip=True)
    assert "Grace Lewis" in shown and "What you are approving" in shown
    own = soup(client_as(app, db, drafter).get(path).text)
    assert own.select_one("#check-request") is None
    assert "a different Victim Liaison Unit officer must check it" in own.get_text()


def test_a_blocked_document_waits_on_the_second_prosecutors_my_work(app, db, settings) -> None:
    from tests.web import test_document_disclosure as docs

    people, _, officer = docs.setup(db, settings)
    case = people["case"]
    uploader = client_as(app, db, people["uploader"])
    pdf = docs._statement("I was with AMIRA\nKHAN that evening.")
    assert docs._upload(uploader, case, officer, "statement.pdf", pdf).status_code == 303
    document = docs._latest(db)
    link = f"{docs._base(case, officer)}/{document.id}/check"
    second = client_as(app, db, people["second"])
    theirs = soup(second.get("/work").text)
    assert theirs.select_one(f'#work-waiting a[href="{link}"]') is not None
    assert "uploaded by Priya Prosecutor" in theirs.select_one("#work-waiting").get_text()
    # Not for the prosecutor who uploaded it: they may not decide.
    assert soup(uploader.get("/work").text).select_one(f'a[href="{link}"]') is None


def test_a_comment_naming_the_sealed_witness_is_refused(app, db, sealed) -> None:
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    assert unmask(pros, case, person).status_code == 200
    rid = _only_request(db).id
    second = client_as(app, db, sealed["second"])
    named = approve(
        second, case, person, rid, decision="return", comment="Ask Ozymandias Canarybird first"
    )
    assert named.status_code == 400
    assert db.get(UnmaskRequest, rid).state == "pending"
    db.commit()


def test_the_override_decider_may_refuse_or_return_with_a_comment(app, db, settings) -> None:
    from portal.documents.models import DocumentMatch
    from tests.web import test_document_disclosure as docs

    people, _, officer = docs.setup(db, settings)
    case = people["case"]
    uploader = client_as(app, db, people["uploader"])
    pdf = docs._statement("I was with AMIRA\nKHAN that evening.")
    assert docs._upload(uploader, case, officer, "statement.pdf", pdf).status_code == 303
    document = docs._latest(db)
    match = db.scalars(select(DocumentMatch)).one()
    match_id = match.id
    db.commit()
    page_url = f"{docs._base(case, officer)}/{document.id}/check"
    base = f"{docs._base(case, officer)}/{document.id}/matches/{match_id}"
    decision, reason = f"decision-{match_id}", f"reason-{match_id}"
    second = client_as(app, db, people["second"])
    page = soup(second.get(page_url).text)
    radios = page.select(f'input[name="{decision}"]')
    assert [r["value"] for r in radios] == ["approve", "refuse", "return"]
    assert not any(r.has_attr("checked") for r in radios)
    token = csrf_from(second.get(page_url).text)
    # No choice, or no comment: errors against the fields, with what was typed kept.
    blank = second.post(base + "/override", data={"csrf_token": token, reason: "Typed"})
    assert blank.status_code == 400
    shown = soup(blank.text)
    assert "approve, refuse or return" in shown.select_one(".govuk-error-summary").get_text()
    assert shown.select_one(f'textarea[name="{reason}"]').get_text() == "Typed"
    bare = second.post(base + "/override", data={"csrf_token": token, decision: "return"})
    assert "Enter your reason or question" in text_of(bare.text)

    # Returned with a question: off the second prosecutor's list, the uploader answers.
    question = "Is this the address the court already holds?"
    sent = second.post(
        base + "/override", data={"csrf_token": token, decision: "return", reason: question}
    )
    assert "Returned to the uploader with your question" in text_of(sent.text)
    assert page_url not in second.get("/work").text
    work = uploader.get("/work").text
    assert soup(work).select_one("#waiting-questions") is not None and page_url in work
    mine = soup(uploader.get(page_url).text)
    assert question in mine.select_one(f"#declined-{match_id}").get_text()
    answer = "Yes: it is the address in the order of 3 March."
    utoken = csrf_from(uploader.get(page_url).text)
    answered = uploader.post(
        base + "/answer", data={"csrf_token": utoken, f"answer-{match_id}": answer}
    )
    assert "Answer sent" in text_of(answered.text)
    assert page_url not in uploader.get("/work").text
    # Before the second prosecutor again, with the answer; the uploader still cannot decide.
    again = soup(second.get(page_url).text)
    assert answer in again.select_one(f"#override-request-{match_id}").get_text()
    own = uploader.post(
        base + "/override", data={"csrf_token": utoken, decision: "approve", reason: "Fine"}
    )
    assert own.status_code == 400 and "a second prosecutor must decide" in text_of(own.text)

    # Refused: it stays blocked, must be redacted, and cannot be overridden after.
    refusal = "It is the witness's new address, not the one in the order."
    done = second.post(
        base + "/override", data={"csrf_token": token, decision: "refuse", reason: refusal}
    )
    assert "Override refused" in text_of(done.text)
    db.expire_all()
    row = db.get(DocumentMatch, match_id)
    assert row.declined_as == "refused" and row.overridden_at is None
    db.commit()
    seen = soup(uploader.get(page_url).text).select_one(f"#declined-{match_id}").get_text()
    assert "Override refused by" in seen and refusal in seen
    late = second.post(
        base + "/override", data={"csrf_token": token, decision: "approve", reason: "Now fine"}
    )
    assert late.status_code == 400
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(match_id))
    ).all()
    assert {"document.match.return", "document.match.answer", "document.match.refuse"} <= set(
        actions
    )
    db.commit()
