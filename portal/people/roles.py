"""A person's part in a case: victim, witness or both, and the enhanced-rights categories an
officer records. A change that gives someone rights publishes it (portal.cases.events), so the
events already recorded owe them their entitlements from today (portal.victims_code.late)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, ValidationFailed
from portal.cases.events import EnhancedCategoryAdded, PersonRoleChanged
from portal.cases.models import CaseParty
from portal.clock import LONDON, utc_now
from portal.keys.vault import Vault
from portal.kit.errors import StaleEdit
from portal.kit.events import publish
from portal.people.vocabulary import vocabulary

# Set through ``set_enhanced_categories`` (no reasons: older callers and the importer's rules).
CATEGORIES = ("persistently_targeted", "vulnerable", "intimidated")
# Every category an officer may record with a reason (portal/data/people.toml has their grounds).
RECORDABLE = ("most_serious", "persistently_targeted", "vulnerable", "intimidated")
MAX_REASON = 1000
LEGACY = "recorded"  # reasons stored as one text (imports, the demo) before they were by category


def require_editor(actor: Actor) -> None:
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


def role_of(party: CaseParty) -> str:
    """``victim``, ``witness`` or ``both`` (the role form's values)."""
    if party.is_victim and party.is_witness:
        return "both"
    return "victim" if party.is_victim else "witness"


def change_role(
    db: Session,
    actor: Actor,
    party: CaseParty,
    *,
    is_victim: bool,
    is_witness: bool,
    expected_version: int | None = None,
) -> bool:
    """Victim, witness or both. Returns whether anything changed. ``expected_version``: the
    version the form was shown with (``StaleEdit`` with the role stored now if it moved on)."""
    require_editor(actor)
    if not (is_victim or is_witness):
        raise ValidationFailed({"role": "Select whether the person is a victim, a witness or both"})
    if expected_version is not None and party.version != expected_version:
        raise StaleEdit({"role": role_of(party)}, party.version)
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
    require_editor(actor)
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


# --- recording categories with their reasons ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an officer recorded a category: one of its grounds, and in their words."""

    ground: str
    details: str


def stored_reasons(vault: Vault, party: CaseParty) -> dict[str, Reason]:
    """The reasons recorded, by category (sealed, JSON by category). Reasons stored as one text
    before they were by category come back under ``LEGACY``. Empty when the vault withholds
    them (a pseudonymised viewer)."""
    text = vault.open_text(party, "enhanced_reasons")
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return {LEGACY: Reason("", text)}
    return {
        code: Reason(str(row.get("ground", "")), str(row.get("details", "")))
        for code, row in data.items()
        if isinstance(row, dict)
    }


def reason_errors(recorded: Mapping[str, Reason]) -> dict[str, str]:
    """Each recorded category needs one of its grounds and the officer's reason."""
    errors: dict[str, str] = {}
    words = vocabulary()
    for code in RECORDABLE:
        if code not in recorded:
            continue
        category = words.category(code)
        reason = recorded[code]
        label = category.label.lower() if category else code
        if category is None or reason.ground not in dict(category.grounds):
            errors[f"{code}_ground"] = f"Select why the person is a {label}"
        if not reason.details.strip():
            errors[f"{code}_details"] = f"Enter the reason the person is a {label}"
        elif len(reason.details.strip()) > MAX_REASON:
            errors[f"{code}_details"] = f"The reason must be {MAX_REASON:,} characters or fewer"
    return errors


def record_enhanced(
    db: Session,
    vault: Vault,
    actor: Actor,
    party: CaseParty,
    recorded: Mapping[str, Reason],
    *,
    expected_version: int,
    errors: Mapping[str, str] | None = None,
) -> bool:
    """Set every recordable category (those in ``recorded`` apply, the others do not), each
    with its ground and reason. ``errors``: problems found before (the page's, the free-text
    check); nothing is saved with any. Returns whether the categories changed; gaining one
    publishes ``EnhancedCategoryAdded``."""
    require_editor(actor)
    if party.version != expected_version:  # theirs first: what is typed is checked against it
        raise StaleEdit(enhanced_values(vault, party), party.version)
    found = dict(errors or {})
    if set(recorded) - set(RECORDABLE):
        found["categories"] = "Select the enhanced-rights categories that apply"
    elif recorded and not party.is_victim:
        found["categories"] = (
            "Enhanced rights are for victims: change their part in the case to victim first"
        )
    found |= reason_errors(recorded)
    if found:
        raise ValidationFailed(found)
    before = {c for c in RECORDABLE if getattr(party, c)}
    after = set(recorded)
    old_reasons = stored_reasons(vault, party)
    new_reasons = {
        code: {"ground": r.ground, "details": r.details.strip()} for code, r in recorded.items()
    }
    unchanged = (
        before == after
        and {k: {"ground": v.ground, "details": v.details} for k, v in old_reasons.items()}
        == new_reasons
    )
    if unchanged:
        return False
    for category in RECORDABLE:
        setattr(party, category, category in after)
    vault.put(party, "enhanced_reasons", json.dumps(new_reasons) if new_reasons else None)
    _altered(db, actor, party, "person.enhanced_categories", (*RECORDABLE, "enhanced_reasons"))
    if after - before:
        _gained(db, actor, party, EnhancedCategoryAdded)
    return True


def enhanced_values(vault: Vault, party: CaseParty) -> dict[str, object]:
    """What the enhanced-rights form shows for what is stored (first rendering, or theirs)."""
    reasons = stored_reasons(vault, party)
    ticked = [c for c in RECORDABLE if getattr(party, c)]
    values: dict[str, object] = {"categories": ticked}
    older = reasons.get(LEGACY)  # one text for them all: offered under each ticked category
    for code in RECORDABLE:
        reason = reasons.get(code) or (older if older and code in ticked else None)
        values[f"{code}_ground"] = reason.ground if reason else ""
        values[f"{code}_details"] = reason.details if reason else ""
    return values
