"""person name words: blind indexes of each name word and its sound (issue 15 point 8)

A first name or a surname alone, or a sound-alike spelling, finds a person through
``person_name_word`` (docs/data-protection.md, "Name words and sounds"). The table starts empty:
its values are HMACs under the index key, which a migration does not hold, so existing people
get theirs from ``portal keys reindex`` (through the key vault), which also recomputes the
exact-name indexes under the normaliser that reads look-alike apostrophes and quotes as one.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_name_word",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("value_index", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_name_word_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_name_word")),
    )
    with op.batch_alter_table("person_name_word", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_name_word_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_person_name_word_value_index", ["value_index", "person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person_name_word", schema=None) as batch_op:
        batch_op.drop_index("ix_person_name_word_value_index")
        batch_op.drop_index(batch_op.f("ix_person_name_word_person_id"))
    op.drop_table("person_name_word")
