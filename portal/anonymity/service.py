"""Anonymity and sealed identities (issue 7): restrictions, anonymity order applications and
the two-person, time-limited, audited unmasking of a sealed identity.

A witness's true identity is sealed the moment an anonymity order is *sought* (the application
is drafted): from then on the vault shows the pseudonym everywhere (portal.keys.vault) and the
blind indexes on the true identity are removed, so search cannot find it. Free text cannot be
pseudonymised by column, so it is checked by content (portal.anonymity.identity): the application
itself may not name the witness, every existing free text of their cases is rewritten without
their true identity and unsent decision letters naming them go back for redrafting
(portal.anonymity.sweep), and no free text naming them can be saved afterwards. A refused order does
not unseal automatically: unsealing would be a deliberate act (and is not offered yet).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.anonymity import identity, sweep
from portal.anonymity.models import (
    MEASURES,
    RESTRICTION_KINDS,
    AnonymityApplication,
    Restriction,
)
from portal.anonymity.recording import about_person, sealed_keys

# Unmasking is its own use case (portal.anonymity.unmasking); its names stay reachable here.
from portal.anonymity.unmasking import TOO_MANY_TRIES as TOO_MANY_TRIES
from portal.anonymity.unmasking import WRONG_PASSWORD as WRONG_PASSWORD
from portal.anonymity.unmasking import active_grants as active_grants
from portal.anonymity.unmasking import approve_unmask as approve_unmask
from portal.anonymity.unmasking import request_unmask as request_unmask
from portal.anonymity.unmasking import requests_for as requests_for
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.models import Case, CaseParty, Offence
from portal.cases.offences import catalogue
from portal.cases.repository import staff_names as staff_names
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people import service as people
from portal.people.models import Person
from portal.settings import Settings


@dataclass(frozen=True, slots=True)
class Notice:
    reference: str
    text: str
    # The restriction's kind (RESTRICTION_KINDS) or "sealed": how the banner groups notices.
    kind: str
    person_id: uuid.UUID


def notices_for(
    db: Session, *, case_id: uuid.UUID | None, person_id: uuid.UUID | None
) -> list[Notice]:
    """Every restriction that applies to a page showing this case and/or person."""
    today = utc_now().date()
    query = select(Restriction, Person.reference).join(Person, Person.id == Restriction.person_id)
    if person_id is not None:
        query = query.where(Restriction.person_id == person_id)
    elif case_id is not None:
        query = query.where(Restriction.case_id == case_id)
    else:
        return []
    notices: list[Notice] = []
    waived: set[uuid.UUID] = set()
    for restriction, reference in db.execute(query):
        if restriction.kind == "soaa_1992" and restriction.waived_in_writing:
            waived.add(restriction.person_id)
            continue
        if restriction.lifted_on and restriction.lifted_on <= today:
            continue
        if restriction.ends_on and restriction.ends_on < today:
            continue
        text = RESTRICTION_KINDS[restriction.kind]
        if restriction.court_reference:
            text += f", court reference {restriction.court_reference}"
        notices.append(Notice(reference, text, restriction.kind, restriction.person_id))
    # Automatic lifelong anonymity: complainants of sexual offences and MSA s2 trafficking,
    # from the allegation (domain-rules.md 5.4). Not s1 slavery as such.
    automatic = _automatic_anonymity(db, case_id=case_id, person_id=person_id)
    for person_ref, person_uuid, since in automatic:
        if person_uuid in waived:
            continue
        when = f" since {since.strftime('%-d %B %Y')}" if since else ""
        notices.append(
            Notice(
                person_ref,
                f"{RESTRICTION_KINDS['soaa_1992']}{when}: automatic",
                "soaa_1992",
                person_uuid,
            )
        )
    sealed = (
        select(Person.reference, Person.id)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .where(Person.identity_sealed.is_(True))
    )
    if person_id is not None:
        sealed = sealed.where(Person.id == person_id)
    else:
        sealed = sealed.where(CaseParty.case_id == case_id)
    for reference, sealed_id in db.execute(sealed.distinct()):
        notices.append(
            Notice(
                reference,
                "Identity sealed: an anonymity order has been sought or granted",
                "sealed",
                sealed_id,
            )
        )
    return notices


@cache
def _anonymity_codes() -> tuple[str, ...]:
    """The offences whose complainants have lifelong anonymity from the allegation."""
    return tuple(sorted(code for code, kind in catalogue().items() if kind.sexual or kind.msa == 2))


def _automatic_anonymity(
    db: Session, *, case_id: uuid.UUID | None, person_id: uuid.UUID | None
) -> list[tuple[str, uuid.UUID, date | None]]:
    # Only the offences that carry it are joined: a mass-victim fraud case has none, and its
    # 2,000 victims are then not read on every page of the case.
    query = (
        select(Person.reference, Person.id, Offence.committed_on)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .join(Offence, Offence.case_id == CaseParty.case_id)
        .where(CaseParty.is_victim.is_(True), Offence.code.in_(_anonymity_codes()))
    )
    if person_id is not None:
        query = query.where(Person.id == person_id)
        if case_id is not None:
            query = query.where(CaseParty.case_id == case_id)
    else:
        query = query.where(CaseParty.case_id == case_id)
    found: dict[uuid.UUID, tuple[str, uuid.UUID, date | None]] = {}
    for reference, pid, committed in db.execute(query):
        earlier = found.get(pid)
        if earlier is None or (committed and (earlier[2] is None or committed < earlier[2])):
            found[pid] = (reference, pid, committed)
    return list(found.values())


def add_restriction(
    db: Session,
    actor: Actor,
    case: Case,
    person: Person,
    *,
    kind: str,
    starts_on: date | None,
    ends_on: date | None,
    court_reference: str,
    waived_in_writing: bool = False,
) -> Restriction:
    if not actor.can(Permission.RECORD_RESTRICTION):
        raise NotPermitted("only prosecutors and witness care officers record restrictions")
    errors: dict[str, str] = {}
    if kind not in RESTRICTION_KINDS:
        errors["kind"] = "Select the restriction"
    if starts_on is None:
        errors["starts_on"] = "Enter the date it starts"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be after the start date"
    if len(court_reference) > 60:
        errors["court_reference"] = "The court reference must be 60 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    assert starts_on is not None
    restriction = Restriction(
        case_id=case.id,
        person_id=person.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        court_reference=court_reference.strip() or None,
        waived_in_writing=waived_in_writing,
        recorded_by_id=actor.user_id,
        recorded_at=utc_now(),
    )
    db.add(restriction)
    db.flush()
    about_person(db, actor, restriction, person, category="collection", action="restriction.add")
    return restriction


# --- witness anonymity order applications ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drafted:
    application: AnonymityApplication
    swept: sweep.Swept  # what sealing did to existing free text and letters


TRANSITIONS = {
    "approve": ("drafted", "approved"),
    "serve": ("approved", "served"),
    "grant": ("served", "granted"),
    "refuse": ("served", "refused"),
    "vary": ("granted", "varied"),
    "discharge": ("granted", "discharged"),
}


def draft_application(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    person: Person,
    *,
    condition_a: str,
    condition_b: str,
    condition_c: str,
    considerations: str,
    measures: list[str],
) -> Drafted:
    if not actor.can(Permission.APPLY_FOR_ANONYMITY):
        raise NotPermitted("only prosecutors apply for witness anonymity orders")
    errors: dict[str, str] = {}
    for name, text in (
        ("condition_a", condition_a),
        ("condition_b", condition_b),
        ("condition_c", condition_c),
    ):
        if not text.strip():
            errors[name] = f"Explain how condition {name[-1].upper()} is met"
        elif len(text) > 10_000:
            errors[name] = "Keep each condition to 10,000 characters or fewer"
    chosen = [m for m in measures if m in MEASURES]
    if not chosen:
        errors["measures"] = "Select the measures the order should require"
    errors |= identity.case_text_errors(
        db,
        vault,
        case.id,
        {
            "condition_a": ("Condition A", condition_a),
            "condition_b": ("Condition B", condition_b),
            "condition_c": ("Condition C", condition_c),
            "considerations": ("The other considerations", considerations),
        },
        also=person,  # not sealed yet: it will be when this is saved
    )
    if errors:
        raise ValidationFailed(errors)
    application = AnonymityApplication(
        **sealed_keys(case, person),
        state="drafted",
        measures=",".join(chosen),
        drafted_by_id=actor.user_id,
        drafted_at=utc_now(),
    )
    vault.put(application, "condition_a", condition_a.strip())
    vault.put(application, "condition_b", condition_b.strip())
    vault.put(application, "condition_c", condition_c.strip())
    vault.put(application, "considerations", considerations.strip() or None)
    db.add(application)
    db.flush()
    # Sought: the identity is sealed from now on, and removed from what was written before.
    swept = sweep.Swept()
    if not person.identity_sealed:
        people.seal_identity(db, actor, person)
        swept = sweep.remove_true_identity(db, vault, actor, person)
    about_person(db, actor, application, person, category="collection", action="anonymity.draft")
    return Drafted(application, swept)


def transition(
    db: Session,
    actor: Actor,
    settings: Settings,
    application: AnonymityApplication,
    action: str,
    *,
    on: date | None = None,
    court_reference: str = "",
) -> None:
    if action not in TRANSITIONS:
        raise ValidationFailed({"action": "Choose what happened"})
    source, target = TRANSITIONS[action]
    if application.state != source:
        raise NotPermitted(f"cannot {action} an application that is {application.state}")
    if action == "approve":
        _may_approve(db, actor, settings, application)
        application.approved_by_id = actor.user_id
        application.approved_at = utc_now()
    elif not actor.can(Permission.APPLY_FOR_ANONYMITY):
        raise NotPermitted("only prosecutors serve and record the court's decisions")
    if action in {"serve", "grant", "refuse", "vary", "discharge"} and on is None:
        raise ValidationFailed({"on": "Enter the date"})
    if action == "serve":
        application.served_on = on
    if action in {"grant", "refuse"}:
        application.decided_on = on
        application.court_reference = court_reference.strip() or None
    application.state = target
    db.flush()
    if action == "grant":
        assert on is not None
        db.add(
            Restriction(
                case_id=application.case_id,
                person_id=application.person_id,
                kind="wao",
                starts_on=on,
                court_reference=application.court_reference,
                recorded_by_id=actor.user_id,
                recorded_at=utc_now(),
            )
        )
    if action == "discharge":
        for restriction in db.scalars(
            select(Restriction).where(
                Restriction.person_id == application.person_id,
                Restriction.kind == "wao",
                Restriction.lifted_on.is_(None),
            )
        ):
            restriction.lifted_on = on
    db.flush()
    audit.record(
        db,
        actor=actor,
        category="alteration",
        action=f"anonymity.{action}",
        object_type="anonymity_application",
        object_id=application.id,
        case_id=application.case_id,
        subject_id=application.person_id,
        fields=("state",),
    )


def may_approve_as_second_person(db: Session, actor: Actor, settings: Settings) -> bool:
    """The approver pool of anonymity applications: the permission, the approving role (a
    setting) and the account's own permission to approve, given by an administrator
    (``User.may_approve``, issue 16 point 7)."""
    if (
        not actor.can(Permission.APPROVE_ANONYMITY_APPLICATION)
        or actor.role.value != settings.anonymity_approver_role
    ):
        return False
    user = db.get(User, actor.user_id)
    return user is not None and user.is_active and user.may_approve


def _may_approve(
    db: Session, actor: Actor, settings: Settings, application: AnonymityApplication
) -> None:
    if not may_approve_as_second_person(db, actor, settings):
        raise NotPermitted("only the approving role, with the permission to approve, can approve")
    if actor.user_id == application.drafted_by_id:
        raise NotPermitted("the approver must be someone other than the author")


def return_application(
    db: Session,
    vault: Vault,
    actor: Actor,
    settings: Settings,
    application: AnonymityApplication,
    *,
    comment: str,
    refuse: bool = False,
) -> None:
    """The second person's "no", with a comment for the author: returned, the application stays
    drafted (the author may change it and a second person may still approve it); refused
    (``refuse``), it is declined and not made."""
    if application.state != "drafted":
        verb = "refuse" if refuse else "return"
        raise NotPermitted(f"cannot {verb} an application that is {application.state}")
    _may_approve(db, actor, settings, application)
    comment = comment.strip()
    if not comment:
        raise ValidationFailed({"comment": "Enter a comment for the author"})
    if len(comment) > 2000:
        raise ValidationFailed({"comment": "The comment must be 2,000 characters or fewer"})
    errors = identity.case_text_errors(
        db, vault, application.case_id, {"comment": ("The comment", comment)}
    )
    if errors:
        raise ValidationFailed(errors)
    application.returned_by_id = actor.user_id
    application.returned_at = utc_now()
    vault.put(application, "return_comment", comment)
    if refuse:
        application.state = "declined"
    db.flush()
    audit.record(
        db,
        actor=actor,
        category="alteration",
        action="anonymity.decline" if refuse else "anonymity.return",
        object_type="anonymity_application",
        object_id=application.id,
        case_id=application.case_id,
        subject_id=application.person_id,
        fields=("state", "return_comment") if refuse else ("return_comment",),
    )


def applications_for(
    db: Session, case_id: uuid.UUID, person_id: uuid.UUID | None = None
) -> list[AnonymityApplication]:
    query = select(AnonymityApplication).where(AnonymityApplication.case_id == case_id)
    if person_id is not None:
        query = query.where(AnonymityApplication.person_id == person_id)
    return list(db.scalars(query.order_by(AnonymityApplication.drafted_at.desc())))


# --- unmasking ---------------------------------------------------------------------------
