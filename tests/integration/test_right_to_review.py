"""The Victims' Right to Review carried to its end through the service: the window (late
requests and their reason), the reviewer (never the decision-maker), stages refused out of
order, the timescales from the rules data, and the outcome letters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.cases.errors import ValidationFailed
from portal.cases.reference import EventKind
from portal.victims_code.calendar import add_working_days
from portal.victims_code.rules import rules_in_force
from portal.vlu import service as vlu
from portal.vlu.review import timescales
from portal.vlu.review.models import VluReview
from portal.vlu.review.timescales import Timescales, add_months, request_window
from portal.vlu.states import Action, GuardRefused, State, TransitionRefused
from tests.integration.test_vlu_workflow import _draft_and_check, _ready
from tests.support.factories import make_user
from tests.support.vlu import actor_of, decision_day


def _sent(db, settings, kind=EventKind.DISCONTINUANCE, *, sent_days_ago: int = 0):
    w = _ready(db, settings, kind)
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
    if sent_days_ago:
        w["request"].sent_on = decision_day() - timedelta(days=sent_days_ago)
        db.flush()
    w["reviewer"] = make_user(db, role=Role.PROSECUTOR, display_name="Rita Reviewer")
    w["aru"] = make_user(db, role=Role.PROSECUTOR, display_name="Arun Appeals")
    return w


def _step(db, w, who: str, action: Action, **kw) -> None:
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


def _review(db, w) -> VluReview:
    return db.scalars(select(VluReview).where(VluReview.request_id == w["request"].id)).one()


def test_a_request_in_time_needs_no_reason_and_sets_the_local_resolution_due_date(
    db, settings
) -> None:
    w = _sent(db, settings)
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    review = _review(db, w)
    t = timescales.timescales_on(w["request"].sent_on)
    assert review.late is False and review.late_reason is None
    assert review.window_ends_on == add_working_days(w["request"].sent_on, t.request_window)
    assert review.local_due_on == add_working_days(decision_day(), t.local_resolution)
    assert review.rules_version == rules_in_force(decision_day()).version
    assert w["request"].state == State.REVIEW_REQUESTED.value


def test_a_late_request_must_say_why_it_is_accepted_and_the_reason_is_sealed(db, settings) -> None:
    w = _sent(db, settings, sent_days_ago=30)  # more than 10 working days
    with pytest.raises(ValidationFailed) as refused:
        _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    assert refused.value.errors["late_reason"] == "The request is late: enter why it is accepted"
    assert w["request"].state == State.SENT.value
    assert db.scalars(select(VluReview)).all() == []  # nothing written
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST, late_reason="She was in hospital.")
    review = _review(db, w)
    assert review.late is True
    assert b"hospital" not in bytes(review.late_reason)
    assert w["vault"].open_text(review, "late_reason") == "She was in hospital."


def test_after_the_long_stop_only_exceptional_circumstances_justify_a_request(db, settings) -> None:
    w = _sent(db, settings, sent_days_ago=130)  # more than 3 months
    with pytest.raises(ValidationFailed) as refused:
        _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    assert "more than 3 months" in refused.value.errors["late_reason"]
    assert "exceptional circumstances" in refused.value.errors["late_reason"]


def test_the_window_and_timescales_come_from_the_rules_data(monkeypatch) -> None:
    sent = date(2026, 3, 2)  # a Monday
    rules = Timescales(
        version="test",
        request_window=5,
        longstop_months=1,
        local_resolution=20,
        independent_request_window=10,
        independent_review=30,
    )
    assert request_window(sent, date(2026, 3, 9), rules).late is False  # 5th working day
    assert request_window(sent, date(2026, 3, 10), rules).late is True
    assert request_window(sent, date(2026, 4, 3), rules).exceptional is True
    longer = replace(rules, request_window=10)
    assert request_window(sent, date(2026, 3, 10), longer).late is False
    counted = replace(rules, trigger_day_counts=True)
    assert timescales.after(sent, 5, counted) == date(2026, 3, 6)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    settings = rules_in_force(sent).settings
    got = timescales.timescales_on(sent)
    assert (got.request_window, got.local_resolution, got.independent_review) == (
        settings.vrr_request_window_working_days,
        settings.vrr_local_resolution_working_days,
        settings.vrr_independent_review_working_days,
    )


def test_the_reviewer_is_a_prosecutor_who_did_not_make_the_decision(db, settings) -> None:
    w = _sent(db, settings)
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    for chosen, message in (
        ("", "Select the prosecutor who will review the decision"),
        (str(w["drafter"].id), "Select the prosecutor who will review the decision"),
        (str(w["prosecutor"].id), "did not make the decision"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            _step(db, w, "drafter", Action.START_LOCAL_RESOLUTION, reviewer=chosen)
        assert message in refused.value.errors["reviewer"]
    _step(db, w, "drafter", Action.START_LOCAL_RESOLUTION, reviewer=str(w["reviewer"].id))
    assert _review(db, w).local_reviewer_id == w["reviewer"].id
    # Only the named reviewer (or the VLU for them) records the outcome.
    with pytest.raises(GuardRefused, match="named as the reviewer"):
        _step(db, w, "aru", Action.RECORD_OUTCOME, outcome="upheld")


def test_stages_are_refused_out_of_order(db, settings) -> None:
    w = _sent(db, settings)
    for action in (
        Action.START_LOCAL_RESOLUTION,
        Action.RECORD_OUTCOME,
        Action.REFER_INDEPENDENT,
        Action.SEND_INDEPENDENT_LETTER,
    ):
        with pytest.raises(TransitionRefused):
            _step(db, w, "drafter", action, reviewer=str(w["reviewer"].id), outcome="upheld")
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    with pytest.raises(TransitionRefused):  # no outcome before local resolution starts
        _step(db, w, "drafter", Action.RECORD_OUTCOME, outcome="upheld")


def test_local_resolution_then_the_independent_review_to_the_end(db, settings) -> None:
    w = _sent(db, settings)
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    _step(db, w, "drafter", Action.START_LOCAL_RESOLUTION, reviewer=str(w["reviewer"].id))
    _step(db, w, "reviewer", Action.RECORD_OUTCOME, outcome="upheld")
    review = _review(db, w)
    draft = w["vault"].open_text(review, "local_letter")
    assert draft.startswith("Dear Vera Victim")
    assert "independent review" in draft and "10 working days" in draft
    assert w["request"].state == State.LOCAL_DECIDED.value
    with pytest.raises(ValidationFailed) as refused:
        _step(db, w, "drafter", Action.SEND_LOCAL_LETTER, letter=" ")
    assert "letter" in refused.value.errors
    _step(db, w, "drafter", Action.SEND_LOCAL_LETTER, letter=draft)
    assert w["request"].state == State.LOCAL_LETTER_SENT.value
    # The independent review: its own reviewer, who took no part in local resolution.
    with pytest.raises(ValidationFailed) as refused:
        _step(db, w, "drafter", Action.REFER_INDEPENDENT, reviewer=str(w["reviewer"].id))
    assert "did not take part in local resolution" in refused.value.errors["reviewer"]
    _step(db, w, "drafter", Action.REFER_INDEPENDENT, reviewer=str(w["aru"].id))
    assert w["request"].state == State.INDEPENDENT_REVIEW.value  # a stage, not a conclusion
    assert w["request"].outcome is None
    review = _review(db, w)
    t = timescales.timescales_on(w["request"].sent_on)
    assert review.independent_due_on == add_working_days(decision_day(), t.independent_review)
    with pytest.raises(GuardRefused, match="named as the reviewer"):
        _step(db, w, "reviewer", Action.RECORD_INDEPENDENT_OUTCOME, outcome="overturned")
    _step(db, w, "aru", Action.RECORD_INDEPENDENT_OUTCOME, outcome="overturned")
    letter = w["vault"].open_text(_review(db, w), "independent_letter")
    assert "Appeals and Review Unit" in letter and "start again" in letter
    _step(db, w, "drafter", Action.SEND_INDEPENDENT_LETTER, letter=letter)
    review = _review(db, w)
    assert w["request"].state == State.CONCLUDED.value
    assert (w["request"].outcome, review.concluded_on) == ("overturned", decision_day())
    assert review.independent_letter_sent_by_id == w["drafter"].id


def test_no_independent_review_after_a_decision_overturned_locally(db, settings) -> None:
    w = _sent(db, settings)
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST)
    _step(db, w, "drafter", Action.START_LOCAL_RESOLUTION, reviewer=str(w["reviewer"].id))
    _step(db, w, "drafter", Action.RECORD_OUTCOME, outcome="overturned")
    _step(db, w, "drafter", Action.SEND_LOCAL_LETTER, letter="The case will start again.")
    with pytest.raises(GuardRefused, match="upheld"):
        _step(db, w, "drafter", Action.REFER_INDEPENDENT, reviewer=str(w["aru"].id))
    _step(db, w, "drafter", Action.CONCLUDE_REVIEW)
    assert (w["request"].state, w["request"].outcome) == ("concluded", "overturned")


def test_a_late_request_for_the_independent_review_needs_its_reason(db, settings) -> None:
    w = _sent(db, settings, sent_days_ago=40)
    earlier = decision_day() - timedelta(days=35)
    _step(db, w, "drafter", Action.RECORD_REVIEW_REQUEST, on=earlier, late_reason="Unwell.")
    _step(
        db, w, "drafter", Action.START_LOCAL_RESOLUTION, on=earlier, reviewer=str(w["reviewer"].id)
    )
    _step(db, w, "drafter", Action.RECORD_OUTCOME, on=earlier, outcome="upheld")
    _step(db, w, "drafter", Action.SEND_LOCAL_LETTER, on=earlier, letter="It stands.")
    with pytest.raises(ValidationFailed) as refused:
        _step(db, w, "drafter", Action.REFER_INDEPENDENT, reviewer=str(w["aru"].id))
    assert "late" in refused.value.errors["late_reason"]
    _step(
        db,
        w,
        "drafter",
        Action.REFER_INDEPENDENT,
        reviewer=str(w["aru"].id),
        late_reason="Letter went to an old address.",
    )
    assert _review(db, w).independent_late is True


def test_a_decision_before_every_rules_version_still_has_timescales() -> None:
    assert timescales.timescales_on(date(2019, 1, 1)).request_window is not None
