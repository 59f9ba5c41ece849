"""A sealed witness's true identity in free text (issue 12, point 1): the send guard compares the
letter with the true values; free text naming a sealed person is refused when saved; and sealing
an identity (seeking an anonymity order) rewrites what was written before and returns unsent
letters for redrafting. Every check is on both databases, like every test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import portal.models  # noqa: F401  (every model, for the inventory test)
from portal.accounts.roles import Role
from portal.accounts.unit import Unit
from portal.anonymity import service as anonymity
from portal.audit.models import AuditEvent
from portal.cases import service as cases
from portal.cases.errors import ValidationFailed
from portal.cases.models import CaseEvent, CaseParty
from portal.cases.reference import EventKind
from portal.db.base import Base
from portal.db.encrypted import EncryptedBlob
from portal.keys.vault import pseudonym
from portal.people import service as people
from portal.people.actions import add_action
from portal.people.needs import record_needs_assessment
from portal.people.safeguarding import InCase
from portal.people.service import SafeContact, seal_identity
from portal.safeguards import service as safeguards
from portal.safeguards.models import SafeguardingAction
from portal.victims_code import lifecycle
from portal.victims_code.models import Obligation
from portal.vlu import service as vlu
from portal.vlu.models import VluLetter, VluMessage, VluTransition
from portal.vlu.states import TransitionRefused
from tests.integration.test_vlu_workflow import REASONS, _ready
from tests.support.factories import PASSWORD, make_case, make_user
from tests.support.vlu import (
    actor_of,
    add_victims,
    decision_of,
    record,
    requests_of,
    vault_for,
    victim,
)

TRUE_NAME = "Vera Victim"  # the person _ready adds; address "1 Test Street, Testtown"
CONDITIONS = {
    "condition_a": "Associates of the accused have threatened witnesses.",
    "condition_b": "The evidence can be fully tested without the name.",
    "condition_c": "The witness will not give evidence otherwise.",
    "measures": ["withhold_name", "pseudonym"],
}


def _world(db, settings, channels=("letter", "in_person")):
    w = _ready(db, settings, EventKind.DISCONTINUANCE, safe=SafeContact(channels=channels))
    w["wco"] = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    w["case"].witness_care_officer_id = w["wco"].id
    w["party"] = db.scalars(select(CaseParty).where(CaseParty.case_id == w["case"].id)).one()
    db.flush()
    return w


def _draft(db, w, body: str) -> VluLetter:
    return vlu.save_draft(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        body=body,
        expected_version=None,
    )


def _approve(db, w) -> None:
    vlu.approve(
        db,
        w["vault"],
        actor_of(w["checker"]),
        w["request"],
        w["decision"],
        w["person"],
        checklist=set(vlu.CHECKLIST),
        notes="",
        expected_version=None,
    )


def _send(db, w, channel: str) -> None:
    vlu.send(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        channel=channel,
        expected_version=None,
    )


def _seek_order(db, w, vault=None):
    return anonymity.draft_application(
        db,
        vault or vault_for(db, w["settings"]),
        actor_of(w["prosecutor"]),
        w["case"],
        w["person"],
        considerations="",
        **CONDITIONS,
    )


@pytest.fixture
def world(db, settings):
    w = _world(db, settings)
    w["settings"] = settings
    return w


# --- (a) the send guard ----------------------------------------------------------------------


def test_the_send_guard_finds_the_true_name_of_a_sealed_person(db, world) -> None:
    w = world
    _draft(db, w, f"Dear {TRUE_NAME},\n\n{REASONS}")
    _approve(db, w)
    # Sealed without the sweep (as a record sealed before this fix would be).
    seal_identity(db, actor_of(w["prosecutor"]), w["person"])
    db.flush()
    w["vault"] = vault_for(db, w["settings"])  # the next request's: it sees the seal
    assert w["vault"].open_text(w["person"], "full_name") == pseudonym(w["person"].reference)
    with pytest.raises(vlu.SendRefused, match="includes the true identity"):
        _send(db, w, "in_person")
    assert w["request"].state == "checked"
    refusals = vlu.refusals_for(db, w["vault"], w["request"], w["person"])
    assert all(refusals.values()), refusals


def test_a_letter_naming_another_sealed_person_in_the_case_is_not_sent(db, settings) -> None:
    w = _world(db, settings)
    witness, _ = people.add_person_to_case(
        db,
        w["vault"],
        actor_of(w["prosecutor"]),
        w["case"],
        people.PersonDetails(full_name="Ozymandias Canarybird"),
        is_victim=False,
        is_witness=True,
    )
    _draft(db, w, f"Dear {TRUE_NAME},\n\nOzymandias Canarybird saw what happened.\n\n{REASONS}")
    _approve(db, w)
    seal_identity(db, actor_of(w["prosecutor"]), witness)
    db.flush()
    with pytest.raises(vlu.SendRefused, match="includes the true identity"):
        _send(db, w, "letter")


# --- (b) refused when saved ------------------------------------------------------------------


def test_a_letter_naming_a_sealed_person_is_refused_and_the_pseudonym_is_named(db, world) -> None:
    w = world
    seal_identity(db, actor_of(w["prosecutor"]), w["person"])
    db.flush()
    alias = pseudonym(w["person"].reference)
    for typed in (f"Dear {TRUE_NAME},", "Dear MS VICTIM,", "Write to 1 Test Street, Testtown."):
        with pytest.raises(ValidationFailed) as refused:
            _draft(db, w, f"{typed}\n\n{REASONS}")
        message = refused.value.errors["body"]
        assert message == (
            "The letter includes the true identity of a person whose identity is sealed — use "
            f"their pseudonym {alias}"
        )
        assert "Vera" not in message
    assert db.scalars(select(VluLetter)).all() == []
    assert _draft(db, w, f"Dear {alias},\n\n{REASONS}").revision == 1


def _sealed_texts(db, w):
    """Each free-text save, with its field, typed with the sealed person's true name."""
    vault, case, party, person = w["vault"], w["case"], w["party"], w["person"]
    named = f"{TRUE_NAME} is frightened of the defendant's family."
    obligation = db.get(Obligation, w["request"].obligation_id)
    return {
        "message": lambda: vlu.post_message(
            db, vault, actor_of(w["wco"]), w["request"], person, body=named
        ),
        "event notes": lambda: cases.record_event(
            db,
            vault,
            actor_of(w["prosecutor"]),
            case,
            cases.NewEvent(
                kind=EventKind.HEARING_LISTED,
                event_date=vlu.london_today() - timedelta(days=1),
                notes=named,
            ),
        ),
        "safeguarding action": lambda: add_action(
            Unit(db, actor_of(w["wco"]), lambda: vault),
            InCase(case, party, person),
            description=named,
            owner_id=w["wco"].id,
            due_on=vlu.london_today() + timedelta(days=3),
        ),
        "needs notes": lambda: record_needs_assessment(
            Unit(db, actor_of(w["wco"]), lambda: vault),
            InCase(case, party, person),
            safeguards.NeedsInput(
                needs={kind: safeguards.Need(False) for kind, _ in safeguards.NEED_KINDS},
                notes=named,
                assessed_on=vlu.london_today(),
                risk_level="high",
            ),
        ),
        "safe-contact rules": lambda: people.set_safe_contact(
            db,
            vault,
            actor_of(w["wco"]),
            person,
            SafeContact(channels=("letter",), do_not_tell=named),
            people.CommunicationNeeds(),
            case_id=case.id,
        ),
        # A VCL letter duty is met only by the send (its evidence is fixed text): the free text
        # an officer types on it is the reason it was not met.
        "obligation reason": lambda: lifecycle.close_without_meeting(
            db,
            vault,
            actor_of(w["drafter"]),
            obligation,
            state="not_met_good_reason",
            reason=named,
            expected_version=obligation.version,
            reason_code="other",
        ),
        "unmask reason": lambda: anonymity.request_unmask(
            db,
            vault,
            actor_of(w["prosecutor"]),
            w["settings"],
            case,
            person,
            reason=named,
            password=PASSWORD,
            client="testclient",
        ),
        "anonymity considerations": lambda: anonymity.draft_application(
            db,
            vault,
            actor_of(w["prosecutor"]),
            case,
            person,
            considerations=named,
            **CONDITIONS,
        ),
    }


