"""Alembic environment. The schema is only ever built by running these migrations, tests included.

``portal.db.migrate`` passes an open connection in ``config.attributes["connection"]``; running
plain ``alembic`` from the command line uses ``PORTAL_DATABASE_URL`` or the instance SQLite file.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine

import portal.models
from portal.db.base import Base

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    return False


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    default = f"sqlite:///{Path(os.environ.get('PORTAL_INSTANCE_DIR', 'instance')).resolve() / 'portal.db'}"
    engine = create_engine(os.environ.get("PORTAL_DATABASE_URL") or default)
    with engine.connect() as conn:
        run_migrations(conn)
        conn.commit()
