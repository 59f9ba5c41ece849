"""The rows of a record's history (its transitions, its messages), oldest first, the query the
VLU and special measures repositories share; the rows of a list shown newest first (a case's
decisions); and the rows of a list in a given order (a case's court orders)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.orm import InstrumentedAttribute, Session

R = TypeVar("R")


def in_order(
    db: Session, model: type[R], where: ColumnElement[bool], *by: InstrumentedAttribute[Any]
) -> list[R]:
    """The ``model`` rows that match ``where``, ordered ``by`` those columns."""
    return list(db.scalars(select(model).where(where).order_by(*by)))


def oldest_first(db: Session, model: type[R], where: ColumnElement[bool]) -> list[R]:
    """The ``model`` rows that match ``where``, by their ``at`` (then ``id``, for rows of the
    same time)."""
    columns = inspect(model).columns
    return list(db.scalars(select(model).where(where).order_by(columns["at"], columns["id"])))


def newest_first(
    db: Session, model: type[R], where: ColumnElement[bool], by: InstrumentedAttribute[Any]
) -> list[R]:
    """The ``model`` rows that match ``where``, latest ``by`` first."""
    return list(db.scalars(select(model).where(where).order_by(by.desc())))
