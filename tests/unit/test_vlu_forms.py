"""The VLU forms (portal.vlu.forms): they read what the pages post and leave the rules, and
their messages, to the services."""

from __future__ import annotations

from starlette.datastructures import FormData

from portal.vlu.forms import CHOOSE_CHECK, CheckForm, DraftForm, ReasonsForm, ReviewForm
from portal.vlu.states import Action


def test_the_check_form_needs_approve_or_return_and_keeps_the_ticks() -> None:
    form = CheckForm(FormData([("checklist", "accurate"), ("checklist", "rights")]))
    assert dict(form.errors.items()) == {"checklist": CHOOSE_CHECK}
    assert form.values["checklist"] == ["accurate", "rights"]
    approved = CheckForm(FormData([("decision", "approve"), ("checklist", "odd")]))
    assert approved.valid and approved.approved and approved.checklist == {"odd"}


def test_the_review_form_reads_the_date_and_the_step() -> None:
    form = ReviewForm(FormData([("on-day", "40"), ("on-month", "1"), ("on-year", "2026")]))
    assert [name for name, _ in form.errors.items()] == ["on", "action"]
    good = ReviewForm(
        FormData(
            [
                ("action", "record_review_request"),
                ("on-day", "2"),
                ("on-month", "3"),
                ("on-year", "2026"),
            ]
        )
    )
    assert good.valid and good.step is Action.RECORD_REVIEW_REQUEST
    assert good.on is not None and good.on.isoformat() == "2026-03-02"
    good.merge({"notes": "Notes must be 2,000 characters or fewer", "on": "Enter the date"})
    assert [name for name, _ in good.errors.items()] == ["on", "notes"]  # the date first


def test_typed_text_is_left_for_the_service_to_judge() -> None:
    draft = DraftForm(FormData([("body", "   "), ("intent", "readability")]))
    assert draft.valid and draft.body == "" and draft.typed == "   "
    reasons = ReasonsForm(FormData([("reasons", "x" * 6000), ("meeting", "maybe")]))
    assert reasons.valid and len(reasons.reasons) == 6000  # the service says how long is too long
    assert reasons.meeting_offered is None
    assert ReasonsForm(FormData([("meeting", "no")])).meeting_offered is False
