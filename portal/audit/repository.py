"""Reading the access log for auditors: filters and keyset paging that stay correct."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import takewhile

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.cases.models import Case
from portal.clock import LONDON
from portal.kit.paging import keyset_rows


@dataclass(frozen=True, slots=True)
class AuditFilter:
    username: str = ""
    person_ref: str = ""
    urn: str = ""
    category: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_params(self) -> dict[str, str]:
        params = {
            "user": self.username,
            "person": self.person_ref,
            "urn": self.urn,
            "category": self.category,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in params.items() if v}


@dataclass(frozen=True, slots=True)
class Row:
    event: AuditEvent
    username: str | None
    display_name: str | None
    urn: str | None


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _query(
    db: Session, flt: AuditFilter
) -> Select[AuditEvent, str | None, str | None, str | None] | None:
    query = (
        select(AuditEvent, User.username, User.display_name, Case.urn)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Case, Case.id == AuditEvent.case_id)
    )
    if flt.username:
        user_id = db.scalar(select(User.id).where(User.username == flt.username.strip().casefold()))
        if user_id is None:
            return None
        query = query.where(AuditEvent.actor_id == user_id)
    if flt.person_ref:
        query = query.where(AuditEvent.subject_ref == flt.person_ref.strip().upper())
    if flt.urn:
        case_id = db.scalar(select(Case.id).where(Case.urn == flt.urn.strip().upper()))
        if case_id is None:
            return None
        query = query.where(AuditEvent.case_id == case_id)
    if flt.category:
        query = query.where(AuditEvent.category == flt.category)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.date_from:
        query = query.where(AuditEvent.at >= _london_midnight(flt.date_from))
    if flt.date_to:
        query = query.where(AuditEvent.at < _london_midnight(flt.date_to + timedelta(days=1)))
    return query


def page(
    db: Session, flt: AuditFilter, *, before_seq: int | None, per_page: int = 50
) -> tuple[Sequence[Row], int | None]:
    """Newest first; ``before_seq`` continues after the last row shown (keyset paging). A page
    that would end inside a list page's consultations takes the rest of them."""
    query = _query(db, flt)
    if query is None:
        return [], None
    found = keyset_rows(
        db,
        query,
        key=AuditEvent.seq.expression,
        after=before_seq,
        per_page=per_page,
        key_of=lambda r: r[0].seq,
    )
    rows = [Row(r[0], r[1], r[2], r[3]) for r in found.items]
    if found.next_after is None or group_key(rows[-1].event) is None:
        return rows, found.next_after
    return _finish_group(db, query, rows)


# A list page's consultations (one row per person shown) are shown as one action: one request,
# one action. A page never ends inside such a group; it takes the group's rows up to this many.
GROUP_LIMIT = 2000


def group_key(event: AuditEvent) -> tuple[str, str] | None:
    """What groups ``event`` with its neighbours (a list page's consultations), or None."""
    if event.category != "consultation" or event.object_type != "person" or not event.request_id:
        return None
    return event.request_id, event.action


def _finish_group(
    db: Session, query: Select[AuditEvent, str | None, str | None, str | None], rows: list[Row]
) -> tuple[list[Row], int | None]:
    """Extend a page that ends inside a group with the group's older rows (a request's entries
    are appended together, so they are consecutive under any filter)."""
    key = group_key(rows[-1].event)
    older = db.execute(
        query.where(AuditEvent.seq < rows[-1].event.seq)
        .order_by(None)
        .order_by(AuditEvent.seq.desc())
        .limit(GROUP_LIMIT + 1)
    ).all()
    taken = list(takewhile(lambda r: group_key(r[0]) == key, older))[:GROUP_LIMIT]
    rows += [Row(r[0], r[1], r[2], r[3]) for r in taken]
    return rows, (rows[-1].event.seq if len(older) > len(taken) else None)


def staff_names(db: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The display names of these staff accounts (an entry names staff by id)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    found = db.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return {r[0]: r[1] for r in found}


def stream(db: Session, flt: AuditFilter) -> Iterator[Row]:
    query = _query(db, flt)
    if query is None:
        return
    for r in db.execute(query.order_by(AuditEvent.seq).execution_options(yield_per=2000)):
        yield Row(r[0], r[1], r[2], r[3])


def actions(db: Session) -> list[str]:
    return [
        str(a) for a in db.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    ]
