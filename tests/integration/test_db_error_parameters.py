"""A database error never carries what was typed: its message (which the last-resort handler
logs) shows the statement, not the parameters (hide_parameters on both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError


def test_a_failed_statement_does_not_show_its_parameters(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(DBAPIError) as failed:
        connection.execute(
            text("SELECT * FROM no_such_table WHERE name = :name"), {"name": "Vera Canary"}
        )
    assert "no_such_table" in str(failed.value)
    assert "Vera Canary" not in str(failed.value)
