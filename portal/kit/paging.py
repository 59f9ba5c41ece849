"""One page of a query: the rows, where the page sits among the others, and the numbers the GOV.UK
pagination component needs.

    page = paginate(db, scoped(actor), order_by=(Case.created_at.desc(), Case.id),
                    page=page_number(query_params.get("page")), per_page=25)
    page.items, page.number, page.pages, page.total, page.has_next, page.window()

``paginate`` counts the matching rows (one ``count(*)`` over the unordered query), keeps the page
number inside ``1..pages`` (a stale link to page 9 of 3 shows page 3, not an empty table) and
fetches that page with LIMIT/OFFSET; ``paginate_rows`` does the same for multi-column selects.
``order_by`` is required and must end with a unique column, or rows could repeat or vanish
between pages.

Where a list is long and only ever read forwards (the access log), use keyset paging instead:
``keyset_page``/``keyset_rows`` fetch the rows after a key (no count, no OFFSET, so page 10,000
costs what page 1 does) and return the key to continue from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar, TypeVarTuple, Unpack

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K")
Ts = TypeVarTuple("Ts")

MAX_PER_PAGE = 500
MAX_PAGE = 100_000


def page_number(raw: str | None) -> int:
    """A ``?page=`` value as a page number: ASCII digits within ``1..MAX_PAGE``, otherwise 1."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        return 1
    number = int(raw)
    return number if 1 <= number <= MAX_PAGE else 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results. ``number`` counts from 1; ``pages`` is at least 1 (an empty list is
    one empty page). ``page`` is the same as ``number``, for the pagination macro."""

    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def page(self) -> int:
        return self.number

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown ("Showing 26 to 50 of 312"); 0 if none."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, GOV.UK style: the first, the last and ``around`` either side of
        the current one, with ``None`` where the component shows an ellipsis."""
        shown = [
            n
            for n in range(1, self.pages + 1)
            if n in (1, self.pages) or abs(n - self.number) <= around
        ]
        out: list[int | None] = []
        for n in shown:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.number, self.per_page, self.total)


@dataclass(frozen=True)
class KeysetPage(Generic[T, K]):
    """Rows after a key, and the key to continue from (``None``: nothing more)."""

    items: Sequence[T]
    next_after: K | None

    @property
    def has_next(self) -> bool:
        return self.next_after is not None


class Paging(TypedDict):
    """Which page of a query: ``order_by`` (ending with a unique column), ``page`` (1 is the
    first) and ``per_page``."""

    order_by: Sequence[ColumnElement[Any]]
    page: int
    per_page: int


def paginate(db: Session, query: Select[T], **paging: Unpack[Paging]) -> Page[T]:
    """Page ``page`` of a single-entity (or single-column) select, as ``Session.scalars``."""
    number, total, ordered = _offset(db, query, **paging)
    return Page(db.scalars(ordered).all(), number, paging["per_page"], total)


def paginate_rows(db: Session, query: Select[*Ts], **paging: Unpack[Paging]) -> Page[Row[*Ts]]:
    """Page ``page`` of a multi-column select, as ``Session.execute`` rows."""
    number, total, ordered = _offset(db, query, **paging)
    return Page(db.execute(ordered).all(), number, paging["per_page"], total)


def _offset(
    db: Session,
    query: Select[*Ts],
    *,
    order_by: Sequence[ColumnElement[Any]],
    page: int,
    per_page: int,
) -> tuple[int, int, Select[*Ts]]:
    _check(order_by, per_page)
    unordered = query.order_by(None)
    total = int(db.scalar(select(func.count()).select_from(unordered.subquery())) or 0)
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    ordered = unordered.order_by(*order_by).limit(per_page).offset((number - 1) * per_page)
    return number, total, ordered


def keyset_page(
    db: Session,
    query: Select[T],
    *,
    key: ColumnElement[K],
    after: K | None,
    per_page: int,
    key_of: Callable[[T], K],
    descending: bool = True,
) -> KeysetPage[T, K]:
    """The entities after ``after`` in ``key`` order (newest first by default). ``key`` must be
    unique and indexed; ``key_of`` reads it from an item, to continue from the last one."""
    items = db.scalars(_keyset(query, key, after, per_page, descending)).all()
    return _cut(items, per_page, key_of)


def keyset_rows(
    db: Session,
    query: Select[*Ts],
    *,
    key: ColumnElement[K],
    after: K | None,
    per_page: int,
    key_of: Callable[[Row[*Ts]], K],
    descending: bool = True,
) -> KeysetPage[Row[*Ts], K]:
    """As ``keyset_page``, for a multi-column select."""
    rows = db.execute(_keyset(query, key, after, per_page, descending)).all()
    return _cut(rows, per_page, key_of)


def _keyset(
    query: Select[*Ts],
    key: ColumnElement[K],
    after: K | None,
    per_page: int,
    descending: bool,
) -> Select[*Ts]:
    _check((key,), per_page)
    if after is not None:
        query = query.where(key < after if descending else key > after)
    ordering = key.desc() if descending else key.asc()
    return query.order_by(None).order_by(ordering).limit(per_page + 1)


def _cut(items: Sequence[T], per_page: int, key_of: Callable[[T], K]) -> KeysetPage[T, K]:
    shown = items[:per_page]
    return KeysetPage(shown, key_of(shown[-1]) if len(items) > per_page else None)


def _check(order_by: Sequence[ColumnElement[Any]], per_page: int) -> None:
    if not order_by:
        raise ValueError("paging needs an order, ending with a unique column")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
