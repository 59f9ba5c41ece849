"""rights kept between forms (issue 15)

Obligations gain ``reason_code`` (why not met or met late, from the rules data) and
``identified_on`` (a person identified after the trigger is owed from then); the data check of
"told" records through unsafe channels stores its findings in ``told_check_finding``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("identified_on", sa.Date(), nullable=True))
    op.create_table(
        "told_check_finding",
        sa.Column("obligation_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("problem", sa.String(length=24), nullable=False),
        sa.Column("rules_changed_since", sa.Boolean(), nullable=False),
        sa.Column("checked_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "problem IN ('erased', 'no_rules', 'channel_not_safe', 'voicemail', 'detail_missing')",
            name=op.f("ck_told_check_finding_problem_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_told_check_finding_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligation.id"],
            name=op.f("fk_told_check_finding_obligation_id_obligation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_told_check_finding")),
        sa.UniqueConstraint("obligation_id", name=op.f("uq_told_check_finding_obligation_id")),
    )
    op.create_index("ix_told_check_finding_case", "told_check_finding", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_told_check_finding_case", table_name="told_check_finding")
    op.drop_table("told_check_finding")
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_column("identified_on")
        batch_op.drop_column("reason_code")
