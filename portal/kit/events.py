"""In-process domain events: a use case says what happened; other domains react, in the same
transaction, without the publisher importing them.

    @dataclass(frozen=True)
    class CaseEventRecorded(Event):          # in the publishing domain (portal.cases.events)
        case_id: uuid.UUID
        event_id: uuid.UUID
        kind: str
        actor: Actor

    publish(db, CaseEventRecorded(...))      # in portal.cases.service.record_event

    def create_obligations(db: Session, event: CaseEventRecorded) -> None: ...
                                             # in the reacting domain (portal.victims_code)

    bus.subscribe(CaseEventRecorded, create_obligations)   # in portal.wiring, at start-up

Rules of the house:

* **Same transaction.** ``publish`` runs every handler at once, in the order subscribed, with the
  publisher's own ``Session``. A handler's writes commit or roll back with the publisher's: an
  exception in a handler propagates to the publisher and the whole unit of work rolls back (a
  case event is never recorded without the obligations it triggers). Work that must happen only
  after commit (a letter sent, an email) is a queued job, not an event handler.
* **Wired explicitly.** Nothing subscribes at import time. ``portal.wiring.event_bus()`` builds
  the application's bus, subscribing every handler in one readable list, and seals it; the bus
  travels with the session (the ``events`` of portal.db.session's factory), so web requests, CLI
  commands, jobs and tests all publish to the bus they were given.
* **Loud when unwired.** Publishing on a session that has no bus raises: a forgotten wiring must
  not silently skip the obligations an event should create.
* **Events are facts.** Frozen dataclasses named in the past tense, carrying ids and the acting
  ``Actor``, never decrypted personal data; handlers load what they need.

Handlers may publish further events (they run depth-first); a chain deeper than
``MAX_DEPTH`` is a loop, and raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy.orm import Session

EVENTS_KEY = "portal.events"
MAX_DEPTH = 8


class Event:
    """Base class of domain events. Subclass it as a frozen dataclass."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Session, Any], None]
# How deep the current thread is in handlers publishing events (the app's bus is shared by the
# worker threads, so this is per context, not per bus).
_depth: ContextVar[int] = ContextVar("portal_event_depth", default=0)


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = {}
        self._sealed = False

    def subscribe(self, event_type: type[E], handler: Callable[[Session, E], None]) -> None:
        """Run ``handler(db, event)`` for every ``event_type`` published (and its subclasses)."""
        if self._sealed:
            raise RuntimeError("the event bus is sealed: subscribe in portal.wiring, at start-up")
        if not (isinstance(event_type, type) and issubclass(event_type, Event)):
            raise TypeError(f"{event_type!r} is not an Event class")
        self._handlers.setdefault(event_type, []).append(handler)

    def seal(self) -> EventBus:
        """No more subscriptions: the wiring is complete."""
        self._sealed = True
        return self

    @property
    def sealed(self) -> bool:
        return self._sealed

    def handlers_for(self, event_type: type[Event]) -> list[Handler]:
        """Every handler an ``event_type`` reaches, most specific class first."""
        found: list[Handler] = []
        for cls in event_type.__mro__:
            found.extend(self._handlers.get(cls, ()))
        return found

    def subscriptions(self) -> Mapping[type[Event], tuple[Handler, ...]]:
        """Who listens to what, for docs and for a test that the wiring is complete."""
        return {event: tuple(handlers) for event, handlers in self._handlers.items()}

    def publish(self, db: Session, event: Event) -> int:
        """Run the handlers of ``event`` now, in ``db``'s transaction; returns how many ran."""
        if not isinstance(event, Event):
            raise TypeError(f"{event!r} is not an Event")
        depth = _depth.get()
        if depth >= MAX_DEPTH:
            raise RuntimeError(f"events nested {MAX_DEPTH} deep: a handler loop?")
        handlers = self.handlers_for(type(event))
        token = _depth.set(depth + 1)
        try:
            for handler in handlers:
                handler(db, event)
        finally:
            _depth.reset(token)
        return len(handlers)


def bus_of(db: Session) -> EventBus:
    """The bus the session was opened with (portal.db.session.make_session_factory)."""
    bus = db.info.get(EVENTS_KEY)
    if not isinstance(bus, EventBus):
        raise RuntimeError(
            "this session has no event bus: open it from portal.wiring.session_factory(engine)"
        )
    return bus


def publish(db: Session, event: Event) -> int:
    """Publish ``event`` to the session's bus, in the session's transaction."""
    return bus_of(db).publish(db, event)
