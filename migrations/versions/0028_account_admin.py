"""account administration: permissions on the account, role changes by two people, deactivation

An account gains ``may_approve`` (the dedicated permission to be the second person who approves;
``may_unmask`` exists since 0008), and an account request carries both permissions, so they are
approved with the account (issue 16 point 7). A change of role, Area, unit or permissions is
asked for by one administrator and approved by another (``access_change_request``), and a
deactivation keeps its reason and the colleague the open work was handed to
(``account_deactivation``).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 13:29:55.306863
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_change_request",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("may_unmask", sa.Boolean(), nullable=False),
        sa.Column("may_approve", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "role IN ('witness_care_officer', 'prosecutor', 'vlu_officer', 'auditor', 'admin')",
            name=op.f("ck_access_change_request_role_known"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'refused')",
            name=op.f("ck_access_change_request_state_known"),
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id",
            name=op.f("ck_access_change_request_two_people"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_access_change_request_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_access_change_request_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_access_change_request_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_change_request")),
    )
    with op.batch_alter_table("access_change_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_change_request_pending_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index(
            batch_op.f("ix_access_change_request_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "account_deactivation",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("deactivated_by_id", sa.Uuid(), nullable=False),
        sa.Column("deactivated_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handed_to_id", sa.Uuid(), nullable=True),
        sa.Column("cases_moved", sa.Integer(), nullable=False),
        sa.Column("actions_moved", sa.Integer(), nullable=False),
        sa.Column("letters_moved", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('left', 'moved', 'absence', 'security', 'other')",
            name=op.f("ck_account_deactivation_reason_known"),
        ),
        sa.ForeignKeyConstraint(
            ["deactivated_by_id"],
            ["user_account.id"],
            name=op.f("fk_account_deactivation_deactivated_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["handed_to_id"],
            ["user_account.id"],
            name=op.f("fk_account_deactivation_handed_to_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_deactivation_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_deactivation")),
    )
    with op.batch_alter_table("account_deactivation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_deactivation_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("account_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("may_unmask", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("may_approve", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("may_approve", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("may_approve")

    with op.batch_alter_table("account_request", schema=None) as batch_op:
        batch_op.drop_column("may_approve")
        batch_op.drop_column("may_unmask")

    with op.batch_alter_table("account_deactivation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_deactivation_user_id"))

    op.drop_table("account_deactivation")
    with op.batch_alter_table("access_change_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_change_request_user_id"))
        batch_op.drop_index(
            "ix_access_change_request_pending_user",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.drop_table("access_change_request")
