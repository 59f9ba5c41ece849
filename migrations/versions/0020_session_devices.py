"""session devices and account notices (issue 18 point 6)

Each session keeps a short description of the device it was signed in from (parsed from the
User-Agent at sign-in: "Firefox on Windows"), for the user's list of their sessions. Account
notices are what a user is told at their next sign-in about their own account: failed sign-in
attempts since they last signed in, and a change of second factor.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=60), nullable=True))
    op.create_table(
        "account_notice",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('failed_sign_ins', 'factor_changed')",
            name=op.f("ck_account_notice_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_notice_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_notice")),
    )
    with op.batch_alter_table("account_notice", schema=None) as batch_op:
        batch_op.create_index("ix_account_notice_user_seen", ["user_id", "seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_account_notice_user_seen")
    op.drop_table("account_notice")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("device")
