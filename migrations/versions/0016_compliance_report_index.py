"""compliance report index (issue 14 point 6, performance.md D1)

The compliance report filters on the obligation's report date (its due date, or without one
its trigger date) and reads only a handful of columns: ``ix_obligation_report`` leads with
``due_on, trigger_on`` and holds every column a breakdown reads, so the report is answered from
the index alone. An index over existing columns: nothing to backfill, the index build reads
every existing row.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 06:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COLUMNS = [
    "due_on",
    "trigger_on",
    "state",
    "met_on",
    "entitlement",
    "right",
    "enhanced",
    "child",
    "case_id",
]


def upgrade() -> None:
    op.create_index("ix_obligation_report", "obligation", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_obligation_report", table_name="obligation")
