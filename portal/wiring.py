"""The composition root: what the application is made of, put together at start-up.

Domain events (portal.kit.events) are subscribed here, in one list, so who reacts to what can be
read in one place and nothing subscribes at import time. ``portal.app.create_app``, the CLI, the
job worker and the test fixtures open their sessions through ``session_factory`` so every use
case publishes to this bus.

No handler is subscribed yet. The first ones replace the direct calls that make
``portal.cases.service`` import the Victims' Code and VLU packages (the import cycle in the
import-linter contracts): ``cases.service.record_event`` will publish a ``CaseEventRecorded``,
and this function will subscribe ``victims_code``'s obligation handler and ``vlu``'s request
handler to it, in that order (obligations first, as today).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.db.session import make_session_factory
from portal.kit.events import EventBus


def event_bus() -> EventBus:
    """The application's event bus, with every subscription, sealed."""
    bus = EventBus()
    return bus.seal()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose use cases publish to the application's bus."""
    return make_session_factory(engine, events=event_bus())
