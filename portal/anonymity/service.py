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
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import service as accounts
from portal.accounts.actor import Actor
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.anonymity import identity, sweep
from portal.anonymity.models import (
    MEASURES,
    RESTRICTION_KINDS,
    AnonymityApplication,
    Restriction,
    UnmaskRequest,
)
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.models import Case, CaseParty, Offence
from portal.cases.offences import offence_type
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people import service as people
from portal.people.models import Person
from portal.settings import Settings

WRONG_PASSWORD = "The password is not correct"  # noqa: S105
TOO_MANY_TRIES = (
    "You have entered a wrong password too many times. Wait 5 minutes before you try again, "
    "or contact your service desk"
)


@dataclass(frozen=True, slots=True)
class Notice:
    reference: str
    text: str


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
        notices.append(Notice(reference, text))
    # Automatic lifelong anonymity: complainants of sexual offences and MSA s2 trafficking,
    # from the allegation (domain-rules.md 5.4). Not s1 slavery as such.
    automatic = _automatic_anonymity(db, case_id=case_id, person_id=person_id)
    for person_ref, person_uuid, since in automatic:
        if person_uuid in waived:
            continue
        when = f" since {since.strftime('%-d %B %Y')}" if since else ""
        notices.append(Notice(person_ref, f"{RESTRICTION_KINDS['soaa_1992']}{when}: automatic"))
    sealed = (
        select(Person.reference)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .where(Person.identity_sealed.is_(True))
    )
    if person_id is not None:
        sealed = sealed.where(Person.id == person_id)
    else:
        sealed = sealed.where(CaseParty.case_id == case_id)
    for reference in db.scalars(sealed.distinct()):
        notices.append(
            Notice(reference, "Identity sealed: an anonymity order has been sought or granted")
        )
    return notices