@pytest.mark.parametrize(
    "what",
    [
        "message",
        "event notes",
        "safeguarding action",
        "needs notes",
        "safe-contact rules",
        "obligation reason",
        "unmask reason",
        "anonymity considerations",
    ],
)
def test_free_text_naming_a_sealed_person_is_refused(db, world, what: str) -> None:
    w = world
    w["prosecutor"].may_unmask = True
    seal_identity(db, actor_of(w["prosecutor"]), w["person"])
    db.flush()
    with pytest.raises(ValidationFailed) as refused:
        _sealed_texts(db, w)[what]()
    (message,) = refused.value.errors.values()
    assert "includes the true identity of a person whose identity is sealed" in message
    assert pseudonym(w["person"].reference) in message and "Vera" not in message


def test_an_application_that_names_the_witness_is_refused_before_sealing(db, world) -> None:
    w = world
    with pytest.raises(ValidationFailed) as refused:
        _sealed_texts(db, w)["anonymity considerations"]()
    assert set(refused.value.errors) == {"considerations"}
    assert w["person"].identity_sealed is False  # nothing was saved, nothing sealed


# --- (c) at the moment of sealing -------------------------------------------------------------


def test_sealing_returns_the_unsent_letter_and_masks_every_free_text(db, world) -> None:
    w = world
    vault = w["vault"]
    _draft(db, w, f"Dear {TRUE_NAME},\n\n{REASONS}\n\nWe will write to 1 Test Street, Testtown.")
    _approve(db, w)
    vlu.post_message(
        db, vault, actor_of(w["wco"]), w["request"], w["person"], body=f"{TRUE_NAME} rang."
    )
    event, _ = cases.record_event(
        db,
        vault,
        actor_of(w["prosecutor"]),
        w["case"],
        cases.NewEvent(
            kind=EventKind.HEARING_LISTED,
            event_date=vlu.london_today() - timedelta(days=1),
            notes="Ms Victim to attend with her mother.",
        ),
    )
    action = add_action(
        Unit(db, actor_of(w["wco"]), lambda: vault),
        InCase(w["case"], w["party"], w["person"]),
        description=f"Book a taxi for {TRUE_NAME}",
        owner_id=w["wco"].id,
        due_on=vlu.london_today() + timedelta(days=3),
    )
    db.flush()

    drafted = _seek_order(db, w, vault)
    db.flush()
    alias = pseudonym(w["person"].reference)
    assert drafted.swept.letters_returned == 1
    assert drafted.swept.texts_masked == 3  # the message, the event's notes, the action

    request = w["request"]
    assert request.state == "needs_redraft"
    assert request.checked_by_id is None and request.check_accurate is None
    letter = db.scalars(select(VluLetter)).one()
    body = vault.open_text(letter, "body") or ""
    assert body.startswith(f"Dear {alias},") and "[address withheld]" in body
    assert "Vera" not in body and "Test Street" not in body
    assert letter.identity_removed_at is not None
    step = db.scalars(select(VluTransition).where(VluTransition.action == "identity_sealed")).one()
    assert (step.from_state, step.to_state) == ("checked", "needs_redraft")

    message = db.scalars(select(VluMessage)).one()
    assert vault.open_text(message, "body") == f"{alias} rang."
    assert vault.open_text(db.get(CaseEvent, event.id), "notes") == (
        f"{alias} to attend with her mother."
    )
    assert vault.open_text(db.get(SafeguardingAction, action.id), "description") == (
        f"Book a taxi for {alias}"
    )

    # Audited with ids and column names only.
    rows = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(["identity.removed_from_text", "vlu.letter.returned_for_redraft"])
        )
    ).all()
    assert {(r.object_type, r.object_id) for r in rows} == {
        ("vlu_letter", str(letter.id)),
        ("vlu_message", str(message.id)),
        ("case_event", str(event.id)),
        ("safeguarding_action", str(action.id)),
    }
    for row in rows:
        assert row.subject_id == w["person"].id
        assert "Vera" not in repr(row.fields) and "Test" not in repr(row.fields)

    # It cannot be checked or sent until it is redrafted; the redraft must be checked again.
    with pytest.raises(TransitionRefused):
        _approve(db, w)
    with pytest.raises(TransitionRefused):
        _send(db, w, "in_person")
    _draft(db, w, f"Dear {alias},\n\n{REASONS}")
    assert request.state == "drafted" and letter.identity_removed_at is None


