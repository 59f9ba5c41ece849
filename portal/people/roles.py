"""A person's part in a case: victim, witness or both, and the enhanced-rights categories an
officer records. A change that gives someone rights publishes it (portal.cases.events), so the
events already recorded owe them their entitlements from today (portal.victims_code.late)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.events import EnhancedCategoryAdded, PersonRoleChanged
from portal.cases.models import CaseParty
from portal.clock import LONDON, utc_now
from portal.kit.events import publish

CATEGORIES = ("persistently_targeted", "vulnerable", "intimidated")


def _require_editor(actor: Actor) -> None:
    if not actor.can(Permission.EDIT_PERSON):
        raise NotPermitted("only witness care officers and prosecutors change people's records")


def _altered(
    db: Session, actor: Actor, party: CaseParty, action: str, fields: tuple[str, ...]
) -> None:
    """Flush the change to the person's part and audit it (the person by id)."""
    db.flush()
    audit.record(
        db,
        actor=actor,
        category="alteration",
        action=action,
        object_type="case_party",
        object_id=party.id,
        case_id=party.case_id,
        subject_id=party.person_id,
        fields=fields,
    )


def _gained(
    db: Session,
    actor: Actor,
    party: CaseParty,
    gain: type[PersonRoleChanged] | type[EnhancedCategoryAdded],
) -> None:
    """Tell the events already recorded that the person gained rights today."""
    today = utc_now().astimezone(LONDON).date()
    publish(db, gain(party.case_id, (party.id,), actor, today))


def change_role(
    db: Session, actor: Actor, party: CaseParty, *, is_victim: bool, is_witness: bool
) -> bool:
    """Victim, witness or both. Returns whether anything changed."""
    _require_editor(actor)
    if not (is_victim or is_witness):
        raise ValidationFailed({"role": "Select whether the person is a victim, a witness or both"})
    if (party.is_victim, party.is_witness) == (is_victim, is_witness):
        return False
    gained = (is_victim and not party.is_victim) or (is_witness and not party.is_witness)
    party.is_victim, party.is_witness = is_victim, is_witness
    _altered(db, actor, party, "person.role", ("is_victim", "is_witness"))
    if gained:
        _gained(db, actor, party, PersonRoleChanged)
    return True


def set_enhanced_categories(
    db: Session, actor: Actor, party: CaseParty, categories: set[str]
) -> bool:
    """The categories an officer records (children are enhanced automatically, from the date of
    birth). Returns whether anything changed."""
    _require_editor(actor)
    unknown = categories - set(CATEGORIES)
    if unknown:
        raise ValidationFailed({"categories": "Select the enhanced-rights categories that apply"})
    before = {c for c in CATEGORIES if getattr(party, c)}
    if before == categories:
        return False
    for category in CATEGORIES:
        setattr(party, category, category in categories)
    _altered(db, actor, party, "person.enhanced_categories", CATEGORIES)
    if categories - before:
        _gained(db, actor, party, EnhancedCategoryAdded)
    return True
