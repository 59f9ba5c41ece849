"""document disclosure check

Uploaded documents are checked for protected information: what was found (document_match, with
the place and whose, never the value), redacted versions, manual checks of documents with no
text, second-prosecutor overrides and readiness to serve. And when a person's address was last
replaced, so a letter drafted for the old one is never posted.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "address_changed_at", portal.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disclosure", sa.String(length=16), nullable=False, server_default="clear")
        )
        batch_op.add_column(sa.Column("replaces_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("checked_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("checked_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("ready_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("ready_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            op.f("fk_document_replaces_id_document"),
            "document",
            ["replaces_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_document_checked_by_id_user_account"),
            "user_account",
            ["checked_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            op.f("fk_document_ready_by_id_user_account"), "user_account", ["ready_by_id"], ["id"]
        )
    op.create_table(
        "document_match",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sealed_identity", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=False),
        sa.Column("overridden_by_id", sa.Uuid(), nullable=True),
        sa.Column("overridden_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("override_reason", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('name', 'address', 'date_of_birth', 'phone', 'email')",
            name=op.f("ck_document_match_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_match_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_document_match_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["data_key.id"], name=op.f("fk_document_match_key_id_data_key")
        ),
        sa.ForeignKeyConstraint(
            ["overridden_by_id"],
            ["user_account.id"],
            name=op.f("fk_document_match_overridden_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_match")),
    )
    op.create_index("ix_document_match_document", "document_match", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_document_match_document", table_name="document_match")
    op.drop_table("document_match")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_document_ready_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_document_checked_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_document_replaces_id_document"), type_="foreignkey")
        for column in (
            "ready_at",
            "ready_by_id",
            "checked_at",
            "checked_by_id",
            "superseded",
            "replaces_id",
            "disclosure",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("address_changed_at")
