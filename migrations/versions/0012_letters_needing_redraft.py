"""letters needing redraft when an identity is sealed

The carries_identity flag goes: a letter naming a sealed identity is now refused when saved and
masked when the identity is sealed, and the send guard compares the letter itself.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BEFORE = (
    "'requested', 'reasons_supplied', 'drafted', 'checked', 'sent', 'review_requested', "
    "'local_resolution', 'concluded'"
)
AFTER = (
    "'requested', 'reasons_supplied', 'drafted', 'needs_redraft', 'checked', 'sent', "
    "'review_requested', 'local_resolution', 'concluded'"
)


def _states(allowed: str) -> None:
    with op.batch_alter_table("vlu_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_vlu_request_state_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_vlu_request_state_known"), f"state IN ({allowed})"
        )


def upgrade() -> None:
    _states(AFTER)
    with op.batch_alter_table("vlu_letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identity_removed_at", portal.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.drop_column("carries_identity")


def downgrade() -> None:
    op.execute("UPDATE vlu_request SET state = 'drafted' WHERE state = 'needs_redraft'")
    _states(BEFORE)
    with op.batch_alter_table("vlu_letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("carries_identity", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_column("identity_removed_at")
