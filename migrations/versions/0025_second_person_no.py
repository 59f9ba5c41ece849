"""the second person's "no": anonymity applications refused, disclosure overrides refused or returned

Besides approving or returning it, the second person may refuse an anonymity application; it is
then ``declined`` and not made. Who refused it, when and their comment go in the columns that
hold a return (``returned_*``): the state tells the two apart. A second prosecutor asked to
override a match in a document may also refuse (it must be redacted) or return it to the
uploader with a question (``document_match.declined_*``), and the uploader's answer is kept
(``answer``), sealed like the override's reason (issue 16 point 1).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

OLD_STATES = (
    "state IN ('drafted', 'approved', 'served', 'granted', 'refused', 'varied', 'discharged')"
)
NEW_STATES = (
    "state IN ('drafted', 'approved', 'served', 'granted', 'refused', 'varied', 'discharged', "
    "'declined')"
)


def upgrade() -> None:
    with op.batch_alter_table("document_match", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declined_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("declined_at", portal.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("declined_as", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("decline_comment", portal.db.encrypted.EncryptedBlob(), nullable=True)
        )
        batch_op.add_column(sa.Column("answer", portal.db.encrypted.EncryptedBlob(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_document_match_declined_by_id_user_account"),
            "user_account",
            ["declined_by_id"],
            ["id"],
        )
    with op.batch_alter_table("anonymity_application", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_anonymity_application_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_anonymity_application_state_known"), NEW_STATES)


def downgrade() -> None:
    with op.batch_alter_table("document_match", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_document_match_declined_by_id_user_account"), type_="foreignkey"
        )
        for column in ("answer", "decline_comment", "declined_as", "declined_at", "declined_by_id"):
            batch_op.drop_column(column)
    # A refused application goes back to drafted, with its refusal kept as a return.
    op.execute("UPDATE anonymity_application SET state = 'drafted' WHERE state = 'declined'")
    with op.batch_alter_table("anonymity_application", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_anonymity_application_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_anonymity_application_state_known"), OLD_STATES)
