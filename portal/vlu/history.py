"""The rows of a record's history (its transitions, its messages), oldest first: the one query
that ``portal.vlu.repository`` and ``portal.special_measures.repository`` share."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.orm import Session

R = TypeVar("R")


def oldest_first(db: Session, model: type[R], where: ColumnElement[bool]) -> list[R]:
    """The ``model`` rows that match ``where``, by their ``at`` (then ``id``, for rows of the
    same time)."""
    columns = inspect(model).columns
    return list(db.scalars(select(model).where(where).order_by(columns["at"], columns["id"])))
