"""The second check of a bulk decision is real: the checker must read every letter that differs
from the template and a random sample of the rest (its size from rules data), each recorded,
before the batch can be approved; nobody checks letters they drafted."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from portal import jobs
from portal.accounts.unit import Unit
from portal.cases.errors import ValidationFailed
from portal.db.session import make_session_factory, unit_of_work
from portal.vlu import check_repository
from portal.vlu import service as vlu
from portal.vlu.directory import directory
from portal.vlu.models import VluBulkCheck, VluBulkCheckLetter, VluDecision, VluRequest
from portal.vlu.service import bulk, bulk_check, checking, drafting
from tests.integration.test_vlu_bulk_finish import _case, _run
from tests.support.vlu import actor_of, vault_for


def _unit(s, settings, user) -> Unit:
    vault = vault_for(s, settings)
    return Unit(s, actor_of(user), lambda: vault)


def test_the_checker_reads_what_differs_and_a_sample_before_approving(
    db, engine, settings, monkeypatch
) -> None:
    smaller = replace(directory(), bulk_check_sample=3)
    monkeypatch.setattr(bulk_check, "directory", lambda: smaller)
    case, decision_id, drafter, checker, _ = _case(db, settings)
    factory = make_session_factory(engine)
    _run(factory, settings, drafter, decision_id, "draft_all")
    # One letter is rewritten by hand: it differs from the template.
    with unit_of_work(factory) as s:
        request = s.scalars(
            select(VluRequest).where(VluRequest.decision_id == decision_id).limit(1)
        ).one()
        drafting.draft_letter(
            _unit(s, settings, drafter),
            case.id,
            request.id,
            body="Dear victim,\nWe are sorry. Here is our decision, in our own words.",
            expected_version=request.version,
        )
        custom_id = request.id

    # The drafter cannot check their own letters.
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:
        bulk_check.start_check(_unit(s, settings, drafter), case.id, decision_id)
    # Approving all at once from the decision page is refused: the check comes first.
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:
        bulk.start_bulk(
            _unit(s, settings, checker),
            case.id,
            decision_id,
            action="approve_all",
            checklist=set(vlu.CHECKLIST),
        )

    with unit_of_work(factory) as s:
        check = bulk_check.start_check(_unit(s, settings, checker), case.id, decision_id)
        check_id = check.id
        # Starting again keeps the same check.
        assert bulk_check.start_check(_unit(s, settings, checker), case.id, decision_id).id == (
            check_id
        )
    with unit_of_work(factory) as s:
        items = s.scalars(
            select(VluBulkCheckLetter).where(VluBulkCheckLetter.check_id == check_id)
        ).all()
        why = {item.request_id: item.why for item in items}
        assert why[custom_id] == "custom"
        assert list(why.values()).count("sample") == 3
        assert s.get(VluBulkCheck, check_id).sample_size == 3
        assert s.get(VluBulkCheck, check_id).letters == 12

    # Not every letter read: the approval is refused.
    with pytest.raises(ValidationFailed) as refused, unit_of_work(factory) as s:
        bulk_check.approve_checked(
            _unit(s, settings, checker), case.id, decision_id, checklist=set(vlu.CHECKLIST)
        )
    assert refused.value.errors == {"check": bulk_check.NOT_ALL_READ}

    # Each letter knows its place in the list (the letters that differ first, then the sample).
    with unit_of_work(factory) as s:
        listed = check_repository.letters_of(s, check_id)
        for n, row in enumerate(listed, start=1):
            page = bulk_check.letter_to_read(
                _unit(s, settings, checker), case.id, decision_id, row.request.id
            )
            assert (page.position, page.of) == (n, len(listed))
        assert [r.item.why == "sample" for r in listed] == sorted(
            r.item.why == "sample" for r in listed
        )

    # Reading each one in turn (each open logged), then approving.
    following = next(iter(why))
    read = 0
    while following is not None:
        with unit_of_work(factory) as s:
            page = bulk_check.letter_to_read(
                _unit(s, settings, checker), case.id, decision_id, following
            )
            assert page.body is not None
            following = bulk_check.mark_read(
                _unit(s, settings, checker), case.id, decision_id, following
            )
            read += 1
    assert read <= len(why)
    with unit_of_work(factory) as s:
        unread = s.scalars(
            select(VluBulkCheckLetter).where(
                VluBulkCheckLetter.check_id == check_id, VluBulkCheckLetter.read_at.is_(None)
            )
        ).all()
        assert unread == []
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:  # every point still
        bulk_check.approve_checked(
            _unit(s, settings, checker), case.id, decision_id, checklist={"accurate"}
        )
    with unit_of_work(factory) as s:
        job = bulk_check.approve_checked(
            _unit(s, settings, checker), case.id, decision_id, checklist=set(vlu.CHECKLIST)
        )
        job_id = job.id
    jobs.run_pending(factory, settings.key_provider(), pause=0)
    with unit_of_work(factory) as s:
        check = s.get(VluBulkCheck, check_id)
        assert check.approved_at is not None and check.job_id == job_id
        states = {
            r.state
            for r in s.scalars(select(VluRequest).where(VluRequest.decision_id == decision_id))
        }
        assert states == {"checked"}
        assert s.get(VluDecision, decision_id) is not None


def test_the_sample_size_is_rules_data() -> None:
    from portal.vlu.directory import parse

    data = {"unit": {}, "meeting_offer": {}, "bulk_check": {"sample_size": 7}}
    assert parse(data).bulk_check_sample == 7
    with pytest.raises(ValueError, match="sample_size"):
        parse({**data, "bulk_check": {"sample_size": 0}})
    assert directory().bulk_check_sample == 20  # portal/data/vlu.toml


def test_a_check_is_chosen_again_when_the_letters_change(db, engine, settings) -> None:
    case, decision_id, drafter, checker, _ = _case(db, settings)
    factory = make_session_factory(engine)
    _run(factory, settings, drafter, decision_id, "draft_all")
    with unit_of_work(factory) as s:
        first = bulk_check.start_check(_unit(s, settings, checker), case.id, decision_id).id
    # The checker returns one letter from its page: the check no longer covers the batch.
    with unit_of_work(factory) as s:
        request = s.scalars(
            select(VluRequest).where(VluRequest.decision_id == decision_id).limit(1)
        ).one()
        returned_id = request.id
        checking.check_letter(
            _unit(s, settings, checker),
            case.id,
            request.id,
            approved=False,
            checklist=set(),
            notes="The second paragraph needs the date of the decision",
            expected_version=request.version,
        )
    with pytest.raises(ValidationFailed) as refused, unit_of_work(factory) as s:
        bulk_check.approve_checked(
            _unit(s, settings, checker), case.id, decision_id, checklist=set(vlu.CHECKLIST)
        )
    assert refused.value.errors == {"check": bulk_check.MORE_DRAFTED}
    with unit_of_work(factory) as s:
        again = bulk_check.start_check(_unit(s, settings, checker), case.id, decision_id)
        # The returned letter needs redrafting: it is left out of the new check.
        assert again.id != first and again.letters == 11
        assert s.get(VluBulkCheck, first) is None
        assert s.get(VluRequest, returned_id).state == "needs_redraft"
        listed = s.scalars(
            select(VluBulkCheckLetter.request_id).where(VluBulkCheckLetter.check_id == again.id)
        ).all()
        assert returned_id not in listed
        again_id = again.id
    # The batch approved without it: the returned letter is not approved with the rest.
    with unit_of_work(factory) as s:
        for request_id in s.scalars(
            select(VluBulkCheckLetter.request_id).where(VluBulkCheckLetter.check_id == again_id)
        ).all():
            bulk_check.mark_read(_unit(s, settings, checker), case.id, decision_id, request_id)
        bulk_check.approve_checked(
            _unit(s, settings, checker), case.id, decision_id, checklist=set(vlu.CHECKLIST)
        )
    jobs.run_pending(factory, settings.key_provider(), pause=0)
    with unit_of_work(factory) as s:
        assert s.get(VluRequest, returned_id).state == "needs_redraft"
        others = s.scalars(
            select(VluRequest.state).where(
                VluRequest.decision_id == decision_id, VluRequest.id != returned_id
            )
        ).all()
        assert set(others) == {"checked"}
