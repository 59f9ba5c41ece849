"""The composition root: what the application is made of, put together at start-up.

Domain events (portal.kit.events) are subscribed here, in one list, so who reacts to what can be
read in one place and nothing subscribes at import time. ``portal.app.create_app``, the CLI, the
job worker and the test fixtures open their sessions through ``session_factory`` so every use
case publishes to this bus.

Recording a case event creates the Victims' Code obligations it triggers, then the VLU's letter
requests linked to them (in that order); people identified late get the rights the recorded
events give them, the same way. An account whose role changes or which is deactivated loses the
unmasking grants and the break-glass uses it was given under its old access.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.events import AccessWithdrawn
from portal.anonymity import unmasking
from portal.breakglass import withdrawn as breakglass
from portal.cases.events import (
    CaseEventCorrected,
    CaseEventRecorded,
    NeedsAssessmentRecorded,
    PeopleIdentified,
)
from portal.db.session import make_session_factory
from portal.kit.events import EventBus
from portal.victims_code import handlers as victims_code
from portal.vlu import handlers as vlu


def event_bus() -> EventBus:
    """The application's event bus, with every subscription, sealed."""
    bus = EventBus()
    bus.subscribe(CaseEventRecorded, victims_code.on_case_event_recorded)
    bus.subscribe(CaseEventRecorded, vlu.on_case_event_recorded)
    bus.subscribe(CaseEventCorrected, victims_code.on_case_event_corrected)
    bus.subscribe(PeopleIdentified, victims_code.on_people_identified)
    bus.subscribe(PeopleIdentified, vlu.on_people_identified)
    bus.subscribe(NeedsAssessmentRecorded, victims_code.on_needs_assessment_recorded)
    bus.subscribe(AccessWithdrawn, unmasking.end_grants)
    bus.subscribe(AccessWithdrawn, breakglass.end_uses)
    return bus.seal()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose use cases publish to the application's bus."""
    return make_session_factory(engine, events=event_bus())
