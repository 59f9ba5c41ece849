"""One request's workflow through the service: attribution, the Right to Review steps, sealed
identities, erased people and optimistic locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.cases.models import CaseParty
from portal.cases.reference import EventKind
from portal.people.models import Person
from portal.people.service import SafeContact, erase_person, seal_identity
from portal.victims_code.models import Obligation
from portal.vlu import service as vlu
from portal.vlu.models import VluLetter, VluMessage, VluTransition
from portal.vlu.states import Action, GuardRefused, RoleRefused, TransitionRefused
from tests.support.factories import make_case, make_user
from tests.support.vlu import (
    actor_of,
    add_victims,
    decision_day,
    decision_of,
    record,
    requests_of,
    vault_for,
    victim,
)

REASONS = "The main witness has died. Without their evidence we cannot prove the case."


def _ready(db, settings, kind: EventKind, *, ends_all: bool = True, safe=None, **victim_kw):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    drafter = make_user(db, role=Role.VLU_OFFICER, display_name="Dana Drafter")
    checker = make_user(db, role=Role.VLU_OFFICER)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("FA2006-S2",))
    person = victim("Vera Victim", safe=safe or SafeContact(channels=("letter",)), **victim_kw)
    add_victims(db, settings, case, prosecutor, [person])
    event, _ = record(db, settings, prosecutor, case, kind, ends_all=ends_all)
    decision = decision_of(db, event)
    vault = vault_for(db, settings)
    vlu.supply_reasons(
        db,
        vault,
        actor_of(prosecutor),
        decision,
        reasons=REASONS,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    ((request, person_row),) = requests_of(db, decision)
    return {
        "prosecutor": prosecutor,
        "drafter": drafter,
        "checker": checker,
        "case": case,
        "decision": decision,
        "request": request,
        "person": person_row,
        "vault": vault,
    }


def _draft_and_check(db, w) -> None:
    body = vlu.first_draft(
        w["vault"],
        request=w["request"],
        decision=w["decision"],
        case=w["case"],
        person=w["person"],
        reasons=REASONS,
        officer_name="Dana Drafter",
    )
    vlu.save_draft(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        body=body,
        expected_version=w["request"].version,
    )
    vlu.approve(
        db,
        w["vault"],
        actor_of(w["checker"]),
        w["request"],
        w["decision"],
        w["person"],
        checklist=set(vlu.CHECKLIST),
        notes="",
        expected_version=w["request"].version,
    )


def _review(db, w, who: str, action: Action, **kw) -> None:
    vlu.record_review_step(
        db,
        w["vault"],
        actor_of(w[who]),
        w["request"],
        w["decision"],
        w["person"],
        action=action,
        on=kw.pop("on", decision_day()),
        outcome=kw.pop("outcome", ""),
        notes=kw.pop("notes", ""),
        reviewer=kw.pop("reviewer", ""),
        late_reason=kw.pop("late_reason", ""),
        letter=kw.pop("letter", ""),
        expected_version=None,
    )


def test_from_reasons_to_the_review_outcome(db, settings) -> None:
    w = _ready(db, settings, EventKind.DISCONTINUANCE)
    _draft_and_check(db, w)
    vlu.send(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        channel="letter",
        expected_version=w["request"].version,
    )
    obligation = db.get(Obligation, w["request"].obligation_id)
    assert (obligation.state, obligation.channel, obligation.met_by_id) == (
        "met",
        "letter",
        w["drafter"].id,
    )
    with pytest.raises(ValidationFailed):  # a review cannot be dated before the letter
        _review(
            db, w, "drafter", Action.RECORD_REVIEW_REQUEST, on=decision_day() - timedelta(days=3)
        )
    _review(db, w, "drafter", Action.RECORD_REVIEW_REQUEST, notes="Asked by phone.")
    with pytest.raises(RoleRefused):  # a witness care officer takes no step
        _review(db, {**w, "wco": make_user(db)}, "wco", Action.START_LOCAL_RESOLUTION)
    w["reviewer"] = make_user(db, role=Role.PROSECUTOR, display_name="Rita Reviewer")
    _review(db, w, "prosecutor", Action.START_LOCAL_RESOLUTION, reviewer=str(w["reviewer"].id))
    with pytest.raises(ValidationFailed):
        _review(db, w, "reviewer", Action.RECORD_OUTCOME, outcome="maybe")
    _review(db, w, "reviewer", Action.RECORD_OUTCOME, outcome="upheld")
    _review(db, w, "drafter", Action.SEND_LOCAL_LETTER, letter="Dear Vera, the decision stands.")
    _review(db, w, "drafter", Action.CONCLUDE_REVIEW)
    request = w["request"]
    assert (request.state, request.outcome) == ("concluded", "upheld")
    assert w["vault"].open_text(request, "review_notes") == "Asked by phone."
    steps = db.scalars(
        select(VluTransition)
        .where(VluTransition.request_id == request.id)
        .order_by(VluTransition.at, VluTransition.id)
    ).all()
    assert [s.action for s in steps] == [
        "create",
        "supply_reasons",
        "draft",
        "approve",
        "send",
        "record_review_request",
        "start_local_resolution",
        "record_outcome",
        "send_local_letter",
        "conclude_review",
    ]
    assert [s.by_role for s in steps][-5:] == [
        "vlu_officer",
        "prosecutor",
        "prosecutor",
        "vlu_officer",
        "vlu_officer",
    ]
    with pytest.raises(TransitionRefused):
        _review(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)


def test_no_review_for_a_decision_that_did_not_end_all_proceedings(db, settings) -> None:
    w = _ready(db, settings, EventKind.SUBSTANTIAL_ALTERATION)
    _draft_and_check(db, w)
    vlu.send(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        channel="letter",
        expected_version=None,
    )
    with pytest.raises(GuardRefused, match="Right to Review does not apply"):
        _review(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)


def test_no_reinstatement_after_offering_no_evidence(db, settings) -> None:
    w = _ready(db, settings, EventKind.OFFER_NO_EVIDENCE)
    _draft_and_check(db, w)
    vlu.send(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        channel="letter",
        expected_version=None,
    )
    _review(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    reviewer = make_user(db, role=Role.PROSECUTOR)
    _review(db, w, "drafter", Action.START_LOCAL_RESOLUTION, reviewer=str(reviewer.id))
    with pytest.raises(GuardRefused, match="cannot be reinstated"):
        _review(db, w, "drafter", Action.RECORD_OUTCOME, outcome="overturned")


def test_a_redraft_voids_the_check_and_a_stale_form_is_refused(db, settings) -> None:
    w = _ready(db, settings, EventKind.DISCONTINUANCE)
    _draft_and_check(db, w)
    request = w["request"]
    old_version = request.version - 1
    with pytest.raises(StaleEdit):
        vlu.save_draft(
            db,
            w["vault"],
            actor_of(w["checker"]),
            request,
            w["decision"],
            w["person"],
            body="Dear Vera Victim\n\nA new letter.",
            expected_version=old_version,
        )
    vlu.save_draft(
        db,
        w["vault"],
        actor_of(w["checker"]),
        request,
        w["decision"],
        w["person"],
        body="Dear Vera Victim\n\nA new letter.",
        expected_version=request.version,
    )
    assert request.state == "drafted" and request.checked_by_id is None
    assert request.drafted_by_id == w["checker"].id
    letter = db.scalars(select(VluLetter)).one()
    assert letter.revision == 2 and letter.key_id == w["person"].key_id
    with pytest.raises(GuardRefused):  # it must now be checked again, by someone else
        vlu.send(
            db,
            w["vault"],
            actor_of(w["drafter"]),
            request,
            w["decision"],
            w["person"],
            channel="letter",
            expected_version=None,
        )


def test_a_sealed_identity_is_written_to_without_their_name_and_never_by_post(db, settings) -> None:
    w = _ready(
        db,
        settings,
        EventKind.DISCONTINUANCE,
        safe=SafeContact(channels=("letter", "via_representative")),
    )
    person = w["person"]
    seal_identity(db, actor_of(w["prosecutor"]), person)
    w["vault"].put(person, "representative", '{"name": "A Solicitor"}')
    db.flush()
    body = vlu.first_draft(
        w["vault"],
        request=w["request"],
        decision=w["decision"],
        case=w["case"],
        person=person,
        reasons=REASONS,
        officer_name="Dana Drafter",
    )
    assert body.startswith("Dear Sir or Madam\n") and "Vera" not in body
    _draft_and_check(db, w)
    with pytest.raises(vlu.SendRefused, match="anonymity restriction"):
        vlu.send(
            db,
            w["vault"],
            actor_of(w["drafter"]),
            w["request"],
            w["decision"],
            person,
            channel="letter",
            expected_version=None,
        )
    vlu.send(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        person,
        channel="via_representative",
        expected_version=None,
    )
    assert w["request"].state == "sent"


def test_an_erased_person_makes_their_letter_and_messages_unreadable(app, db, settings) -> None:
    w = _ready(db, settings, EventKind.DISCONTINUANCE)
    _draft_and_check(db, w)
    vlu.post_message(
        db, w["vault"], actor_of(w["prosecutor"]), w["request"], w["person"], body="A note."
    )
    erase_person(db, w["vault"], actor_of(w["prosecutor"]), w["person"])
    db.commit()
    from tests.web.test_case_pages import client_as

    client = client_as(app, db, w["drafter"])
    page = client.get(f"/vlu/cases/{w['case'].id}/requests/{w['request'].id}")
    assert page.status_code == 200
    assert "Vera" not in page.text and "A note." not in page.text
    send = client.get(f"/vlu/cases/{w['case'].id}/requests/{w['request'].id}/letter")
    assert send.status_code == 404
    party = db.scalars(select(CaseParty)).one()
    assert db.get(Person, party.person_id).erased
    assert db.scalars(select(VluMessage)).one().key_id == party.key_id
