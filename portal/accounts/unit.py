"""One request's unit of work as a service sees it: the database session, who is acting, and
their vault (the field-level crypto, opened lazily because most pages of a request never need it).

The edge builds it (``RequestContext.unit``); a route hands it to **one** service call and never
touches the session itself. Tests build one with ``Unit(db, actor, lambda: vault)``. Before
anyone is signed in (sign-in, account set-up) there is no actor: those routes pass a
``Visitor`` (``RequestContext.visitor``), the session alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.keys.vault import Vault


@dataclass(slots=True)
class Unit:
    db: Session
    actor: Actor
    open_vault: Callable[[], Vault] = field(repr=False)
    _vault: Vault | None = field(default=None, repr=False)

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            self._vault = self.open_vault()
        return self._vault


@dataclass(frozen=True, slots=True)
class Visitor:
    """A public route's unit of work: the session, and nobody signed in."""

    db: Session
