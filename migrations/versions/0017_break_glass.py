"""break glass

Emergency access to a case outside the user's scope (issue 18 point 4): one row per use, with
the case (and its URN, for the banner and the auditor's queue), the reason from the list and
the user's words, how long it lasts, and the auditor's review (outcome, note, who and when).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "break_glass",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("case_urn", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("started_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('risk_to_life', 'safeguarding', 'court_today', 'cover', 'other')",
            name=op.f("ck_break_glass_reason_known"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('justified', 'not_justified')",
            name=op.f("ck_break_glass_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_break_glass_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
            name=op.f("fk_break_glass_reviewed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_break_glass_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.create_index("ix_break_glass_live", ["user_id", "expires_at"], unique=False)
        batch_op.create_index(
            "ix_break_glass_unreviewed", ["reviewed_at", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.drop_index("ix_break_glass_unreviewed")
        batch_op.drop_index("ix_break_glass_live")
    op.drop_table("break_glass")
