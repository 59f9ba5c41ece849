"""event details: a hearing's date and time, court and type (issue 15 point 4)

A hearing event records what Right 8 asks the WCU to pass on: when the hearing is (an aware UTC
instant, shown in Europe/London), the court and the type of hearing (codes in
portal/data/hearings.toml). None of it is personal, so it is stored plain. Existing events
have none.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hearing_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("hearing_court", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("hearing_type", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("hearing_type")
        batch_op.drop_column("hearing_court")
        batch_op.drop_column("hearing_at")
