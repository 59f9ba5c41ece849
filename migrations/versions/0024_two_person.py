"""two-person decisions: a returned unmask request, the decision's comment, the approver rule

An unmask request may now be returned to its requester with a comment (state ``returned``),
and the approver's comment on any decision is kept, sealed under the person's key. The
approver rule in force when the request was made is kept on it (``approver_role``: the role
that must decide it, or none for any holder of the permission), so a later change of the
setting does not move requests already waiting (issue 16 points 1 and 2). An anonymity
application may be returned to its author with a comment (``returned_*``).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

OLD_STATES = "state IN ('pending', 'approved', 'refused')"
NEW_STATES = "state IN ('pending', 'approved', 'refused', 'returned')"


def upgrade() -> None:
    with op.batch_alter_table("unmask_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_comment", portal.db.encrypted.EncryptedBlob(), nullable=True)
        )
        batch_op.add_column(sa.Column("approver_role", sa.String(length=32), nullable=True))
        batch_op.drop_constraint(op.f("ck_unmask_request_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_unmask_request_state_known"), NEW_STATES)
    with op.batch_alter_table("anonymity_application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("returned_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("return_comment", portal.db.encrypted.EncryptedBlob(), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_anonymity_application_returned_by_id_user_account"),
            "user_account",
            ["returned_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("anonymity_application", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_anonymity_application_returned_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("return_comment")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("returned_by_id")
    op.execute("UPDATE unmask_request SET state = 'refused' WHERE state = 'returned'")
    with op.batch_alter_table("unmask_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_unmask_request_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_unmask_request_state_known"), OLD_STATES)
        batch_op.drop_column("approver_role")
        batch_op.drop_column("decision_comment")
