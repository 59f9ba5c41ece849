"""second factors: TOTP secrets, recovery codes, factor resets, session stage

Issue 18 points 1 and 3. A session is "password" until its second factor passes, then
"signed_in"; ``factor_at`` is when a factor was last proved (step-up). Sessions open at the
upgrade become password-only, so their users are asked for (or to enrol) a second factor on
their next request.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=16), server_default="password", nullable=False)
        )
        batch_op.add_column(
            sa.Column("factor_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_auth_session_stage_known"), "stage IN ('password', 'signed_in')"
        )
    op.create_table(
        "user_factor",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("secret", portal.db.encrypted.EncryptedBlob(), nullable=False),
        sa.Column("created_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["data_key.id"], name=op.f("fk_user_factor_key_id_data_key")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_factor_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_factor")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_factor_user_id")),
    )
    op.create_table(
        "recovery_code",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_recovery_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)
    op.create_table(
        "factor_reset",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("told_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'refused')", name=op.f("ck_factor_reset_state_known")
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id",
            name=op.f("ck_factor_reset_two_people"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_factor_reset_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_factor_reset_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_factor_reset_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_reset")),
    )
    with op.batch_alter_table("factor_reset", schema=None) as batch_op:
        batch_op.create_index("ix_factor_reset_user_state", ["user_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("factor_reset", schema=None) as batch_op:
        batch_op.drop_index("ix_factor_reset_user_state")
    op.drop_table("factor_reset")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    op.drop_table("user_factor")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_auth_session_stage_known"), type_="check")
        batch_op.drop_column("factor_at")
        batch_op.drop_column("stage")
