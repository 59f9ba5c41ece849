"""the prosecutor's reasons keep their history (issue 16 point 3)

The reasons for a decision may be edited until the first letter is sent. Each version is kept
(sealed under the case key, as the reasons are), with who saved it and when, so the decision
page can show what changed.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 09:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vlu_reasons_revision",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("reasons", portal.db.encrypted.EncryptedBlob(), nullable=False),
        sa.Column("meeting_offered", sa.Boolean(), nullable=True),
        sa.Column("no_meeting_reason", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("written_by_id", sa.Uuid(), nullable=True),
        sa.Column("written_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_vlu_reasons_revision_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["vlu_decision.id"],
            name=op.f("fk_vlu_reasons_revision_decision_id_vlu_decision"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["data_key.id"], name=op.f("fk_vlu_reasons_revision_key_id_data_key")
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["user_account.id"],
            name=op.f("fk_vlu_reasons_revision_written_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vlu_reasons_revision")),
        sa.UniqueConstraint("decision_id", "revision", name="one_per_revision"),
    )
    with op.batch_alter_table("vlu_reasons_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vlu_reasons_revision_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vlu_reasons_revision_decision_id"), ["decision_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vlu_reasons_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vlu_reasons_revision_decision_id"))
        batch_op.drop_index(batch_op.f("ix_vlu_reasons_revision_case_id"))
    op.drop_table("vlu_reasons_revision")
