"""Editing the prosecutor's reasons through the service: reasons given before versions were kept
become version 1 on their first edit, a sealed person's true name is refused in an edit as in
the first reasons, a stale edit is refused, and only a prosecutor may edit."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from portal.accounts.roles import Role
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.cases.reference import EventKind
from portal.vlu.models import VluReasonsRevision
from portal.vlu.service.reasons import edit_reasons
from portal.vlu.states import RoleRefused
from tests.integration.test_vlu_workflow import REASONS, _ready
from tests.support.factories import make_user
from tests.support.vlu import actor_of

CHANGED = "We looked again. The witness has moved abroad and cannot give evidence."


def _edit(db, w, text: str, *, by=None, version=None) -> int:
    decision = w["decision"]
    return edit_reasons(
        db,
        w["vault"],
        actor_of(by or w["prosecutor"]),
        decision,
        reasons=text,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version if version is None else version,
    )


def _versions(db, w) -> list[tuple[int, str]]:
    rows = db.scalars(
        select(VluReasonsRevision)
        .where(VluReasonsRevision.decision_id == w["decision"].id)
        .order_by(VluReasonsRevision.revision)
    ).all()
    return [(r.revision, w["vault"].open_text(r, "reasons")) for r in rows]


def test_reasons_given_before_versions_were_kept_become_version_one(db, settings) -> None:
    w = _ready(db, settings, EventKind.DISCONTINUANCE)
    db.execute(delete(VluReasonsRevision))  # as if given before this release
    db.flush()
    _edit(db, w, CHANGED)
    assert _versions(db, w) == [(1, REASONS), (2, CHANGED)]
    assert w["vault"].open_text(w["decision"], "reasons") == CHANGED


def test_an_edit_is_checked_like_the_first_reasons(db, settings) -> None:
    w = _ready(db, settings, EventKind.DISCONTINUANCE)
    with pytest.raises(ValidationFailed) as refused:
        _edit(db, w, "x" * 5001)
    assert "5,000 characters" in refused.value.errors["reasons"]
    with pytest.raises(StaleEdit):
        _edit(db, w, CHANGED, version=w["decision"].version + 5)
    drafter = make_user(db, role=Role.VLU_OFFICER)
    with pytest.raises(RoleRefused):
        _edit(db, w, CHANGED, by=drafter)
    assert _versions(db, w) == [(1, REASONS)]
