"""The job worker as a thread inside another process (``portal serve`` without a separate
worker). Its sessions come from ``portal.wiring`` like every other session."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from portal.jobs.queue import work
from portal.security.crypto import KeyProvider
from portal.wiring import session_factory


@dataclass
class BackgroundWorker:
    """A worker thread inside another process (``portal serve`` without a separate worker)."""

    thread: threading.Thread
    stop_event: threading.Event
    engine: Engine

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)
        self.engine.dispose()


def start_background(
    engine: Engine, provider: KeyProvider, *, poll: float = 1.0, batch: int | None = None
) -> BackgroundWorker:
    stop = threading.Event()
    factory = session_factory(engine)  # the application's sessions, publishing to its bus
    thread = threading.Thread(
        target=work,
        kwargs={
            "factory": factory,
            "provider": provider,
            "stop": stop,
            "poll": poll,
            "batch": batch,
        },
        name="portal-job-worker",
        daemon=True,
    )
    thread.start()
    return BackgroundWorker(thread=thread, stop_event=stop, engine=engine)