def _automatic_anonymity(
    db: Session, *, case_id: uuid.UUID | None, person_id: uuid.UUID | None
) -> list[tuple[str, uuid.UUID, date | None]]:
    query = (
        select(Person.reference, Person.id, Offence.code, Offence.committed_on)
        .join(CaseParty, CaseParty.person_id == Person.id)
        .join(Offence, Offence.case_id == CaseParty.case_id)
        .where(CaseParty.is_victim.is_(True))
    )
    if person_id is not None:
        query = query.where(Person.id == person_id)
        if case_id is not None:
            query = query.where(CaseParty.case_id == case_id)
    else:
        query = query.where(CaseParty.case_id == case_id)
    found: dict[uuid.UUID, tuple[str, uuid.UUID, date | None]] = {}
    for reference, pid, code, committed in db.execute(query):
        kind = offence_type(code)
        if kind is None or not (kind.sexual or kind.msa == 2):
            continue
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
    if actor.role not in {Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER}:
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
        id=uuid.uuid4(),
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
    audit.record(
        db,
        actor=actor,
        category="collection",
        action="restriction.add",
        object_type="restriction",
        object_id=restriction.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
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
    if actor.role is not Role.PROSECUTOR:
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
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=person.id,
        key_id=person.key_id,
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
    audit.record(
        db,
        actor=actor,
        category="collection",
        action="anonymity.draft",
        object_type="anonymity_application",
        object_id=application.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
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
        if actor.role.value != settings.anonymity_approver_role:
            raise NotPermitted("only the approving role can approve")
        if actor.user_id == application.drafted_by_id:
            raise NotPermitted("the approver must be someone other than the author")
        application.approved_by_id = actor.user_id
        application.approved_at = utc_now()
    elif actor.role is not Role.PROSECUTOR:
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
                id=uuid.uuid4(),
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


def applications_for(
    db: Session, case_id: uuid.UUID, person_id: uuid.UUID | None = None
) -> list[AnonymityApplication]:
    query = select(AnonymityApplication).where(AnonymityApplication.case_id == case_id)
    if person_id is not None:
        query = query.where(AnonymityApplication.person_id == person_id)
    return list(db.scalars(query.order_by(AnonymityApplication.drafted_at.desc())))


# --- unmasking ---------------------------------------------------------------------------


def _permitted(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id)
    if user is None or not user.may_unmask or not user.is_active:
        raise NotPermitted("you do not have the permission to see sealed identities")
    return user


def _password_problem(
    db: Session, settings: Settings, user: User, password: str, *, client: str, purpose: str
) -> str | None:
    """Re-check the password through the sign-in throttle (counted, logged and audited)."""
    if not password:
        return "Enter your password"
    outcome = accounts.recheck_password(
        db,
        settings=settings,
        user=user,
        password=password,
        client=client,
        purpose=purpose,
        now=utc_now(),
    )
    if outcome is accounts.Recheck.THROTTLED:
        return TOO_MANY_TRIES
    if outcome is accounts.Recheck.WRONG:
        return WRONG_PASSWORD
    return None


def request_unmask(
    db: Session,
    vault: Vault,
    actor: Actor,
    settings: Settings,
    case: Case,
    person: Person,
    *,
    reason: str,
    password: str,
    client: str,
) -> UnmaskRequest:
    user = _permitted(db, actor)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why you need to see this person's identity"
    elif len(reason) > 2000:
        errors["reason"] = "The reason must be 2,000 characters or fewer"
    errors |= identity.case_text_errors(
        db, vault, case.id, {"reason": ("The reason", reason)}, also=person
    )
    problem = _password_problem(
        db, settings, user, password, client=client, purpose="unmask.request"
    )
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    request = UnmaskRequest(
        id=uuid.uuid4(),
        person_id=person.id,
        case_id=case.id,
        key_id=person.key_id,
        state="pending",
        requested_by_id=actor.user_id,
        requested_at=utc_now(),
    )
    vault.put(request, "reason", reason.strip())
    db.add(request)
    db.flush()
    audit.record(
        db,
        actor=actor,
        category="security",
        action="unmask.request",
        object_type="unmask_request",
        object_id=request.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    return request


def approve_unmask(
    db: Session,
    actor: Actor,
    settings: Settings,
    request: UnmaskRequest,
    *,
    password: str,
    client: str,
    approve: bool | None = True,
) -> None:
    """The second person's decision. ``approve`` is None when they chose nothing: nothing is
    assumed, the choice must be made."""
    user = _permitted(db, actor)
    if request.state != "pending":
        raise NotPermitted("this request has already been decided")
    if actor.user_id == request.requested_by_id:
        raise NotPermitted("a second person must approve")
    errors: dict[str, str] = {}
    if approve is None:
        errors["decision"] = "Select whether you approve or refuse this request"
    problem = _password_problem(
        db, settings, user, password, client=client, purpose="unmask.decide"
    )
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    now = utc_now()
    request.state = "approved" if approve else "refused"
    request.approved_by_id = actor.user_id
    request.decided_at = now
    if approve:
        request.expires_at = now + timedelta(minutes=settings.unmask_minutes)
    db.flush()
    subject = db.get(Person, request.person_id)
    audit.record(
        db,
        actor=actor,
        category="disclosure" if approve else "security",
        action="unmask.approve" if approve else "unmask.refuse",
        object_type="unmask_request",
        object_id=request.id,
        case_id=request.case_id,
        subject_id=request.person_id,
        subject_ref=subject.reference if subject else None,
        recipient=f"user:{request.requested_by_id}",
    )


def active_grants(db: Session, user_id: uuid.UUID) -> set[int]:
    """Person key ids this user may see unsealed right now."""
    now = utc_now()
    return set(
        db.scalars(
            select(UnmaskRequest.key_id).where(
                UnmaskRequest.requested_by_id == user_id,
                UnmaskRequest.state == "approved",
                UnmaskRequest.expires_at > now,
            )
        )
    )


def staff_names(db: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of the staff who asked for or decided something (for the approver)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.display_name for u in db.scalars(select(User).where(User.id.in_(wanted)))}


def requests_for(db: Session, person_id: uuid.UUID) -> list[UnmaskRequest]:
    return list(
        db.scalars(
            select(UnmaskRequest)
            .where(UnmaskRequest.person_id == person_id)
            .order_by(UnmaskRequest.requested_at.desc())
        )
    )