def test_a_sent_letter_keeps_its_state_and_loses_the_true_name(db, world) -> None:
    w = world
    _draft(db, w, f"Dear {TRUE_NAME},\n\n{REASONS}")
    _approve(db, w)
    _send(db, w, "letter")
    drafted = _seek_order(db, w, w["vault"])
    assert (drafted.swept.letters_returned, drafted.swept.letters_masked) == (0, 1)
    assert w["request"].state == "sent"
    letter = db.scalars(select(VluLetter)).one()
    body = w["vault"].open_text(letter, "body") or ""
    assert "Vera" not in body and pseudonym(w["person"].reference) in body
    assert letter.identity_removed_at is not None


def test_every_encrypted_column_is_checked_when_sealing_or_explained() -> None:
    """A new sealed free-text column must join ``FREE_TEXT`` (or say why not)."""
    from portal.anonymity.sweep import FREE_TEXT, NOT_FREE_TEXT

    listed = {f"{spec.model.__tablename__}.{c}" for spec in FREE_TEXT for c in spec.columns}
    unexplained = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, EncryptedBlob):
                continue
            name = f"{table.name}.{column.name}"
            if (
                name not in listed
                and name not in NOT_FREE_TEXT
                and f"{table.name}.*" not in (NOT_FREE_TEXT)
            ):
                unexplained.append(name)
    assert unexplained == []
    assert not listed & set(NOT_FREE_TEXT)


