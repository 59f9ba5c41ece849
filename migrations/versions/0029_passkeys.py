"""passkeys: WebAuthn credentials as a second factor, and the session's passkey proof

Issue 18 point 2. A user may register passkeys (``passkey``: credential id, public key, sign
count, transports, the device it was made on); the actions that can unmask an identity,
approve an anonymity application, override a disclosure match or administer accounts ask for
a passkey assertion within the step-up window (``auth_session.passkey_at``). The ceremony's
challenge is kept on the session (``passkey_challenge``), never in a cookie.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 13:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("passkey_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("passkey_challenge", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column(
                "passkey_challenge_at", portal.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.create_table(
        "passkey",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(length=1023), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=2048), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("transports", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", portal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_passkey_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkey_credential_id")),
    )
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passkey_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passkey_user_id"))
    op.drop_table("passkey")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("passkey_challenge_at")
        batch_op.drop_column("passkey_challenge")
        batch_op.drop_column("passkey_at")
