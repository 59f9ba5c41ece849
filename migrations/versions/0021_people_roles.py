"""people: officers record what the job needs (issue 15 point 5)

* ``case_party.most_serious``: the "victim of the most serious crime" category recorded by an
  officer (a bereaved relative, a hate crime...) when the offences do not make it automatic.
* ``person_contact``: a person's parents, guardians and representatives, every personal value
  sealed under the person's own data key (erased with them); ``nominated`` marks the one to
  contact them through.
* ``safeguarding_action``: an action is owned by a member of the case team (``owner_id``) or by
  a named partner (``owner_partner``, the kind from rules data, and the sealed ``partner_name``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_party", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("most_serious", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "person_contact",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("relationship", sa.String(length=32), nullable=False),
        sa.Column("name", portal.db.encrypted.EncryptedBlob(), nullable=False),
        sa.Column("phone", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("email", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("address", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("nominated", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_contact_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["data_key.id"], name=op.f("fk_person_contact_key_id_data_key")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user_account.id"],
            name=op.f("fk_person_contact_added_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_contact")),
    )
    with op.batch_alter_table("person_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_contact_person_id"), ["person_id"], unique=False
        )
    with op.batch_alter_table("safeguarding_action", schema=None) as batch_op:
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.add_column(sa.Column("owner_partner", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("partner_name", portal.db.encrypted.EncryptedBlob(), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_safeguarding_action_has_an_owner"),
            "owner_id IS NOT NULL OR owner_partner IS NOT NULL",
        )


def downgrade() -> None:
    # An action owned by a partner has no member of staff to fall back on: it goes.
    op.execute("DELETE FROM safeguarding_action WHERE owner_id IS NULL")
    with op.batch_alter_table("safeguarding_action", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_safeguarding_action_has_an_owner"), type_="check")
        batch_op.drop_column("partner_name")
        batch_op.drop_column("owner_partner")
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=False)
    with op.batch_alter_table("person_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_contact_person_id"))
    op.drop_table("person_contact")
    with op.batch_alter_table("case_party", schema=None) as batch_op:
        batch_op.drop_column("most_serious")
