"""One paging helper (portal.kit.paging), against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from portal.kit.paging import (
    MAX_PAGE,
    Page,
    keyset_page,
    keyset_rows,
    page_number,
    paginate,
    paginate_rows,
)

meta = MetaData()
probe = Table(
    "kit_paging_probe",
    meta,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("rank", Integer, nullable=False),
)


@pytest.fixture
def rows(engine: Engine) -> Iterator[Session]:
    """53 rows: ids 1..53, kind "even"/"odd", rank repeating 0..4 (so rank alone is not unique)."""
    meta.create_all(engine)
    try:
        with Session(engine) as session:
            session.execute(
                insert(probe),
                [
                    {"id": i, "kind": "even" if i % 2 == 0 else "odd", "rank": i % 5}
                    for i in range(1, 54)
                ],
            )
            session.commit()
            yield session
            session.rollback()
    finally:
        meta.drop_all(engine)


def test_pages_cover_every_row_once_in_order(rows: Session) -> None:
    seen: list[int] = []
    first = paginate(rows, select(probe.c.id), order_by=(probe.c.id,), page=1, per_page=10)
    assert (first.total, first.pages, first.number, first.page) == (53, 6, 1, 1)
    for number in range(1, first.pages + 1):
        page = paginate(rows, select(probe.c.id), order_by=(probe.c.id,), page=number, per_page=10)
        seen.extend(page.items)
    assert seen == list(range(1, 54))


def test_a_filtered_count_ignores_the_callers_order(rows: Session) -> None:
    query = select(probe.c.id).where(probe.c.kind == "even").order_by(probe.c.rank)
    page = paginate(rows, query, order_by=(probe.c.rank.desc(), probe.c.id), page=2, per_page=5)
    assert page.total == 26
    everything = rows.scalars(query.order_by(None).order_by(probe.c.rank.desc(), probe.c.id))
    assert page.items == list(everything)[5:10]


def test_a_page_past_the_end_shows_the_last_page(rows: Session) -> None:
    page = paginate(rows, select(probe.c.id), order_by=(probe.c.id,), page=99, per_page=25)
    assert page.number == 3 and page.items == [51, 52, 53]
    assert (page.first_index, page.last_index) == (51, 53)
    assert page.has_prev and not page.has_next


def test_an_empty_result_is_one_empty_page(rows: Session) -> None:
    query = select(probe.c.id).where(probe.c.kind == "none")
    page = paginate(rows, query, order_by=(probe.c.id,), page=4, per_page=10)
    assert (page.number, page.pages, page.total, list(page.items)) == (1, 1, 0, [])
    assert (page.first_index, page.last_index) == (0, 0)
    assert page.window() == [1]


def test_rows_pages_carry_every_column(rows: Session) -> None:
    query = select(probe.c.id, probe.c.kind).where(probe.c.id <= 12)
    page = paginate_rows(rows, query, order_by=(probe.c.id.desc(),), page=2, per_page=5)
    assert [(r.id, r.kind) for r in page.items] == [
        (7, "odd"),
        (6, "even"),
        (5, "odd"),
        (4, "even"),
        (3, "odd"),
    ]
    assert page.map(lambda r: r.id).items == [7, 6, 5, 4, 3]


def test_keyset_paging_walks_newest_first_without_gaps(rows: Session) -> None:
    seen: list[int] = []
    after: int | None = None
    for _ in range(10):
        page = keyset_page(
            rows, select(probe.c.id), key=probe.c.id, after=after, per_page=20, key_of=int
        )
        seen.extend(page.items)
        if not page.has_next:
            break
        after = page.next_after
    assert seen == list(range(53, 0, -1))


def test_keyset_rows_ascending_with_a_filter(rows: Session) -> None:
    query = select(probe.c.id, probe.c.kind).where(probe.c.kind == "odd")
    first = keyset_rows(
        rows,
        query,
        key=probe.c.id,
        after=None,
        per_page=3,
        key_of=lambda r: r.id,
        descending=False,
    )
    assert [r.id for r in first.items] == [1, 3, 5] and first.next_after == 5
    last = keyset_rows(
        rows,
        query,
        key=probe.c.id,
        after=49,
        per_page=3,
        key_of=lambda r: r.id,
        descending=False,
    )
    assert [r.id for r in last.items] == [51, 53] and last.next_after is None


def test_paging_needs_an_order_and_a_sane_size(rows: Session) -> None:
    with pytest.raises(ValueError, match="order"):
        paginate(rows, select(probe.c.id), order_by=(), page=1, per_page=10)
    with pytest.raises(ValueError, match="per_page"):
        paginate(rows, select(probe.c.id), order_by=(probe.c.id,), page=1, per_page=0)
    with pytest.raises(ValueError, match="per_page"):
        keyset_page(
            rows, select(probe.c.id), key=probe.c.id, after=None, per_page=10_000, key_of=int
        )


def test_the_window_gives_the_govuk_pagination_items() -> None:
    def window(number: int, pages: int) -> list[int | None]:
        return Page([1], number, 10, pages * 10).window()

    assert window(1, 1) == [1]
    assert window(1, 3) == [1, 2, 3]
    assert window(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert window(2, 20) == [1, 2, 3, 4, None, 20]
    assert window(20, 20) == [1, None, 18, 19, 20]


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        ("0", 1),
        ("-2", 1),
        ("٣", 1),
        ("²", 1),
        ("3 ", 1),
        ("99999999999999999999", 1),
        (str(MAX_PAGE), MAX_PAGE),
        (str(MAX_PAGE + 1), 1),
    ],
)
def test_page_numbers_from_a_query_string(raw: str | None, number: int) -> None:
    assert page_number(raw) == number