def test_bulk_sending_leaves_a_letter_naming_a_sealed_person_for_an_officer(db, settings) -> None:
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    drafter = make_user(db, role=Role.VLU_OFFICER)
    checker = make_user(db, role=Role.VLU_OFFICER)
    case = make_case(db, settings, prosecutor=prosecutor, offences=("FA2006-S2",))
    add_victims(db, settings, case, prosecutor, [victim("Vera Victim"), victim("Sam Standard")])
    vault = vault_for(db, settings)
    witness, _ = people.add_person_to_case(
        db,
        vault,
        actor_of(prosecutor),
        case,
        people.PersonDetails(full_name="Ozymandias Canarybird"),
        is_victim=False,
        is_witness=True,
    )
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    decision = decision_of(db, event)
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
    for index, (request, person) in enumerate(requests_of(db, decision)):
        named = "Ozymandias Canarybird saw it happen. " if index == 0 else ""
        body = f"Dear {vault.open_text(person, 'full_name')},\n\n{named}{REASONS}"
        vlu.save_draft(
            db,
            vault,
            actor_of(drafter),
            request,
            decision,
            person,
            body=body,
            expected_version=None,
        )
        vlu.approve(
            db,
            vault,
            actor_of(checker),
            request,
            decision,
            person,
            checklist=set(vlu.CHECKLIST),
            notes="",
            expected_version=None,
        )
    seal_identity(db, actor_of(prosecutor), witness)  # the bare seal: the letter still names him
    db.flush()
    job = vlu.enqueue_bulk(db, actor_of(checker), decision, action="send_all")
    vlu.bulk_batch(db, vault_for(db, settings), actor_of(checker), job, 10)
    assert (job.done, job.skipped) == (1, 1)
    states = [request.state for request, _ in requests_of(db, decision)]
    assert states == ["checked", "sent"]
