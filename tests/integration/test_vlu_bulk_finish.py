"""Finishing a bulk decision: each letter the bulk send could not send is recorded with why,
listed and exported; witness care is asked for the missing safe-contact details (a safeguarding
action on their My work); once recorded, "send the rest" sends those letters, never one twice."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from portal import jobs
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.audit.models import AuditEvent
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.reference import EventKind
from portal.db.session import make_session_factory, unit_of_work
from portal.people import service as people
from portal.people.models import SafeguardingAction
from portal.people.service import SafeContact
from portal.victims_code.work_queue import actions_due
from portal.vlu import service as vlu
from portal.vlu.models import Job, VluDecision, VluNotSent, VluRequest, VluTransition
from portal.vlu.service import pages, sending, unsent
from tests.support.factories import make_case, make_user
from tests.support.vlu import (
    PHONE_NO_VOICEMAIL,
    actor_of,
    add_victims,
    decision_of,
    record,
    requests_of,
    vault_for,
    victim,
)

REASONS = "A key witness can no longer give evidence. Without it there is not enough to go on."
SENDABLE, NO_RULES, PHONE_ONLY, NO_ADDRESS = 6, 2, 2, 2


def _case(db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    drafter = make_user(db, role=Role.VLU_OFFICER, display_name="Dana Drafter")
    checker = make_user(db, role=Role.VLU_OFFICER, display_name="Cass Checker")
    wco = make_user(db, role=Role.WITNESS_CARE_OFFICER, display_name="Wren Witnesscare")
    case = make_case(
        db, settings, prosecutor=prosecutor, officer=wco, offences=("FA2006-S2",), unit="seocid"
    )
    people_ = (
        [victim(f"Ready Victim {n}") for n in range(SENDABLE)]
        + [victim(f"Unruled Victim {n}", safe=None) for n in range(NO_RULES)]
        + [
            victim(f"Phone Victim {n}", safe=PHONE_NO_VOICEMAIL, phone="07700 900123")
            for n in range(PHONE_ONLY)
        ]
        + [victim(f"Homeless Victim {n}", address=None) for n in range(NO_ADDRESS)]
    )
    add_victims(db, settings, case, prosecutor, people_)
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE, ends_all=True)
    decision = decision_of(db, event)
    vlu.supply_reasons(
        db,
        vault_for(db, settings),
        actor_of(prosecutor),
        decision,
        reasons=REASONS,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    db.commit()
    return case, decision.id, drafter, checker, wco


def _run(factory, settings, user, decision_id, action: str, **kw) -> Job:
    with unit_of_work(factory) as s:
        decision = s.get(VluDecision, decision_id)
        job_id = vlu.enqueue_bulk(s, actor_of(user), decision, action=action, **kw).id
    jobs.run_pending(factory, settings.key_provider(), batch=5, pause=0)
    with unit_of_work(factory) as s:
        job = s.get(Job, job_id)
        s.expunge(job)
        return job


def _unit(s, settings, user) -> Unit:
    vault = vault_for(s, settings)
    return Unit(s, actor_of(user), lambda: vault)


def test_not_sent_letters_are_listed_exported_asked_for_and_sent(db, engine, settings) -> None:
    case, decision_id, drafter, checker, wco = _case(db, settings)
    factory = make_session_factory(engine)
    _run(factory, settings, drafter, decision_id, "draft_all")
    _run(factory, settings, checker, decision_id, "approve_all", checklist=set(vlu.CHECKLIST))
    job = _run(factory, settings, checker, decision_id, "send_all")
    unsent_count = NO_RULES + PHONE_ONLY + NO_ADDRESS
    assert (job.done, job.skipped) == (SENDABLE, unsent_count)

    with unit_of_work(factory) as s:
        reasons = dict(
            s.execute(select(VluNotSent.reason, func.count()).group_by(VluNotSent.reason)).all()
        )
        assert reasons == {
            "no_safe_channel": NO_RULES,
            "opted_out": PHONE_ONLY,
            "no_contact_detail": NO_ADDRESS,
        }
        shown = pages.job_page(_unit(s, settings, checker), job.id)
        assert shown.left == unsent_count
        assert shown.unsent == reasons

        # The list, filtered by reason, with each letter's deadline.
        page = unsent.not_sent_page(
            _unit(s, settings, checker), case.id, decision_id, reasons=[], page=1
        )
        assert page.page.total == page.left == unsent_count
        assert all(row.due_on is not None for row in page.page.items)
        assert page.to_ask == NO_RULES + NO_ADDRESS
        assert page.ready == set()
        only = unsent.not_sent_page(
            _unit(s, settings, checker),
            case.id,
            decision_id,
            reasons=unsent.reasons_of(["opted_out", "nonsense"]),
            page=1,
        )
        assert only.page.total == PHONE_ONLY
        names = {only.names[row.person.id].reveal() for row in only.page.items}
        assert names == {f"Phone Victim {n}" for n in range(PHONE_ONLY)}

        # The export: every letter, defused, and each person's disclosure logged.
        table = unsent.not_sent_csv(_unit(s, settings, checker), case.id, decision_id, reasons=[])
        rows = list(csv.reader(io.StringIO(table.text)))
        assert rows[0] == unsent.EXPORT_HEADINGS
        assert len(rows) == 1 + unsent_count
        labels = {unsent.UNSENT_REASONS[code] for code in reasons}
        assert {r[2] for r in rows[1:]} == labels
        disclosed = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "vlu.not_sent.export",
                AuditEvent.category == "disclosure",
                AuditEvent.subject_id.is_not(None),
            )
        )
        assert disclosed == unsent_count

    # Only the VLU works on the list.
    with pytest.raises(NotPermitted), unit_of_work(factory) as s:
        unsent.not_sent_page(_unit(s, settings, wco), case.id, decision_id, reasons=[], page=1)

    # Witness care is asked, once, for the people missing safe-contact details.
    with unit_of_work(factory) as s:
        assert unsent.ask_witness_care(_unit(s, settings, checker), case.id, decision_id) == 4
    with pytest.raises(ValidationFailed), unit_of_work(factory) as s:
        unsent.ask_witness_care(_unit(s, settings, checker), case.id, decision_id)
    with unit_of_work(factory) as s:
        actions = s.scalars(select(SafeguardingAction)).all()
        assert len(actions) == NO_RULES + NO_ADDRESS
        assert {a.owner_id for a in actions} == {wco.id}
        vault = vault_for(s, settings)
        assert all("safe way to contact" in vault.open_text(a, "description") for a in actions)
        far = max(a.due_on for a in actions)
        due = actions_due(s, actor_of(wco), until=far)
        assert len(due) == NO_RULES + NO_ADDRESS  # on their My work

    # The witness care officer records a safe way to reach the unruled victims (and an email
    # for one without an address); those letters can now be sent.
    with unit_of_work(factory) as s:
        vault = vault_for(s, settings)
        for _, person in requests_of(s, s.get(VluDecision, decision_id)):
            name = vault.open_text(person, "full_name") or ""
            if name.startswith("Unruled"):
                people.set_safe_contact(
                    s,
                    vault,
                    actor_of(wco),
                    person,
                    SafeContact(channels=("letter",)),
                    people.CommunicationNeeds(),
                    case_id=case.id,
                    expected_version=person.version,
                    unreadable={},
                )
    with unit_of_work(factory) as s:
        page = unsent.not_sent_page(
            _unit(s, settings, checker), case.id, decision_id, reasons=[], page=1
        )
        assert len(page.ready) == NO_RULES
        assert page.sendable == unsent_count  # every unsent letter is still checked

    rest = _run(factory, settings, checker, decision_id, "send_all")
    assert (rest.done, rest.skipped) == (NO_RULES, PHONE_ONLY + NO_ADDRESS)
    with unit_of_work(factory) as s:
        left = unsent.not_sent_page(
            _unit(s, settings, checker), case.id, decision_id, reasons=[], page=1
        )
        assert left.left == PHONE_ONLY + NO_ADDRESS
        assert left.counts == {"opted_out": PHONE_ONLY, "no_contact_detail": NO_ADDRESS}
        # Never sent twice: one send step per letter across both jobs.
        sends = s.scalar(
            select(func.count()).select_from(VluTransition).where(VluTransition.action == "send")
        )
        assert sends == SENDABLE + NO_RULES
        sent = s.scalar(
            select(func.count()).select_from(VluRequest).where(VluRequest.state == "sent")
        )
        assert sent == SENDABLE + NO_RULES


def test_a_letter_sent_by_hand_leaves_the_list(db, engine, settings) -> None:
    case, decision_id, drafter, checker, _ = _case(db, settings)
    factory = make_session_factory(engine)
    _run(factory, settings, drafter, decision_id, "draft_all")
    _run(factory, settings, checker, decision_id, "approve_all", checklist=set(vlu.CHECKLIST))
    _run(factory, settings, checker, decision_id, "send_all")
    with unit_of_work(factory) as s:
        row = s.scalars(select(VluNotSent).where(VluNotSent.reason == "opted_out")).first()
        request = s.get(VluRequest, row.request_id)
        sending.send_letter(
            _unit(s, settings, checker),
            case.id,
            request.id,
            channel="phone",
            expected_version=request.version,
        )
    with unit_of_work(factory) as s:
        assert s.get(VluNotSent, row.id).resolved_at is not None
        counts = unsent.unsent_repository.counts(s, decision_id)
        assert counts.get("opted_out") == PHONE_ONLY - 1
