"""What happens in a case, published for other domains (portal.kit.events).

The Victims' Code obligations and the VLU's letter requests follow from these; the cases and
people services that publish them import neither. Ids and dates only, never personal data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from portal.accounts.actor import Actor
from portal.kit.events import Event


@dataclass(frozen=True)
class CaseEventRecorded(Event):
    case_id: uuid.UUID
    event_id: uuid.UUID
    actor: Actor


@dataclass(frozen=True)
class CaseEventCorrected(Event):
    case_id: uuid.UUID
    event_id: uuid.UUID
    actor: Actor


@dataclass(frozen=True)
class PeopleIdentified(Event):
    """People became owed rights in a case on ``identified_on``: events already recorded give
    them their entitlements from that date. Subclasses say how."""

    case_id: uuid.UUID
    party_ids: tuple[uuid.UUID, ...]
    actor: Actor
    identified_on: date


@dataclass(frozen=True)
class PeopleAddedToCase(PeopleIdentified):
    """Added through the form or imported."""


@dataclass(frozen=True)
class PersonRoleChanged(PeopleIdentified):
    """Became a victim, a witness or both."""


@dataclass(frozen=True)
class EnhancedCategoryAdded(PeopleIdentified):
    """Found to be persistently targeted, vulnerable or intimidated."""


@dataclass(frozen=True)
class NeedsAssessmentRecorded(Event):
    """The witness care officer recorded a person's needs assessment (portal.safeguards): the
    duties met by that work close (rules data ``met_by = "needs_assessment"``)."""

    case_id: uuid.UUID
    party_id: uuid.UUID
    actor: Actor
    assessed_on: date
